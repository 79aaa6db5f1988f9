/**
 * Binds a graph of states into a definition: collects every state (including ones linked into
 * the graph but not reachable from the start, which are kept and reported rather than dropped),
 * renders deterministic ASL, validates it, and derives the role's permissions.
 */
import type { Duration } from './duration.ts';
import { compact, stableStringify, type JsonObject } from './json.ts';
import { mergePermissions, type Permission } from './permissions.ts';
import { UnknownArnPrefix } from './integrations/resource-ref.ts';
import type { IChainable, RenderContext, State } from './state.ts';
import { AslValidationError, definitionProblems } from './validate.ts';

export interface StateMachineProps {
  startWith: IChainable;
  comment?: string;
  /** The execution's overall limit (TimeoutSeconds). */
  timeout?: Duration;
}

export interface GraphScope {
  label: string;
  states: State[];
}

export class StateMachineDefinition {
  readonly definition: JsonObject;
  /** Every scope (the top level, then each branch and item processor) with its states in definition order. */
  readonly scopes: GraphScope[] = [];

  constructor(readonly props: StateMachineProps) {
    const owner = new Map<string, { state: State; scope: string }>();
    const problems: string[] = [];
    const ctx: RenderContext = {
      renderGraph: (start, label) => this.renderScope(start, label, owner, problems, ctx),
    };
    const graph = this.renderScope(props.startWith.startState, 'the top level', owner, problems, ctx);
    this.definition = compact({
      Comment: props.comment,
      StartAt: graph.StartAt,
      TimeoutSeconds: props.timeout?.toSeconds(),
      States: graph.States,
    });
    problems.push(...definitionProblems(this.definition));
    if (problems.length > 0) throw new AslValidationError([...new Set(problems)]);
  }

  /** The ASL JSON text: same graph, same bytes. */
  render(): string {
    return stableStringify(this.definition);
  }

  states(): State[] {
    return this.scopes.flatMap((s) => s.states);
  }

  /** IAM statements the state machine role needs, merged and sorted. */
  permissions(): Permission[] {
    const all: Permission[] = [];
    for (const state of this.states()) {
      for (const p of state.permissions()) {
        for (const r of p.resources) {
          if (r.startsWith(UnknownArnPrefix)) {
            throw new Error(`State '${state.name}' names '${r.slice(UnknownArnPrefix.length)}' without an ARN; pass { name/url, arn } so its permission can be derived`);
          }
          if (!r.startsWith('arn:')) throw new Error(`State '${state.name}' refers to '${r}', which is not an ARN; pass the ARN so its permission can be derived`);
        }
        all.push(p);
      }
    }
    return mergePermissions(all);
  }

  private renderScope(
    start: State,
    label: string,
    owner: Map<string, { state: State; scope: string }>,
    problems: string[],
    ctx: RenderContext,
  ): JsonObject {
    const states = collect(start);
    this.scopes.push({ label, states });
    const rendered: JsonObject = {};
    for (const state of states) {
      const previous = owner.get(state.name);
      if (previous && previous.state !== state) {
        problems.push(
          previous.scope === label
            ? `State name '${state.name}' is used by two different states in ${label}; names must be unique in the whole state machine`
            : `State name '${state.name}' occurs in both ${previous.scope} and ${label}; names must be unique in the whole state machine`,
        );
        continue;
      }
      if (previous && previous.state === state && previous.scope !== label) {
        problems.push(`State '${state.name}' belongs to ${previous.scope} but is also linked from ${label}; a branch cannot jump out of its own graph`);
        continue;
      }
      owner.set(state.name, { state, scope: label });
      rendered[state.name] = state.toJson(ctx);
    }
    return { StartAt: start.name, States: rendered };
  }
}

export function buildStateMachine(props: StateMachineProps): StateMachineDefinition {
  return new StateMachineDefinition(props);
}

/**
 * States reachable from `start` (main path first, catch targets after), then states that point into them but are
 * not reachable (so the validator can report them), with whatever those reach.
 */
function collect(start: State): State[] {
  const found = new Set<State>();
  // Depth-first along Next and Choice edges so the main path reads top to bottom; catch targets
  // (usually the failure path) come after.
  const forward = (from: State) => {
    const deferred: State[] = [];
    const visit = (state: State) => {
      if (found.has(state)) return;
      found.add(state);
      for (const t of state.transitions()) {
        if (t.kind === 'catch') deferred.push(t.target);
        else visit(t.target);
      }
    };
    visit(from);
    while (deferred.length > 0) visit(deferred.shift() as State);
  };
  forward(start);
  let grew = true;
  while (grew) {
    grew = false;
    for (const state of [...found]) {
      for (const from of state.incoming) {
        if (!found.has(from)) {
          forward(from);
          grew = true;
        }
      }
    }
  }
  return [...found];
}
