/**
 * Runs an ASL definition on the project's own Step Functions engine (local/engine) on a virtual
 * clock, with every Task answered by a script keyed by state name. The engine supplies the real
 * semantics (Retry, Catch, Parallel, Wait, TimeoutSeconds/HeartbeatSeconds, task tokens, variables);
 * the script only decides what each integration answers, so a test pins the definition's routing
 * and the parameters it sends without any AWS service.
 */
import { Engine, TaskFailure, VirtualClock, type ExecutionStatus, type HistoryEvent, type TaskRequest } from '../../local/engine/index.ts';

/**
 * What one call of a Task answers. For a `.waitForTaskToken` Task, `result` and `error` are what the
 * worker reports with SendTaskSuccess / SendTaskFailure once the call has been submitted; the two
 * `callback` outcomes let the engine's own timeouts end the task.
 */
export type TaskOutcome =
  | { result: unknown }
  | { error: string; cause?: string }
  /** The worker never reports: HeartbeatSeconds (or TimeoutSeconds) ends the task. */
  | { callback: 'never' }
  /** The worker heartbeats but never finishes: TimeoutSeconds ends the task. */
  | { callback: 'heartbeats-only' };

/** Decides each call's outcome; `call` counts the calls of that state from 1, retry attempts included. */
export type Script = (state: string, call: number, parameters: unknown) => TaskOutcome;

export interface ScriptedRun {
  executionArn: string;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Every state entered, in history order, branch states included. */
  entered: string[];
  /** Parameters each Task was called with, by state name, in call order (retry attempts included). */
  calls: Record<string, unknown[]>;
  /** Task tokens the engine issued, by state name, in call order. */
  taskTokens: Record<string, string[]>;
  history: HistoryEvent[];
  /** Virtual seconds from start to stop. */
  elapsedSeconds: number;
}

export interface ScriptedRunOptions {
  /** Virtual seconds between a `heartbeats-only` worker's heartbeats; keep it below the Task's HeartbeatSeconds. */
  heartbeatEverySeconds?: number;
  /** Virtual start time (epoch ms). */
  startMs?: number;
}

/** Thrown when a script itself breaks, so that a broken script is never mistaken for a routed task failure. */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

/** Errors a script must not fake: the engine raises them from the Task's own timeouts. */
const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

export async function runScripted(definition: object, input: unknown, script: Script, options: ScriptedRunOptions = {}): Promise<ScriptedRun> {
  const clock = new VirtualClock(options.startMs ?? Date.parse('2026-01-01T00:00:00Z'));
  const calls: Record<string, unknown[]> = {};
  const taskTokens: Record<string, string[]> = {};
  const counts = new Map<string, number>();
  const problems: Error[] = [];
  const workers = new AbortController();
  const heartbeatMs = (options.heartbeatEverySeconds ?? 60) * 1000;

  const fail = (err: Error): Error => {
    problems.push(err);
    return err;
  };

  const outcomeOf = (req: TaskRequest): TaskOutcome => {
    const call = (counts.get(req.stateName) ?? 0) + 1;
    counts.set(req.stateName, call);
    (calls[req.stateName] ??= []).push(req.parameters);
    let outcome: TaskOutcome;
    try {
      outcome = script(req.stateName, call, req.parameters);
    } catch (err) {
      throw fail(new ScriptError(`script failed for state '${req.stateName}' call ${call}: ${(err as Error).message}`));
    }
    if ('error' in outcome && TIMEOUT_ERRORS.has(outcome.error))
      throw fail(new ScriptError(`state '${req.stateName}': script a real timeout with { callback: 'never' | 'heartbeats-only' } instead of faking ${outcome.error}`));
    if ('callback' in outcome && !req.taskToken)
      throw fail(new ScriptError(`state '${req.stateName}' is request-response: a callback outcome needs a .waitForTaskToken Task`));
    return outcome;
  };

  const engine = new Engine({
    clock,
    random: () => 0.5,
    resolvers: [
      {
        resolve: () => async (req: TaskRequest) => {
          const outcome = outcomeOf(req);
          if (!req.taskToken) {
            if ('error' in outcome) throw new TaskFailure(outcome.error, outcome.cause ?? '');
            return (outcome as { result: unknown }).result;
          }
          (taskTokens[req.stateName] ??= []).push(req.taskToken);
          respondLater(engine, clock, req.taskToken, outcome, heartbeatMs, workers.signal, fail);
          // What the call itself returned only reaches the history (TaskSubmitted), never the data flow.
          return null;
        },
      },
    ],
  });

  try {
    const sm = engine.createStateMachine({ name: 'scripted', definition: JSON.stringify(definition) });
    const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn, input: JSON.stringify(input) });
    const desc = await engine.waitForExecution(executionArn);
    if (problems.length > 0) throw problems[0];
    const history = engine.getExecutionHistory(executionArn);
    return {
      executionArn,
      status: desc.status,
      output: desc.output === undefined ? undefined : JSON.parse(desc.output),
      error: desc.error,
      cause: desc.cause,
      entered: history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name),
      calls,
      taskTokens,
      history,
      elapsedSeconds: ((desc.stopDate?.getTime() ?? desc.startDate.getTime()) - desc.startDate.getTime()) / 1000,
    };
  } finally {
    workers.abort(new Error('run finished'));
    await engine.close();
  }
}

/**
 * Plays the worker of a `.waitForTaskToken` Task. It reports only after the handler has returned (as a
 * real worker does, after the Lambda queued its message), holding the clock meanwhile so virtual time
 * cannot jump to a heartbeat timeout first.
 */
function respondLater(
  engine: Engine,
  clock: VirtualClock,
  token: string,
  outcome: TaskOutcome,
  heartbeatMs: number,
  stop: AbortSignal,
  fail: (err: Error) => Error,
): void {
  if ('callback' in outcome) {
    if (outcome.callback === 'heartbeats-only') void heartbeatUntilClosed(engine, clock, token, heartbeatMs, stop);
    return;
  }
  const release = clock.hold();
  setImmediate(() => {
    try {
      if ('error' in outcome) engine.sendTaskFailure(token, outcome.error, outcome.cause ?? '');
      else engine.sendTaskSuccess(token, JSON.stringify(outcome.result));
    } catch (err) {
      fail(new ScriptError(`the scripted worker could not report its outcome: ${(err as Error).message}`));
    } finally {
      release();
    }
  });
}

async function heartbeatUntilClosed(engine: Engine, clock: VirtualClock, token: string, everyMs: number, stop: AbortSignal): Promise<void> {
  for (;;) {
    try {
      await clock.sleep(everyMs, stop);
      engine.sendTaskHeartbeat(token);
    } catch {
      // The task timed out or the run finished: the token is closed, as a real worker would find.
      return;
    }
  }
}
