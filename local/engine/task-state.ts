/**
 * One attempt of a Task state: Parameters, the handler call (request-response or waitForTaskToken),
 * TimeoutSeconds / HeartbeatSeconds on the engine's clock, ResultSelector, and the Task* (or, for a
 * bare Lambda ARN, LambdaFunction*) history events AWS records.
 */
import type { TaskState } from './definition.ts';
import { effectiveInput, serialise } from './data-flow.ts';
import { Interrupted } from './execution.ts';
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
function handlerClock(clock: Clock): { view: Clock; release: () => void } {
  let release: (() => void) | undefined = clock.hold();
  let sleeping = 0;
  let finished = false;
  const view: Clock = {
    now: () => clock.now(),
    hold: () => clock.hold(),
    sleep: async (ms, signal) => {
      if (sleeping++ === 0 && release) {
        release();
        release = undefined;
      }
      try {
        await clock.sleep(ms, signal);
      } finally {
        if (--sleeping === 0 && !finished) release = clock.hold();
      }
    },
  };
  return {
    view,
    release: () => {
      finished = true;
      release?.();
      release = undefined;
    },
  };
}

export async function runTask(runner: Runner, run: StateRun, retryCount: number): Promise<unknown> {
  const state = run.state as TaskState;
  const { exec, env } = runner;
  const clock = env.clock;
  const frame = run.frame;
  const names = state.resourceType === 'lambda' && state.resourceName.startsWith('arn:') ? LAMBDA_EVENTS : TASK_EVENTS;
  const details = (kind: string, body: Record<string, unknown>): Record<string, unknown> => ({
    [`${names.prefix}${kind}EventDetails`]: names.prefix === 'task' ? { resourceType: state.resourceType, resource: state.resourceName, ...body } : { ...body },
  });

  const resumedToken = run.resumed?.token;
  run.resumed = undefined;
  const token = state.waitForTaskToken ? (resumedToken?.token ?? env.tokens.issue(exec.arn)) : undefined;
  const eff = effectiveInput(state, run.rawInput);
  const scope = runner.scope(eff, run, retryCount, token ? { Task: { Token: token } } : undefined);
  const parameters = state.parameters ? state.parameters(scope) : eff;
  const timeoutSeconds = seconds(state.timeoutSeconds, state.timeoutSecondsPath, scope, 'TimeoutSecondsPath', state.name);
  const heartbeatSeconds = seconds(state.heartbeatSeconds, state.heartbeatSecondsPath, scope, 'HeartbeatSecondsPath', state.name);
  const startedAt = clock.now();
  const timeoutAt = resumedToken ? resumedToken.timeoutAt : timeoutSeconds !== undefined ? startedAt + timeoutSeconds * 1000 : undefined;

  if (!resumedToken) {
    const sched: Record<string, unknown> =
      names.prefix === 'task'
        ? { region: env.region, parameters: serialise(parameters, `parameters of state '${state.name}'`) }
        : { resource: state.resourceName, input: serialise(parameters, `input of state '${state.name}'`) };
    if (timeoutSeconds !== undefined) sched.timeoutInSeconds = timeoutSeconds;
    if (heartbeatSeconds !== undefined) sched.heartbeatInSeconds = heartbeatSeconds;
    frame.lastEventId = exec.addEvent(names.scheduled, frame.lastEventId, details('Scheduled', sched));
    frame.lastEventId = exec.addEvent(names.started, frame.lastEventId, names.prefix === 'task' ? details('Started', {}) : {});
  }

  const abort = new AbortController();
  const timers = new AbortController();
  let heartbeatTimer: AbortController | undefined;
  const onFrameAbort = (): void => abort.abort(frame.signal.reason);
  frame.signal.addEventListener('abort', onFrameAbort, { once: true });

  let result: unknown;
  try {
    result = await new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const finish = (ok: boolean, value: unknown): void => {
        if (settled) return;
        settled = true;
        if (ok) resolve(value);
        else reject(value);
      };
      abort.signal.addEventListener('abort', () => finish(false, abort.signal.reason), { once: true });
      if (frame.signal.aborted) return finish(false, frame.signal.reason);

      if (timeoutAt !== undefined)
        clock.sleep(Math.max(0, timeoutAt - clock.now()), timers.signal).then(
          () => finish(false, new TaskTimeout(States.Timeout, `The task in state '${state.name}' did not finish within its TimeoutSeconds`)),
          noop,
        );
      const armHeartbeat = (): void => {
        if (heartbeatSeconds === undefined || !state.waitForTaskToken || settled) return;
        heartbeatTimer?.abort();
        heartbeatTimer = new AbortController();
        clock.sleep(heartbeatSeconds * 1000, heartbeatTimer.signal).then(
          () => finish(false, new TaskTimeout(States.HeartbeatTimeout, `No heartbeat was received for the task in state '${state.name}' within ${heartbeatSeconds} seconds`)),
          noop,
        );
      };

      if (token) {
        env.tokens.register(token, {
          executionArn: exec.arn,
          settle: (o: TokenOutcome) => (o.kind === 'success' ? finish(true, o.output) : finish(false, new StatesError(o.error, o.cause))),
          heartbeat: armHeartbeat,
        });
        armHeartbeat();
      }
      if (resumedToken?.submitted) return;
      if (token && !resumedToken) runner.checkpoint(run, { token: { token, timeoutAt, heartbeatSeconds, submitted: false } });

      const { view, release } = handlerClock(clock);
      const req: TaskRequest = {
        resource: state.resource,
        pattern: state.waitForTaskToken ? 'waitForTaskToken' : undefined,
        parameters,
        taskToken: token,
        execution: { arn: exec.arn, name: exec.desc.name, stateMachineArn: exec.desc.stateMachineArn },
        stateName: state.name,
        signal: abort.signal,
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
          release();
          if (settled) return;
          if (!token) return finish(true, value);
          frame.lastEventId = exec.addEvent(names.submitted, frame.lastEventId, {
            taskSubmittedEventDetails: { resourceType: state.resourceType, resource: state.resourceName, output: JSON.stringify(value ?? null) },
          });
          runner.checkpoint(run, { token: { token, timeoutAt, heartbeatSeconds, submitted: true } });
        },
        (err: unknown) => {
          release();
          finish(false, err);
        },
      );
    });
  } catch (err) {
    if (!abort.signal.aborted) abort.abort(new Interrupted(`task in state '${state.name}' failed or timed out`));
    if (err instanceof Interrupted || frame.signal.aborted) throw err;
    const se = toStatesError(err);
    if (se instanceof TaskTimeout) frame.lastEventId = exec.addEvent(names.timedOut, frame.lastEventId, details('TimedOut', { error: se.error, cause: se.causeText }));
    else frame.lastEventId = exec.addEvent(names.failed, frame.lastEventId, details('Failed', { error: se.error, cause: se.causeText }));
    throw se;
  } finally {
    timers.abort();
    heartbeatTimer?.abort();
    frame.signal.removeEventListener('abort', onFrameAbort);
    if (token) env.tokens.close(token);
  }

  const output = serialise(result ?? null, `result of state '${state.name}'`);
  frame.lastEventId = exec.addEvent(names.succeeded, frame.lastEventId, details('Succeeded', { output, outputDetails: { truncated: false } }));
  return state.resultSelector ? state.resultSelector(runner.scope(result ?? null, run, retryCount)) : (result ?? null);
}

function noop(): void {}
