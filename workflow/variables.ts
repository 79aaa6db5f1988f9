/**
 * The workflow variables (ASL `Assign`). Variables carry what later states need, so no Pass
 * state reshapes data on the happy path, and the failure path reads the same names from wherever
 * it was entered.
 */
import { JsonPath } from '../asl/index.ts';

export const Vars = {
  /** OCP export job id; null until a job exists, so the DLQ message can say there is none. */
  exportJobId: 'exportJobId',
  /** Status checks made so far, counting checks that errored. */
  pollCount: 'pollCount',
  /** What went wrong: { status, reason, details: { error, cause } }. Set by every entry to the failure path. */
  failure: 'failure',
} as const;

export const ref = {
  exportJobId: JsonPath.variable(Vars.exportJobId),
  pollCount: JsonPath.variable(Vars.pollCount),
  failureStatus: JsonPath.variable(Vars.failure, 'status'),
  failureReason: JsonPath.variable(Vars.failure, 'reason'),
  failureDetails: JsonPath.variable(Vars.failure, 'details'),
  failureError: JsonPath.variable(Vars.failure, 'details.error'),
  failureCause: JsonPath.variable(Vars.failure, 'details.cause'),
} as const;

/** Reference paths for Choice rules and Wait, which take path strings. */
export const path = {
  pollCount: `$${Vars.pollCount}`,
} as const;
