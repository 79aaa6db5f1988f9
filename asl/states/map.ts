import { compact, type JsonObject } from '../json.ts';
import type { IChainable, RenderContext } from '../state.ts';
import { renderTemplate, type Template } from '../template.ts';
import { RetryableState, type ResultProps } from './retryable.ts';

export interface MapProps extends ResultProps {
  /** The array to iterate over; default `$`. */
  itemsPath?: string;
  /** Shapes each item; `$$.Map.Item.Value` is the item. */
  itemSelector?: Template;
  /** 0 means as many as possible. */
  maxConcurrency?: number;
}

/** Inline Map: runs the item processor once per item of the input array. */
export class Map extends RetryableState {
  readonly type = 'Map' as const;
  private processor?: IChainable;

  constructor(
    name: string,
    private readonly mapProps: MapProps = {},
  ) {
    super(name, mapProps);
  }

  itemProcessor(processor: IChainable): this {
    this.processor = processor;
    return this;
  }

  override subgraphs() {
    return this.processor ? [{ label: `item processor of '${this.name}'`, start: this.processor.startState }] : [];
  }

  toJson(ctx: RenderContext): JsonObject {
    const p = this.mapProps;
    const processor = this.processor;
    if (!processor) throw new Error(`Map state '${this.name}' has no item processor; call itemProcessor(...)`);
    return compact({
      Type: 'Map',
      Comment: this.comment,
      ...this.io(),
      ItemsPath: p.itemsPath,
      ItemSelector: p.itemSelector ? renderTemplate(p.itemSelector) : undefined,
      MaxConcurrency: p.maxConcurrency,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...ctx.renderGraph(processor.startState, `item processor of '${this.name}'`) },
      ...this.resultFields(),
      Assign: this.assignJson(),
      ...this.errorHandling(),
      ...this.ending(),
    });
  }
}
