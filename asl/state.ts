/**
 * The nouns of the DSL, after AWS CDK's aws-stepfunctions: a State, anything chainable
 * (`{ startState, endStates }`), and states that can be continued with `next`.
 */
import type { Chain } from './chain.ts';
import type { JsonObject } from './json.ts';
import type { Permission } from './permissions.ts';

/** Something that can be placed in a chain: a single state or a whole sequence. */
export interface IChainable {
  readonly startState: State;
  /** States whose `next` continues the sequence; empty when every path ends in Succeed or Fail. */
  readonly endStates: readonly INextable[];
}

/** A state that can continue to another; terminal states and Choice are not. */
export interface INextable {
  next(then: IChainable): Chain;
}

/** An edge in the graph, labelled for diagrams and error messages. */
export interface Transition {
  target: State;
  kind: 'next' | 'choice' | 'default' | 'catch';
  label?: string;
}

export interface RenderContext {
  /** Renders a branch or item processor as a nested `{ StartAt, States }`. */
  renderGraph(start: State, scope: string): JsonObject;
}

export abstract class State implements IChainable {
  abstract readonly type: 'Pass' | 'Task' | 'Wait' | 'Choice' | 'Parallel' | 'Map' | 'Succeed' | 'Fail';
  /** States that transition here; lets the builder find, and report, states not reachable from the start. */
  readonly incoming = new Set<State>();

  protected constructor(
    readonly name: string,
    readonly comment?: string,
  ) {
    if (name.length === 0 || name.length > 80) throw new Error(`State name '${name}' must be 1 to 80 characters long`);
  }

  get startState(): State {
    return this;
  }

  abstract get endStates(): readonly INextable[];

  /** Outgoing transitions within this state's graph, in definition order. */
  abstract transitions(): Transition[];

  /** Nested graphs (Parallel branches, Map item processor). */
  subgraphs(): { label: string; start: State }[] {
    return [];
  }

  /** IAM permissions the state machine role needs to run this state. */
  permissions(): Permission[] {
    return [];
  }

  abstract toJson(ctx: RenderContext): JsonObject;

  protected link(target: State): void {
    target.incoming.add(this);
  }
}

