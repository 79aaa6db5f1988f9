/**
 * The interpreter: walks one execution's states, applies the data-flow pipeline, Retry and Catch,
 * writes history and (when persistent) a checkpoint of each branch after every transition.
 * Pass, Choice, Wait, Succeed and Fail live here; Task, Parallel and Map in their own files.
 */
import type { CheckpointStore, FrameCheckpoint } from './checkpoint-store.ts';
import type { CompiledMachine, CompiledState, Graph, Retrier } from './definition.ts';
import { parseTimestamp } from './choice.ts';
import { applyResultPath, effectiveInput, NOT_TRUNCATED, serialise, stateOutput } from './data-flow.ts';
import { Interrupted, type Execution } from './execution.ts';
import type { Interrupt } from './interrupt.ts';
import { runMap, runParallel } from './branches.ts';
import { LazyValue, NOT_FOUND, type PathScope } from './paths.ts';
import type { Template } from './payload-template.ts';
import { errorMatches, States, StatesError, toStatesError } from './states-error.ts';
import { runTask } from './task-state.ts';
import type { TaskTokens } from './task-tokens.ts';
import type { Clock } from './types.ts';

export interface RunEnv {
  clock: Clock;
  tokens: TaskTokens;
  store: CheckpointStore;
  /** False without a dataDir: checkpoints are skipped entirely. */
  persist: boolean;
  random: () => number;
  region: string;
  machine: { arn: string; name: string; compiled: CompiledMachine };
  roleArn: string;
}

/** One running branch: the root of the execution, a Parallel branch or a Map iteration. */
export interface Frame {
  id: string;
  vars: Record<string, unknown>;
  lastEventId: number;
  /** Interrupted when the execution stops or times out, or a sibling branch fails. */
  interrupt: Interrupt;
}

/** A state being executed. */
export interface StateRun {
  state: CompiledState;
  rawInput: unknown;
  frame: Frame;
  enteredEventId: number;
  enteredTime: number;
  /** Set when this state is continued from a checkpoint rather than entered afresh. */
  resumed?: FrameCheckpoint;
  /** The context object built for this state (per retry count), reused by its templates. */
  contextCache?: { retryCount: number; value: Record<string, unknown> };
}

interface Transition {
  output: unknown;
  /** undefined ends the branch. */
  next?: string;
  /** Values this state's Assign (or its Catcher's, or its Choice rule's) sets. */
  assigned?: Record<string, unknown>;
}

const ASYNC_STATES: ReadonlySet<string> = new Set(['Task', 'Wait', 'Parallel', 'Map']);

export class Runner {
  private readonly execContext: Record<string, unknown>;
  private readonly machineContext: Record<string, unknown>;
  /** What a TaskRequest says about its execution; one object per execution. */
  readonly executionRef: { arn: string; name: string; stateMachineArn: string };

  constructor(
    readonly env: RunEnv,
    readonly exec: Execution,
    /** Checkpointed frames to continue from (empty for a fresh execution); consumed as used. */
    private readonly resumeFrames: Map<string, FrameCheckpoint> = new Map(),
  ) {
    const d = exec.desc;
    this.execContext = {
      Id: d.executionArn,
      Input: exec.inputValue,
      Name: d.name,
      RoleArn: env.roleArn,
      StartTime: d.startDate.toISOString(),
      RedriveCount: 0,
    };
    this.machineContext = { Id: env.machine.arn, Name: env.machine.name };
    this.executionRef = Object.freeze({ arn: d.executionArn, name: d.name, stateMachineArn: d.stateMachineArn });
  }

  /** Whether a checkpoint exists for this frame (a resumed branch does not record its start again). */
  hasResume(frameId: string): boolean {
    return this.resumeFrames.has(frameId);
  }

  /** The output of a branch that had already finished before a restart, consuming its checkpoint. */
  takeFinished(frameId: string): { output: unknown } | undefined {
    const cp = this.resumeFrames.get(frameId);
    if (!cp?.done) return undefined;
    this.resumeFrames.delete(frameId);
    return cp.done;
  }

  get clock(): Clock {
    return this.env.clock;
  }

