/**
 * Test harness: an Engine on a VirtualClock with in-process handlers keyed by Resource, and a
 * helper that runs a definition to the end and returns what the tests look at.
 */
import { Engine, VirtualClock, type EngineOptions, type ExecutionDescription, type HistoryEvent, type TaskHandler } from '../../local/engine/index.ts';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export interface Harness {
  engine: Engine;
  clock: VirtualClock;
  run(definition: object, input?: unknown, name?: string): Promise<RunResult>;
}

export interface RunResult {
  desc: ExecutionDescription;
  output: unknown;
  history: HistoryEvent[];
  /** Names of the states entered, in order. */
  entered: string[];
  /** Virtual seconds from start to stop. */
  elapsedSeconds: number;
}

let machineSeq = 0;

export function harness(handlers: Record<string, TaskHandler> = {}, opts: Partial<EngineOptions> = {}): Harness {
  const clock = (opts.clock as VirtualClock | undefined) ?? new VirtualClock(T0);
  const engine = new Engine({
    clock,
    resolvers: [{ resolve: (r) => handlers[r] }],
    random: opts.random ?? (() => 0.5),
    ...opts,
  });
  return {
    engine,
    clock,
    async run(definition, input = {}, name) {
      const sm = engine.createStateMachine({ name: `m${++machineSeq}`, definition: JSON.stringify(definition) });
      const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name, input: JSON.stringify(input) });
      const desc = await engine.waitForExecution(executionArn);
      return summarise(engine, desc);
    },
  };
}

export function summarise(engine: Engine, desc: ExecutionDescription): RunResult {
  const history = engine.getExecutionHistory(desc.executionArn);
  return {
    desc,
    output: desc.output === undefined ? undefined : JSON.parse(desc.output),
    history,
    entered: enteredStates(history),
    elapsedSeconds: ((desc.stopDate?.getTime() ?? desc.startDate.getTime()) - desc.startDate.getTime()) / 1000,
  };
}

export function enteredStates(history: HistoryEvent[]): string[] {
  return history
    .filter((e) => e.type.endsWith('StateEntered'))
    .map((e) => (e.stateEnteredEventDetails as { name: string }).name);
}

/** A Pass-only machine around one state, for data-flow tests. */
export function single(state: object): object {
  return { StartAt: 'S', States: { S: { ...state, End: true } } };
}

export const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:fn';
