import { compact, type JsonObject } from '../json.ts';
import type { IChainable, RenderContext } from '../state.ts';
import { renderTemplate, type Template } from '../template.ts';
import { RetryableState, type ResultProps } from './retryable.ts';

export interface ParallelProps extends ResultProps {
  parameters?: Template;
}

/** Runs branches at once; its result is the array of the branches' outputs, in branch order. */
export class Parallel extends RetryableState {
  readonly type = 'Parallel' as const;
  private readonly branches: IChainable[] = [];

  constructor(
    name: string,
    private readonly parallelProps: ParallelProps = {},
  ) {
    super(name, parallelProps);
  }

  branch(...branches: IChainable[]): this {
    this.branches.push(...branches);
    return this;
  }

  override subgraphs() {
    return this.branches.map((b, i) => ({ label: `branch ${i + 1} of '${this.name}'`, start: b.startState }));
  }

  toJson(ctx: RenderContext): JsonObject {
    return compact({
      Type: 'Parallel',
      Comment: this.comment,
      ...this.io(),
      Parameters: this.parallelProps.parameters ? renderTemplate(this.parallelProps.parameters) : undefined,
      Branches: this.subgraphs().map((g) => ctx.renderGraph(g.start, g.label)),
      ...this.resultFields(),
      Assign: this.assignJson(),
      ...this.errorHandling(),
      ...this.ending(),
    });
  }
}
