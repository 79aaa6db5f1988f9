/**
 * One attempt of a Task state: Parameters, the handler call (request-response or waitForTaskToken),
 * TimeoutSeconds / HeartbeatSeconds on the engine's clock, ResultSelector, and the Task* (or, for a
 * bare Lambda ARN, LambdaFunction*) history events AWS records.
 */
import type { TaskState } from './definition.ts';
import { effectiveInput, NOT_TRUNCATED, serialise } from './data-flow.ts';
import { Interrupted } from './execution.ts';
import { Interrupt, type InterruptListener } from './interrupt.ts';
import { NOT_FOUND, type CompiledPath, type PathScope } from './paths.ts';
import type { Runner, StateRun } from './runner.ts';
import { States, StatesError, toStatesError } from './states-error.ts';
import type { TokenOutcome } from './task-tokens.ts';
import type { Clock, TaskRequest } from './types.ts';

interface EventNames {
  scheduled: string;
  started: string;
  submitted: string;
  succeeded: string;
  failed: string;
  timedOut: string;
  /** Detail key prefix, e.g. task -> taskScheduledEventDetails. */
  prefix: 'task' | 'lambdaFunction';
}

const TASK_EVENTS: EventNames = {
  scheduled: 'TaskScheduled',
  started: 'TaskStarted',
  submitted: 'TaskSubmitted',
  succeeded: 'TaskSucceeded',
  failed: 'TaskFailed',
  timedOut: 'TaskTimedOut',
  prefix: 'task',
};
const LAMBDA_EVENTS: EventNames = {
  scheduled: 'LambdaFunctionScheduled',
  started: 'LambdaFunctionStarted',
  submitted: 'TaskSubmitted',
  succeeded: 'LambdaFunctionSucceeded',
  failed: 'LambdaFunctionFailed',
  timedOut: 'LambdaFunctionTimedOut',
  prefix: 'lambdaFunction',
};

class TaskTimeout extends StatesError {}

const DETAIL_KEYS: Record<'task' | 'lambdaFunction', Record<string, string>> = {
  task: Object.fromEntries(['Scheduled', 'Started', 'Succeeded', 'Failed', 'TimedOut'].map((k) => [k, `task${k}EventDetails`])),
  lambdaFunction: Object.fromEntries(['Scheduled', 'Started', 'Succeeded', 'Failed', 'TimedOut'].map((k) => [k, `lambdaFunction${k}EventDetails`])),
};

/** A getter that serialises `value` on first read and keeps the text. */
function lazyJson(value: unknown): () => string {
  let text: string | undefined;
  return () => (text ??= JSON.stringify(value ?? null));
}

/** Reason for cancelling a timer that is no longer needed; one instance, as building errors is costly. */
const TIMER_CANCELLED = new Interrupted('timer no longer needed');

function seconds(fixed: number | undefined, path: CompiledPath | undefined, scope: PathScope, field: string, stateName: string): number | undefined {
  if (fixed !== undefined) return fixed;
  if (!path) return undefined;
  const v = path.get(scope);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new StatesError(States.Runtime, `${field} '${path.text}' of state '${stateName}' must select a positive integer, got ${v === NOT_FOUND ? 'nothing' : JSON.stringify(v)}`);
  return v;
}

/**
 * The clock a handler sees. The engine holds the virtual clock while a handler runs (so time does not
 * jump under real I/O), but a handler that sleeps on this clock lets time pass while it sleeps.
 */
class HandlerClock implements Clock {
  private releaseHold: (() => void) | undefined;
  private sleeping = 0;
  private finished = false;

  constructor(private readonly clock: Clock) {
    this.releaseHold = clock.hold();
  }

  now(): number {
    return this.clock.now();
  }

  hold(): () => void {
    return this.clock.hold();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.sleeping++ === 0) this.dropHold();
    try {
      await this.clock.sleep(ms, signal);
    } finally {
      if (--this.sleeping === 0 && !this.finished) this.releaseHold = this.clock.hold();
    }
  }

  /** The handler has returned: time may move again. */
  done(): void {
    this.finished = true;
    this.dropHold();
  }

  private dropHold(): void {
    const r = this.releaseHold;
    this.releaseHold = undefined;
    r?.();
  }
}