  /** Runs the execution to its end and records how it ended. Never rejects. */
  async run(): Promise<void> {
    const exec = this.exec;
    const root: Frame = { id: 'root', vars: {}, lastEventId: exec.lastEventId, interrupt: exec.interrupt };
    try {
      const out = await this.runGraph(this.env.machine.compiled, exec.inputValue, root);
      if (!exec.running) return;
      const text = serialise(out, 'execution output');
      exec.addEvent('ExecutionSucceeded', root.lastEventId, { executionSucceededEventDetails: { output: text, outputDetails: { truncated: false } } });
      exec.close('SUCCEEDED', { output: text });
    } catch (err) {
      if (!exec.running || err instanceof Interrupted) return;
      const se = toStatesError(err);
      exec.addEvent('ExecutionFailed', root.lastEventId, { executionFailedEventDetails: { error: se.error, cause: se.causeText } });
      exec.close('FAILED', { error: se.error, cause: se.causeText });
    }
  }

  /** Runs a graph (the machine, a branch or an iteration) from StartAt, or from its checkpoint. */
  async runGraph(graph: Graph, input: unknown, frame: Frame): Promise<unknown> {
    let cp = this.resumeFrames.get(frame.id);
    if (cp) {
      this.resumeFrames.delete(frame.id);
      if (cp.done) return cp.done.output;
      frame.vars = cp.vars;
      frame.lastEventId = cp.lastEventId;
    }
    let name = cp ? cp.state : graph.startAt;
    let rawInput = cp ? cp.input : input;
    // The previous state's output text is the next state's input text: serialise once.
    let rawText: string | undefined;
    for (;;) {
      if (frame.interrupt.aborted) throw frame.interrupt.reason;
      const state = graph.states.get(name)!;
      let run: StateRun;
      if (cp) {
        run = { state, rawInput, frame, enteredEventId: cp.enteredEventId, enteredTime: cp.enteredTime, resumed: cp };
        cp = undefined;
      } else {
        const enteredTime = this.clock.now();
        const id = this.exec.addDetail(state.enteredEvent, frame.lastEventId, 'stateEnteredEventDetails', {
          name,
          input: rawText ?? serialise(rawInput, `input of state '${name}'`),
          inputDetails: NOT_TRUNCATED,
        });
        frame.lastEventId = id;
        run = { state, rawInput, frame, enteredEventId: id, enteredTime };
        this.checkpoint(run);
      }
      let t: Transition;
      try {
        // Pass, Choice, Succeed and Fail complete synchronously: no promise per state for them.
        t = ASYNC_STATES.has(state.type) ? await this.executeAsync(run) : this.executeSync(run);
      } catch (err) {
        if (err instanceof Interrupted || frame.interrupt.aborted) throw frame.interrupt.reason ?? err;
        t = this.catchError(run, toStatesError(err));
      }
      rawText = serialise(t.output, `output of state '${name}'`);
      const exited: Record<string, unknown> = { name, output: rawText, outputDetails: NOT_TRUNCATED };
      if (t.assigned) {
        frame.vars = { ...frame.vars, ...t.assigned };
        // As AWS records them: each value as JSON text.
        const shown: Record<string, string> = {};
        for (const [k, v] of Object.entries(t.assigned)) shown[k] = JSON.stringify(v);
        exited.assignedVariables = shown;
        exited.assignedVariablesDetails = NOT_TRUNCATED;
      }
      frame.lastEventId = this.exec.addDetail(state.exitedEvent, frame.lastEventId, 'stateExitedEventDetails', exited);
      if (t.next === undefined) return t.output;
      name = t.next;
      rawInput = t.output;
    }
  }

  /** Routes an error to the first matching Catcher, or rethrows it to the enclosing branch. */
  private catchError(run: StateRun, se: StatesError): Transition {
    const catcher = run.state.catch.find((c) => errorMatches(c.errorEquals, se.error));
    if (!catcher) throw se;
    const errorOutput = se.toErrorOutput();
    const assigned = catcher.assign ? this.assign(catcher.assign, errorOutput, run, 0) : undefined;
    const output = applyResultPath(run.state.name, catcher.resultPath, run.rawInput, errorOutput);
    return { output, next: catcher.next, assigned };
  }

  /** The context object ($$) as a state sees it. */
  context(run: StateRun, retryCount: number, extra?: Record<string, unknown>): Record<string, unknown> {
    const cached = run.contextCache;
    let base: Record<string, unknown>;
    if (cached && cached.retryCount === retryCount) base = cached.value;
    else {
      base = {
        Execution: this.execContext,
        State: { Name: run.state.name, EnteredTime: new Date(run.enteredTime).toISOString(), RetryCount: retryCount },
        StateMachine: this.machineContext,
      };
      run.contextCache = { retryCount, value: base };
    }
    return extra ? { ...base, ...extra } : base;
  }

  scope(input: unknown, run: StateRun, retryCount: number, extra?: Record<string, unknown>): PathScope {
    return { input, context: new LazyContext(this, run, retryCount, extra), vars: run.frame.vars };
  }

