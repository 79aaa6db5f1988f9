/**
 * Parallel and (inline) Map: child branches run concurrently, each in its own frame with a copy of
 * the enclosing variables (a branch reads outer variables; what it assigns stays inside it). The
 * first failure stops the siblings and becomes the state's error, as in AWS.
 */
import type { MapState, ParallelState } from './definition.ts';
import { effectiveInput } from './data-flow.ts';
import { Interrupted } from './execution.ts';
import { Interrupt } from './interrupt.ts';
import { NOT_FOUND, type CompiledPath } from './paths.ts';
import type { Frame, Runner, StateRun } from './runner.ts';
import { States, StatesError, toStatesError } from './states-error.ts';

/** Each branch gets its own Interrupt under the state's, so one failing branch can stop its siblings. */
function childFrame(run: StateRun, index: number, startedEventId: number, parent: Interrupt): Frame {
  return { id: `${run.frame.id}/${run.enteredEventId}.${index}`, vars: { ...run.frame.vars }, lastEventId: startedEventId, interrupt: new Interrupt(parent) };
}

export async function runParallel(runner: Runner, run: StateRun, state: ParallelState, retryCount: number): Promise<unknown> {
  const { exec } = runner;
  const eff = effectiveInput(state, run.rawInput);
  const input = state.parameters ? state.parameters(runner.scope(eff, run, retryCount)) : eff;
  const startedId = exec.addEvent('ParallelStateStarted', run.frame.lastEventId);
  run.frame.lastEventId = startedId;
  const group = new Interrupt(run.frame.interrupt);
  let lastChildEvent = startedId;
  try {
    const outputs = await firstFailure(
      state.branches.map(async (graph, i) => {
        const frame = childFrame(run, i, startedId, group);
        const out = await runner.runGraph(graph, input, frame).finally(() => frame.interrupt.dispose());
        lastChildEvent = Math.max(lastChildEvent, frame.lastEventId);
        runner.checkpointDone(frame.id, out, frame.lastEventId);
        return out;
      }),
      group,
    );
    run.frame.lastEventId = exec.addEvent('ParallelStateSucceeded', lastChildEvent);
    runner.dropChildFrames(run);
    return state.resultSelector ? state.resultSelector(runner.scope(outputs, run, retryCount)) : outputs;
  } catch (err) {
    if (run.frame.interrupt.aborted) throw err;
    run.frame.lastEventId = exec.addEvent('ParallelStateFailed', run.frame.lastEventId);
    runner.dropChildFrames(run);
    throw err;
  } finally {
    group.dispose();
  }
}

function intFrom(fixed: number | undefined, path: CompiledPath | undefined, input: unknown, field: string, stateName: string): number | undefined {
  if (!path) return fixed;
  const v = path.get({ input, context: undefined, vars: {} });
  if (typeof v !== 'number' || v < 0)
    throw new StatesError(States.Runtime, `${field} '${path.text}' of state '${stateName}' must select a non-negative number, got ${v === NOT_FOUND ? 'nothing' : JSON.stringify(v)}`);
  return v;
}