/**
 * One attempt of one Task. A class rather than closures: this is the hottest path of the engine and
 * per-call function objects (named by the transpiler) cost more than the work itself.
 */
class TaskAttempt implements InterruptListener {
  private readonly state: TaskState;
  private readonly names: EventNames;
  private token: string | undefined;
  private timeoutAt: number | undefined;
  private heartbeatSeconds: number | undefined;
  /** Own interrupt only when the task can time out; otherwise the frame's is all a handler needs. */
  private own: Interrupt | undefined;
  private interrupt!: Interrupt;
  private timers: AbortController | undefined;
  private heartbeatTimer: AbortController | undefined;
  private settled = false;
  private resolve!: (v: unknown) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly runner: Runner,
    private readonly run: StateRun,
    private readonly retryCount: number,
  ) {
    this.state = run.state as TaskState;
    this.names = this.state.resourceType === 'lambda' && this.state.resourceName.startsWith('arn:') ? LAMBDA_EVENTS : TASK_EVENTS;
  }

  /** Appends `<type>` with its `<prefix><kind>EventDetails`; Task* details also name the resource. */
  private event(type: string, kind: string, body: Record<string, unknown> | undefined): void {
    const frame = this.run.frame;
    const n = this.names;
    if (n.prefix === 'task') {
      const b = body ?? {};
      b.resourceType = this.state.resourceType;
      b.resource = this.state.resourceName;
      frame.lastEventId = this.runner.exec.addDetail(type, frame.lastEventId, DETAIL_KEYS.task[kind], b);
    } else frame.lastEventId = this.runner.exec.addDetail(type, frame.lastEventId, body && DETAIL_KEYS.lambdaFunction[kind], body);
  }

  async execute(): Promise<unknown> {
    const { runner, run, state, names } = this;
    const { exec, env } = runner;
    const clock = env.clock;
    const frame = run.frame;
    const resumedToken = run.resumed?.token;
    run.resumed = undefined;
    const token = state.waitForTaskToken ? (resumedToken?.token ?? env.tokens.issue(exec.arn)) : undefined;
    this.token = token;
    const eff = effectiveInput(state, run.rawInput);
    const scope = runner.scope(eff, run, this.retryCount, token ? { Task: { Token: token } } : undefined);
    const parameters = state.parameters ? state.parameters(scope) : eff;
    const timeoutSeconds = seconds(state.timeoutSeconds, state.timeoutSecondsPath, scope, 'TimeoutSecondsPath', state.name);
    const heartbeatSeconds = seconds(state.heartbeatSeconds, state.heartbeatSecondsPath, scope, 'HeartbeatSecondsPath', state.name);
    this.heartbeatSeconds = heartbeatSeconds;
    const timeoutAt = resumedToken ? resumedToken.timeoutAt : timeoutSeconds !== undefined ? clock.now() + timeoutSeconds * 1000 : undefined;
    this.timeoutAt = timeoutAt;

    if (!resumedToken) {
      // The parameters text is only built when someone reads the history: it is the costliest part of the event.
      const sched: Record<string, unknown> = names.prefix === 'task' ? { region: env.region } : { resource: state.resourceName };
      Object.defineProperty(sched, names.prefix === 'task' ? 'parameters' : 'input', { enumerable: true, get: lazyJson(parameters) });
      if (timeoutSeconds !== undefined) sched.timeoutInSeconds = timeoutSeconds;
      if (heartbeatSeconds !== undefined) sched.heartbeatInSeconds = heartbeatSeconds;
      this.event(names.scheduled, 'Scheduled', sched);
      this.event(names.started, 'Started', names.prefix === 'task' ? {} : undefined);
    }

    if (timeoutAt !== undefined || (heartbeatSeconds !== undefined && token)) this.own = new Interrupt(frame.interrupt);
    this.interrupt = this.own ?? frame.interrupt;

    let result: unknown;
    try {
      result = await new Promise<unknown>((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
        this.start(parameters, resumedToken);
      });
    } catch (err) {
      this.own?.fire(new Interrupted(`task in state '${state.name}' failed or timed out`));
      if (err instanceof Interrupted || frame.interrupt.aborted) throw err;
      const se = toStatesError(err);
      if (se instanceof TaskTimeout) this.event(names.timedOut, 'TimedOut', { error: se.error, cause: se.causeText });
      else this.event(names.failed, 'Failed', { error: se.error, cause: se.causeText });
      throw se;
    } finally {
      this.timers?.abort(TIMER_CANCELLED);
      this.heartbeatTimer?.abort(TIMER_CANCELLED);
      this.own?.dispose();
      this.interrupt.off(this);
      if (token) env.tokens.close(token);
    }

    const output = serialise(result ?? null, `result of state '${state.name}'`);
    this.event(names.succeeded, 'Succeeded', { output, outputDetails: NOT_TRUNCATED });
    return state.resultSelector ? state.resultSelector(runner.scope(result ?? null, run, this.retryCount)) : (result ?? null);
  }

  private start(parameters: unknown, resumedToken: { submitted: boolean } | undefined): void {
    const { runner, run, state, token, timeoutAt, heartbeatSeconds } = this;
    const { exec, env } = runner;
    const clock = env.clock;
    const interrupt = this.interrupt;
    if (interrupt.aborted) return this.finish(false, interrupt.reason);
    interrupt.on(this);
    if (timeoutAt !== undefined) {
      this.timers = new AbortController();
      clock.sleep(Math.max(0, timeoutAt - clock.now()), this.timers.signal).then(
        () => this.finish(false, new TaskTimeout(States.Timeout, `The task in state '${state.name}' did not finish within its TimeoutSeconds`)),
        noop,
      );
    }
    if (token) {
      env.tokens.register(token, {
        executionArn: exec.arn,
        settle: (o: TokenOutcome) => (o.kind === 'success' ? this.finish(true, o.output) : this.finish(false, new StatesError(o.error, o.cause))),
        heartbeat: () => this.armHeartbeat(),
      });
      this.armHeartbeat();
    }
    if (resumedToken?.submitted) return;
    if (token && !resumedToken) runner.checkpoint(run, { token: { token, timeoutAt, heartbeatSeconds, submitted: false } });

    // The handler may act on the world (send the token, write a record): make the checkpoint durable first.
    if (env.persist) env.store.flush();
    const view = new HandlerClock(clock);
    const req: TaskRequest = {
      resource: state.resource,
      pattern: state.waitForTaskToken ? 'waitForTaskToken' : undefined,
      parameters,
      taskToken: token,
      execution: runner.executionRef,
      stateName: state.name,
      signal: interrupt.signal,
      clock: view,
    };
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(state.handler(req));
    } catch (e) {
      call = Promise.reject(e);
    }
    call.then(
      (value) => {
        view.done();
        this.onHandlerValue(value);
      },
      (err: unknown) => {
        view.done();
        this.finish(false, err);
      },
    );
  }

  private finish(ok: boolean, value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (ok) this.resolve(value);
    else this.reject(value);
  }

  private onHandlerValue(value: unknown): void {
    if (this.settled) return;
    const token = this.token;
    if (!token) return this.finish(true, value);
    const { state } = this;
    this.run.frame.lastEventId = this.runner.exec.addDetail(this.names.submitted, this.run.frame.lastEventId, 'taskSubmittedEventDetails', {
      resourceType: state.resourceType,
      resource: state.resourceName,
      output: JSON.stringify(value ?? null),
    });
    this.runner.checkpoint(this.run, { token: { token, timeoutAt: this.timeoutAt, heartbeatSeconds: this.heartbeatSeconds, submitted: true } });
  }

  onInterrupt(reason: unknown): void {
    this.finish(false, reason);
  }

  private armHeartbeat(): void {
    const hb = this.heartbeatSeconds;
    if (hb === undefined || !this.state.waitForTaskToken || this.settled) return;
    this.heartbeatTimer?.abort(TIMER_CANCELLED);
    this.heartbeatTimer = new AbortController();
    this.runner.env.clock.sleep(hb * 1000, this.heartbeatTimer.signal).then(
      () => this.finish(false, new TaskTimeout(States.HeartbeatTimeout, `No heartbeat was received for the task in state '${this.state.name}' within ${hb} seconds`)),
      noop,
    );
  }
}

export function runTask(runner: Runner, run: StateRun, retryCount: number): Promise<unknown> {
  return new TaskAttempt(runner, run, retryCount).execute();
}

function noop(): void {}
