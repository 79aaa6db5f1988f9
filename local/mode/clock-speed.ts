/**
 * How fast local mode may run the workflow's clock. Two things run in real time while the workflow
 * runs on the fast clock: the worker's heartbeats (at least every 3 s of real time, a third of its
 * HEARTBEAT_INTERVAL_SECONDS minimum) and the downloads themselves. A download task waiting in the
 * worker queue sends no heartbeat, so the whole backlog must drain inside one heartbeat window:
 * HeartbeatSeconds / speed real seconds.
 */

/** Downloads the local worker finishes per real second on a 2-core machine (measured: ~20 with 2 slots, tiny WAVs). */
export const LocalDownloadsPerSecond = 20;
export const MaxSpeed = 200;

/** The fastest clock at which the worker can still heartbeat in time (worker minimum: 3 real seconds). */
export function maxSpeedForHeartbeat(heartbeatSeconds: number): number {
  return Math.floor(heartbeatSeconds / 3);
}

/** Default speed for a batch of `calls`: as fast as allowed, slow enough for the download backlog. */
export function defaultSpeed(heartbeatSeconds: number, calls: number): number {
  const backlogBound = Math.floor((heartbeatSeconds * LocalDownloadsPerSecond) / Math.max(1, calls));
  return Math.max(1, Math.min(MaxSpeed, maxSpeedForHeartbeat(heartbeatSeconds), backlogBound));
}
