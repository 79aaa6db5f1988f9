/**
 * A sped-up real clock pinned to a fixed origin, so several processes (this one, the engine host,
 * a restarted engine host) agree on the workflow's time. The engine's RealClock starts its origin
 * when constructed, which would move time backwards when chaos restarts the engine.
 */
import type { Clock } from '../engine/types.ts';

const MAX_TIMEOUT_MS = 2_147_483_647;

export class AnchoredClock implements Clock {
  constructor(
    /** Real epoch ms at which clock time equals real time. */
    readonly originMs: number,
    readonly speed: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  }

  now(): number {
    return Math.round(this.originMs + (Date.now() - this.originMs) * this.speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const wakeAt = Date.now() + Math.max(0, ms) / this.speed;
    return new Promise<void>((resolve, reject) => {
      let handle: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        clearTimeout(handle);
        reject(signal!.reason);
      };
      const arm = (): void => {
        const left = wakeAt - Date.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        handle = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }

  /** Real time moves regardless of work in progress: nothing to hold. */
  hold(): () => void {
    return () => undefined;
  }
}