export async function runMap(runner: Runner, run: StateRun, state: MapState, retryCount: number): Promise<unknown> {
  const { exec } = runner;
  const eff = effectiveInput(state, run.rawInput);
  const items = state.itemsPath ? state.itemsPath.get(runner.scope(eff, run, retryCount)) : eff;
  if (!Array.isArray(items))
    throw new StatesError(
      States.Runtime,
      `The ItemsPath '${state.itemsPath?.text ?? '$'}' of Map state '${state.name}' must select an array, got ${items === NOT_FOUND ? 'nothing' : JSON.stringify(items)?.slice(0, 200)}`,
    );
  const maxConcurrency = intFrom(state.maxConcurrency, state.maxConcurrencyPath, eff, 'MaxConcurrencyPath', state.name) ?? 0;
  const toleratedCount = intFrom(state.toleratedFailureCount, state.toleratedFailureCountPath, eff, 'ToleratedFailureCountPath', state.name);
  const toleratedPct = intFrom(state.toleratedFailurePercentage, state.toleratedFailurePercentagePath, eff, 'ToleratedFailurePercentagePath', state.name);
  const tolerant = toleratedCount !== undefined || toleratedPct !== undefined;
  const allowedFailures = Math.min(
    toleratedCount ?? Number.POSITIVE_INFINITY,
    toleratedPct !== undefined ? Math.floor((toleratedPct / 100) * items.length) : Number.POSITIVE_INFINITY,
  );

  const startedId = exec.addEvent('MapStateStarted', run.frame.lastEventId, { mapStateStartedEventDetails: { length: items.length } });
  run.frame.lastEventId = startedId;
  const group = new Interrupt(run.frame.interrupt);
  const outputs: unknown[] = new Array(items.length);
  let failures = 0;
  let lastChildEvent = startedId;

  const iterate = async (index: number): Promise<void> => {
    const value = items[index];
    const frame = childFrame(run, index, startedId, group);
    const finished = runner.takeFinished(frame.id);
    if (finished) {
      outputs[index] = finished.output;
      frame.interrupt.dispose();
      return;
    }
    const resumed = runner.hasResume(frame.id);
    if (!resumed) frame.lastEventId = exec.addEvent('MapIterationStarted', startedId, { mapIterationStartedEventDetails: { name: state.name, index } });
    const input = state.itemSelector ? state.itemSelector(runner.scope(eff, run, retryCount, { Map: { Item: { Index: index, Value: value } } })) : value;
    try {
      const out = await runner.runGraph(state.processor, input, frame);
      outputs[index] = out;
      frame.lastEventId = exec.addEvent('MapIterationSucceeded', frame.lastEventId, { mapIterationSucceededEventDetails: { name: state.name, index } });
      runner.checkpointDone(frame.id, out, frame.lastEventId);
    } catch (err) {
      if (group.aborted || err instanceof Interrupted) throw err;
      const se = toStatesError(err);
      frame.lastEventId = exec.addEvent('MapIterationFailed', frame.lastEventId, { mapIterationFailedEventDetails: { name: state.name, index } });
      failures++;
      if (!tolerant || failures > allowedFailures) {
        throw tolerant
          ? new StatesError(States.ExceedToleratedFailureThreshold, `Map state '${state.name}' had ${failures} failed iterations, more than the ${allowedFailures} tolerated; last: ${se.error}: ${se.causeText}`)
          : se;
      }
      outputs[index] = se.toErrorOutput();
    } finally {
      lastChildEvent = Math.max(lastChildEvent, frame.lastEventId);
      frame.interrupt.dispose();
    }
  };

  try {
    const limit = maxConcurrency > 0 ? maxConcurrency : items.length;
    let nextIndex = 0;
    const worker = async (): Promise<void> => {
      while (nextIndex < items.length && !group.aborted) await iterate(nextIndex++);
    };
    await firstFailure(Array.from({ length: Math.min(limit, items.length) }, worker), group);
    run.frame.lastEventId = exec.addEvent('MapStateSucceeded', lastChildEvent);
    runner.dropChildFrames(run);
    return state.resultSelector ? state.resultSelector(runner.scope(outputs, run, retryCount)) : outputs;
  } catch (err) {
    if (run.frame.interrupt.aborted) throw err;
    run.frame.lastEventId = exec.addEvent('MapStateFailed', lastChildEvent);
    runner.dropChildFrames(run);
    throw err;
  } finally {
    group.dispose();
  }
}

/** Like Promise.all, but the first rejection aborts the siblings and wins over their interruptions. */
function firstFailure<T>(tasks: Promise<T>[], group: Interrupt): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const results: T[] = new Array(tasks.length);
    let pending = tasks.length;
    let failed = false;
    if (pending === 0) resolve(results);
    tasks.forEach((t, i) => {
      t.then(
        (v) => {
          results[i] = v;
          if (--pending === 0 && !failed) resolve(results);
        },
        (err: unknown) => {
          if (failed) return;
          failed = true;
          group.fire(new Interrupted('a sibling branch failed'));
          reject(err);
        },
      );
    });
  });
}
