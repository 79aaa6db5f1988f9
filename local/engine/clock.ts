/**
 * Time sources for the engine. The virtual clock is what makes a six-hour workflow finish in
 * milliseconds: it only moves when every execution is parked on a timer and nobody holds it.
 */
import type { Clock } from './types.ts';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  cancel?: () => void;
}

/** Binary min-heap on (at, seq): equal instants fire in the order they were scheduled, so runs are deterministic. */
class TimerHeap {
  private readonly items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(t: Timer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  remove(t: Timer): void {
    const i = this.items.indexOf(t);
    if (i < 0) return;
    // Rare path (aborts): rebuild rather than maintain positions on the hot path.
    const rest = this.items.splice(i, 1);
    void rest;
    const all = this.items.splice(0);
    for (const x of all) this.push(x);
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/**
 * Discrete-event clock. Sleeping registers a timer; the clock jumps to the earliest timer only after
 * the microtask queue has drained (checked from setImmediate) and no hold() is open, i.e. when every
 * execution is idle on a timer. Timers at the same instant fire together, in scheduling order.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly timers = new TimerHeap();
  private holds = 0;
  private seq = 0;
  private advanceScheduled = false;

  /** @param startMs epoch milliseconds the clock starts at (defaults to the real time now). */
  constructor(startMs: number = Date.now()) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  /** Timers not yet fired (tests and diagnostics). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve };
      if (signal) {
        const onAbort = (): void => {
          this.timers.remove(timer);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.timers.push(timer);
      this.scheduleAdvance();
    });
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) this.scheduleAdvance();
    };
  }

  private scheduleAdvance(): void {
    if (this.advanceScheduled || this.timers.size === 0) return;
    this.advanceScheduled = true;
    setImmediate(this.advance);
  }

  private readonly advance = (): void => {
    this.advanceScheduled = false;
    if (this.holds > 0) return; // the last release reschedules
    const first = this.timers.peek();
    if (!first) return;
    if (first.at > this.time) this.time = first.at;
    const at = first.at;
    while (this.timers.size > 0 && this.timers.peek()!.at === at) this.timers.pop()!.resolve();
    this.scheduleAdvance();
  };
}

/** The longest delay setTimeout accepts; longer sleeps are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Wall-clock time, optionally sped up: `new RealClock(60)` makes a 300 s Wait take 5 s.
 * now() runs `speed` times faster than real time from `originMs` (default: when the clock is
 * created). Processes that share an origin and speed agree on the time, so an engine restarted
 * mid-run does not see time move backwards.
 */
export class RealClock implements Clock {
  constructor(
    readonly speed: number = 1,
    /** Real epoch ms at which this clock's time equals real time. */
    readonly originMs: number = Date.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`RealClock speed must be a positive number, got ${speed}`);
  }

  now(): number {
    if (this.speed === 1) return Date.now();
    return Math.round(this.originMs + (Date.now() - this.originMs) * this.speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const realMs = Math.max(0, ms) / this.speed;
    return new Promise<void>((resolve, reject) => {
      let handle: NodeJS.Timeout | undefined;
      const started = Date.now();
      const onAbort = (): void => {
        if (handle) clearTimeout(handle);
        reject(abortReason(signal!));
      };
      const arm = (): void => {
        const left = realMs - (Date.now() - started);
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        handle = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (realMs === 0) handle = setTimeout(arm, 0);
      else arm();
    });
  }

  /** Real time moves regardless of work in progress, so there is nothing to hold. */
  hold(): () => void {
    return noop;
  }
}

function noop(): void {}
