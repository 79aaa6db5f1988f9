import { catchAllLast, renderCatch, renderRetry, type CatchProps, type RetryProps } from '../error-handling.ts';
import type { JsonObject } from '../json.ts';
import type { IChainable, State, Transition } from '../state.ts';
import { renderTemplate, type Template } from '../template.ts';
import { NextableState, type NextableProps } from './nextable.ts';

/** Fields of the states that produce a result (Task, Parallel, Map). */
export interface ResultProps extends NextableProps {
  resultSelector?: Template;
  /** Where the result goes in the state data; null keeps the input unchanged. */
  resultPath?: string | null;
}

interface Catcher {
  errors?: readonly string[];
  props: CatchProps;
  target: State;
}

/** A state with Retry and Catch. */
export abstract class RetryableState extends NextableState {
  private readonly retries: RetryProps[] = [];
  private readonly catchers: Catcher[] = [];

  protected constructor(
    name: string,
    protected override readonly props: ResultProps,
  ) {
    super(name, props);
  }

  addRetry(props: RetryProps = {}): this {
    this.retries.push(props);
    return this;
  }

  /** On the listed errors (default every error) go to `handler`; the error output and `assign` apply first. */
  addCatch(handler: IChainable, props: CatchProps = {}): this {
    this.catchers.push({ errors: props.errors, props, target: handler.startState });
    this.link(handler.startState);
    return this;
  }

  /** Catchers in ASL order: a catch-all added early still ends up last. */
  protected orderedCatchers(): Catcher[] {
    return catchAllLast(this.catchers);
  }

  override transitions(): Transition[] {
    return [
      ...super.transitions(),
      ...this.orderedCatchers().map((c) => ({ target: c.target, kind: 'catch' as const, label: (c.errors ?? ['States.ALL']).join(', ') })),
    ];
  }

  protected errorHandling(): JsonObject {
    const out: JsonObject = {};
    if (this.retries.length > 0) out.Retry = catchAllLast(this.retries).map(renderRetry);
    if (this.catchers.length > 0) out.Catch = this.orderedCatchers().map((c) => renderCatch(c.props, c.target.name));
    return out;
  }

  protected resultFields(): JsonObject {
    const out: JsonObject = {};
    if (this.props.resultSelector) out.ResultSelector = renderTemplate(this.props.resultSelector);
    if (this.props.resultPath !== undefined) out.ResultPath = this.props.resultPath;
    return out;
  }
}
