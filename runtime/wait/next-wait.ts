/**
 * Sizes the workflow's next Wait. ASL has no min/max, so the Lambdas clamp and the Wait state reads
 * `nextWaitSeconds` with SecondsPath. Whole seconds, at least 1: a Wait of 0 would busy-poll OCP.
 */
import type { WaitPolicy } from '../contracts.ts';

function clamp(seconds: number, policy: WaitPolicy): number {
  const lo = Math.min(policy.minSeconds, policy.maxSeconds);
  return Math.max(1, Math.min(policy.maxSeconds, Math.max(lo, Math.ceil(seconds))));
}

/**
 * fixed: always `fixedSeconds`. adaptive: OCP's estimate clamped to [min, max]; with no usable
 * estimate, `fixedSeconds` clamped to the same range.
 */
export function nextWaitSeconds(policy: WaitPolicy, estimateSeconds: number | undefined): number {
  if (policy.kind === 'fixed') return policy.fixedSeconds;
  if (estimateSeconds === undefined || !Number.isFinite(estimateSeconds)) return clamp(policy.fixedSeconds, policy);
  return clamp(estimateSeconds, policy);
}

/** Seconds from `now` until an ISO timestamp; undefined when absent or unparseable. */
export function secondsUntil(isoTimestamp: string | undefined, now: Date): number | undefined {
  if (!isoTimestamp) return undefined;
  const at = Date.parse(isoTimestamp);
  if (Number.isNaN(at)) return undefined;
  return (at - now.getTime()) / 1000;
}
