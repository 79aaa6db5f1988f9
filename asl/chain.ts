/**
 * A sequence of states: where it starts and the states its next step attaches to.
 * `a.next(b).next(c)` returns the whole sequence a → b → c, so it can be passed as one
 * branch to Choice.when or Parallel.branch.
 */
import type { IChainable, INextable, State } from './state.ts';

export class Chain implements IChainable {
  private constructor(
    readonly startState: State,
    readonly endStates: readonly INextable[],
  ) {}

  static start(first: IChainable): Chain {
    return new Chain(first.startState, first.endStates);
  }

  /** The sequence `first` then `then`; `first`'s end states are wired to `then`. */
  static sequence(first: IChainable, then: IChainable): Chain {
    for (const end of first.endStates) end.next(then);
    return new Chain(first.startState, then.endStates);
  }

  /** A chain that starts at `start` and continues from the given ends (Choice.afterwards). */
  static custom(start: State, ends: readonly INextable[]): Chain {
    return new Chain(start, ends);
  }

  next(then: IChainable): Chain {
    if (this.endStates.length === 0) {
      throw new Error(`Cannot continue the chain starting at '${this.startState.name}' with '${then.startState.name}': every path of it already ends in a Succeed or Fail state`);
    }
    return Chain.sequence(this, then);
  }
}