  /**
   * Evaluates an Assign block. Every value sees the variables as they were when the state started
   * (assignments in one block do not see each other), and `$` is what the caller passes: the result
   * for Task/Parallel/Map/Pass, the effective input for Choice/Wait, the error output for a Catcher.
   */
  assign(tpl: Template, dollar: unknown, run: StateRun, retryCount: number): Record<string, unknown> {
    return tpl(this.scope(dollar, run, retryCount)) as Record<string, unknown>;
  }

  checkpoint(run: StateRun, extra?: Partial<FrameCheckpoint>): void {
    if (!this.env.persist) return;
    const cp: FrameCheckpoint = {
      state: run.state.name,
      input: run.rawInput,
      vars: run.frame.vars,
      enteredEventId: run.enteredEventId,
      enteredTime: run.enteredTime,
      lastEventId: run.frame.lastEventId,
      ...extra,
    };
    this.env.store.saveFrame(this.exec.arn, run.frame.id, cp);
  }

  /** Records that a child branch finished, so a resumed Parallel/Map does not run it again. */
  checkpointDone(frameId: string, output: unknown, lastEventId: number): void {
    if (!this.env.persist) return;
    this.env.store.saveFrame(this.exec.arn, frameId, { state: '', input: null, vars: {}, enteredEventId: 0, enteredTime: 0, lastEventId, done: { output } });
  }

  dropChildFrames(run: StateRun): void {
    if (this.env.persist) this.env.store.deleteFrames(this.exec.arn, `${run.frame.id}/${run.enteredEventId}`);
  }

  /**
   * Runs `attempt` under the state's Retry policy: the first Retrier whose ErrorEquals matches
   * decides; once its MaxAttempts are used up the error goes on to Catch.
   */
  /**
   * Runs one attempt of a Task, Parallel or Map under the state's Retry policy: the first Retrier
   * whose ErrorEquals matches decides; once its MaxAttempts are used up the error goes on to Catch.
   */
  async withRetry(run: StateRun): Promise<unknown> {
    const retriers = run.state.retry;
    if (retriers.length === 0) return this.attempt(run, 0);
    let counts = run.resumed?.retryCounts?.slice();
    let retryCount = counts ? counts.reduce((a, b) => a + b, 0) : 0;
    if (run.resumed?.sleepUntil !== undefined) {
      await this.clock.sleep(Math.max(0, run.resumed.sleepUntil - this.clock.now()), run.frame.interrupt.signal);
      run.resumed = undefined;
    }
    for (;;) {
      try {
        return await this.attempt(run, retryCount);
      } catch (err) {
        if (err instanceof Interrupted || run.frame.interrupt.aborted) throw err;
        const se = toStatesError(err);
        const i = retriers.findIndex((r) => errorMatches(r.errorEquals, se.error));
        if (i < 0) throw se;
        const r = retriers[i]!;
        counts ??= retriers.map(() => 0);
        if (counts[i]! >= r.maxAttempts) throw se;
        const delayMs = retryDelayMs(r, counts[i]!, this.env.random);
        counts[i]!++;
        retryCount++;
        run.resumed = undefined;
        const until = this.clock.now() + delayMs;
        this.checkpoint(run, { retryCounts: counts, sleepUntil: until });
        await this.clock.sleep(delayMs, run.frame.interrupt.signal);
      }
    }
  }

  private attempt(run: StateRun, retryCount: number): Promise<unknown> {
    const state = run.state;
    if (state.type === 'Task') return runTask(this, run, retryCount);
    if (state.type === 'Parallel') return runParallel(this, run, state, retryCount);
    if (state.type === 'Map') return runMap(this, run, state, retryCount);
    throw new Error(`state type ${state.type} has no attempts`);
  }

