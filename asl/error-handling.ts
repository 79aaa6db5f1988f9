/**
 * Typed Retry and Catch. `States.ALL` must be the only name in its ErrorEquals and the last
 * retrier or catcher; the builder puts a catch-all added early at the end, and the validator
 * rejects any definition where it is not.
 */
import type { Duration } from './duration.ts';
import { compact, type JsonObject } from './json.ts';
import { renderTemplate, type Template } from './template.ts';

export const AllErrors = 'States.ALL';

export interface RetryProps {
  /** Error names to retry; default every error. */
  errors?: readonly string[];
  interval?: Duration;
  maxAttempts?: number;
  backoffRate?: number;
  maxDelay?: Duration;
  jitter?: 'FULL' | 'NONE';
  comment?: string;
}

export interface CatchProps {
  /** Error names to catch; default every error. */
  errors?: readonly string[];
  /** Where the error output goes in the state data: a path, or null to keep the input unchanged. */
  resultPath?: string | null;
  /** Variables set when this catcher is taken; `$` is the error output ({ Error, Cause }). */
  assign?: Template;
  comment?: string;
}

export function renderRetry(props: RetryProps): JsonObject {
  return compact({
    Comment: props.comment,
    ErrorEquals: [...(props.errors ?? [AllErrors])],
    IntervalSeconds: props.interval?.toSeconds(),
    MaxAttempts: props.maxAttempts,
    BackoffRate: props.backoffRate,
    MaxDelaySeconds: props.maxDelay?.toSeconds(),
    JitterStrategy: props.jitter,
  });
}

export function renderCatch(props: CatchProps, next: string): JsonObject {
  return compact({
    Comment: props.comment,
    ErrorEquals: [...(props.errors ?? [AllErrors])],
    ResultPath: props.resultPath,
    Assign: props.assign ? renderTemplate(props.assign) : undefined,
    Next: next,
  });
}

/** Puts rules whose ErrorEquals is exactly States.ALL after the others, keeping relative order. */
export function catchAllLast<T extends { errors?: readonly string[] }>(rules: readonly T[]): T[] {
  const isCatchAll = (r: T) => (r.errors ?? [AllErrors]).includes(AllErrors);
  return [...rules.filter((r) => !isCatchAll(r)), ...rules.filter(isCatchAll)];
}
