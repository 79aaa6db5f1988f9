/**
 * Which fault, if any, a request meets, and the throttle windows faults open. Counting is per job
 * (per call for create), so what a job meets does not depend on other jobs' traffic.
 */
import { performance } from 'node:perf_hooks';
import { randomFor } from './prng.ts';
import type { Endpoint, Fault } from './scenario.ts';

/** Node's timers may fire a hair early against performance.now(); a retry this close counts as on time. */
const EarlyRetryToleranceMs = 50;

export class FaultPlan {
  private readonly requestCounts = new Map<string, number>();
  private readonly spent = new Map<string, number>();
  private readonly windows = new Map<string, number>();

  constructor(private readonly seed: number | string) {}

  /**
   * The first fault in the list that targets this endpoint and still has budget (`times`) or wins its
   * seeded draw (`probability`). Every call counts as one request of `faultKey` at `endpoint`.
   */
  pick(faultKey: string, endpoint: Endpoint, faults: readonly Fault[]): Fault | undefined {
    const countKey = `${faultKey}|${endpoint}`;
    const index = (this.requestCounts.get(countKey) ?? 0) + 1;
    this.requestCounts.set(countKey, index);
    for (let i = 0; i < faults.length; i++) {
      const fault = faults[i]!;
      if (fault.endpoint !== 'any' && fault.endpoint !== endpoint) continue;
      // A download has no JSON body to break, and nothing to lose after "doing the work".
      if (endpoint === 'download' && (fault.kind === 'malformedJson' || fault.kind === 'schemaBreak' || fault.kind === 'lostResponse')) {
        continue;
      }
      const spentKey = `${faultKey}|${i}`;
      const spent = this.spent.get(spentKey) ?? 0;
      if (fault.times !== undefined && spent >= fault.times) continue;
      if (fault.probability !== undefined && randomFor(this.seed, 'fault', faultKey, endpoint, index, i).next() >= fault.probability) {
        continue;
      }
      this.spent.set(spentKey, spent + 1);
      return fault;
    }
    return undefined;
  }

  /** After a 429/503 with Retry-After: the resource refuses requests until the delay has passed. */
  openWindow(windowKey: string, retryAfterSeconds: number): void {
    this.windows.set(windowKey, performance.now() + retryAfterSeconds * 1000);
  }

  /** Milliseconds still to wait when a request comes back too early; undefined when it may proceed. */
  earlyBy(windowKey: string): number | undefined {
    const until = this.windows.get(windowKey);
    if (until === undefined) return undefined;
    const left = until - performance.now();
    if (left <= EarlyRetryToleranceMs) {
      this.windows.delete(windowKey);
      return undefined;
    }
    return left;
  }
}
