/** The real engine for API tests (no fakes): virtual time, in-memory store unless a dataDir is given. */
import { Engine, VirtualClock } from '../../local/engine/index.ts';
import type { Clock, EngineOptions, StepFunctionsEngine } from '../../local/engine/index.ts';

export function virtualClock(): Clock {
  return new VirtualClock(Date.UTC(2026, 0, 1));
}

export async function createEngine(options: EngineOptions): Promise<StepFunctionsEngine> {
  return new Engine(options);
}