  private executeSync(run: StateRun): Transition {
    const { state, rawInput } = run;
    switch (state.type) {
      case 'Pass': {
        const eff = effectiveInput(state, rawInput);
        const result = state.hasResult ? state.result : state.parameters ? state.parameters(this.scope(eff, run, 0)) : eff;
        const assigned = state.assign ? this.assign(state.assign, result, run, 0) : undefined;
        return { output: stateOutput(state, applyResultPath(state.name, state.resultPath, rawInput, result)), next: state.next, assigned };
      }
      case 'Succeed':
        return { output: stateOutput(state, effectiveInput(state, rawInput)) };
      case 'Fail': {
        const eff = effectiveInput(state, rawInput);
        const scope = this.scope(eff, run, 0);
        const error = state.errorPath ? stringOf(state.errorPath(scope), 'ErrorPath', state.name) : state.error;
        const cause = state.causePath ? stringOf(state.causePath(scope), 'CausePath', state.name) : state.cause;
        throw new StatesError(error ?? '', cause ?? '');
      }
      case 'Choice': {
        const eff = effectiveInput(state, rawInput);
        const scope = this.scope(eff, run, 0);
        const match = state.choices.find((c) => c.test(scope));
        const next = match?.next ?? state.default;
        if (next === undefined) throw new StatesError(States.NoChoiceMatched, `No Choice rule in state '${state.name}' matched the input and there is no Default`);
        let assigned = state.assign ? this.assign(state.assign, eff, run, 0) : undefined;
        if (match?.assign) assigned = { ...assigned, ...this.assign(match.assign, eff, run, 0) };
        return { output: stateOutput(state, eff), next, assigned };
      }
      default:
        throw new Error(`state type ${state.type} is asynchronous`);
    }
  }

  private async executeAsync(run: StateRun): Promise<Transition> {
    const { state, rawInput } = run;
    switch (state.type) {
      case 'Wait': {
        const eff = effectiveInput(state, rawInput);
        const until = run.resumed?.sleepUntil ?? this.waitUntil(run, eff);
        if (!run.resumed) this.checkpoint(run, { sleepUntil: until });
        await this.clock.sleep(Math.max(0, until - this.clock.now()), run.frame.interrupt.signal);
        const assigned = state.assign ? this.assign(state.assign, eff, run, 0) : undefined;
        return { output: stateOutput(state, eff), next: state.next, assigned };
      }
      case 'Task': {
        const result = await this.withRetry(run);
        const assigned = state.assign ? this.assign(state.assign, result, run, 0) : undefined;
        return { output: stateOutput(state, applyResultPath(state.name, state.resultPath, rawInput, result)), next: state.next, assigned };
      }
      case 'Parallel':
      case 'Map': {
        const result = await this.withRetry(run);
        const assigned = state.assign ? this.assign(state.assign, result, run, 0) : undefined;
        return { output: stateOutput(state, applyResultPath(state.name, state.resultPath, rawInput, result)), next: state.next, assigned };
      }
      default:
        return this.executeSync(run);
    }
  }

  private waitUntil(run: StateRun, eff: unknown): number {
    const s = run.state;
    if (s.type !== 'Wait') throw new Error('not a Wait state');
    if (s.seconds !== undefined) return run.enteredTime + s.seconds * 1000;
    if (s.timestamp !== undefined) return Date.parse(s.timestamp);
    const scope = this.scope(eff, run, 0);
    if (s.secondsPath) {
      const v = s.secondsPath.get(scope);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new StatesError(States.Runtime, `The SecondsPath '${s.secondsPath.text}' of state '${s.name}' must select a non-negative integer, got ${v === NOT_FOUND ? 'nothing' : JSON.stringify(v)}`);
      return run.enteredTime + v * 1000;
    }
    const v = s.timestampPath!.get(scope);
    const t = parseTimestamp(v);
    if (t === undefined)
      throw new StatesError(States.Runtime, `The TimestampPath '${s.timestampPath!.text}' of state '${s.name}' must select an ISO 8601 timestamp, got ${v === NOT_FOUND ? 'nothing' : JSON.stringify(v)}`);
    return t;
  }
}

/** The context object of one scope, built on first read of `$$`. */
class LazyContext extends LazyValue {
  private built: Record<string, unknown> | undefined;

  constructor(
    private readonly runner: Runner,
    private readonly run: StateRun,
    private readonly retryCount: number,
    private readonly extra: Record<string, unknown> | undefined,
  ) {
    super();
  }

  value(): Record<string, unknown> {
    return (this.built ??= this.runner.context(this.run, this.retryCount, this.extra));
  }
}

/** Retry interval for attempt n (0-based): IntervalSeconds x BackoffRate^n, capped, optionally fully jittered. */
export function retryDelayMs(r: Retrier, attempt: number, random: () => number): number {
  let seconds = r.intervalSeconds * Math.pow(r.backoffRate, attempt);
  if (r.maxDelaySeconds !== undefined) seconds = Math.min(seconds, r.maxDelaySeconds);
  if (r.jitter === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}

function stringOf(v: unknown, field: string, stateName: string): string {
  if (typeof v !== 'string') throw new StatesError(States.Runtime, `${field} of state '${stateName}' must select a string, got ${JSON.stringify(v)}`);
  return v;
}
