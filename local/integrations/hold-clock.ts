import type { Clock } from '../engine/types.ts';

/**
 * Runs real work (a handler, a network call) with the clock held, so a virtual clock cannot jump
 * to a timeout or heartbeat deadline while the call is still in flight.
 */
export async function whileHoldingClock<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  const release = clock.hold();
  try {
    return await work();
  } finally {
    release();
  }
}
