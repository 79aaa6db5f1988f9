/**
 * Builds the TaskRequest the engine hands an integration, so the integrations can be exercised
 * directly against the real local servers.
 */
import type { Clock, TaskRequest } from '../../local/engine/types.ts';

/** Wall-clock time; holds are irrelevant to it. */
export const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    }),
  hold: () => () => undefined,
};

export function taskRequest(resource: string, parameters: unknown, extra: Partial<TaskRequest> = {}): TaskRequest {
  return {
    resource,
    parameters,
    execution: {
      arn: 'arn:aws:states:us-east-1:000000000000:execution:TestMachine:run-1',
      name: 'run-1',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:TestMachine',
    },
    stateName: 'TestState',
    signal: new AbortController().signal,
    clock: wallClock,
    ...extra,
  };
}
