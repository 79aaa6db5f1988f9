/**
 * Errors raised inside an execution, named as the Amazon States Language names them. A StatesError
 * is what Retry and Catch match; anything else that escapes a state becomes one (see toStatesError).
 */
import { TaskFailure } from './types.ts';

export const States = {
  ALL: 'States.ALL',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Timeout: 'States.Timeout',
  TaskFailed: 'States.TaskFailed',
  Permissions: 'States.Permissions',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  BranchFailed: 'States.BranchFailed',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  DataLimitExceeded: 'States.DataLimitExceeded',
  Runtime: 'States.Runtime',
} as const;

export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = error;
  }

  /** The `{Error, Cause}` object a Catch hands to its ResultPath. */
  toErrorOutput(): { Error: string; Cause: string } {
    return { Error: this.error, Cause: this.causeText };
  }
}

/** Marks an error no Retry or Catch may handle (States.Runtime; DataLimitExceeded only when named explicitly). */
export function isUncatchableByAll(error: string): boolean {
  return error === States.Runtime || error === States.DataLimitExceeded;
}

/** Converts whatever a handler threw into the ASL error it stands for: TaskFailure is exact, other errors use name/message. */
export function toStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  if (err instanceof TaskFailure) return new StatesError(err.error, err.causeText);
  if (err instanceof Error) return new StatesError(err.name || 'Error', err.message);
  return new StatesError(States.TaskFailed, typeof err === 'string' ? err : JSON.stringify(err) ?? String(err));
}

/**
 * Whether a Retrier's or Catcher's ErrorEquals matches. States.ALL matches everything except the
 * terminal errors; States.TaskFailed matches everything except States.Timeout (and the terminal ones).
 */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  // States.Runtime always fails the execution, whatever the ErrorEquals say.
  if (error === States.Runtime) return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === States.ALL && !isUncatchableByAll(error)) return true;
    if (name === States.TaskFailed && error !== States.Timeout && !isUncatchableByAll(error)) return true;
  }
  return false;
}
