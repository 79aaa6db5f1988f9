/**
 * When a new execution may take over a call's record, and what it keeps of the attempt before.
 *
 * The trigger names executions after (dialogGroupId, callId, retryAttempt), so a duplicate delivery
 * never starts a second execution: a new execution for a call is always deliberate (a higher
 * retryAttempt upstream, or an operator's StartExecution). It may therefore reopen a FAILED_* record.
 * A COMPLETED record is never reopened (the recording is already recovered), and a record another
 * execution still has IN_PROGRESS is never taken over.
 */
import { FailureStatuses } from '../status.ts';
import { ConsolidatedMetadata, type ReconciliationRecord } from './record.ts';

/** Everything the failed execution wrote about its own attempt; the new execution starts without it. */
export const AttemptAttributes = [
  'exportJobId',
  'exportJobStatus',
  'pollingIteration',
  'totalPollingAttempts',
  'exportCreatedAt',
  'exportCompletedAt',
  'lastPolledAt',
  'downloadUrl',
  'fileSize',
  'downloadRequestedAt',
  'taskToken',
  'completedAt',
  'failedAt',
  'failureReason',
  'errorDetails',
  'metadata',
] as const satisfies readonly (keyof ReconciliationRecord)[];

/**
 * The failure being replaced, copied inside the same UpdateItem: operands read the item as it was
 * before the update, so these see the failed attempt even though the same write removes it.
 */
export const PreviousFailureFrom = {
  previousFailureStatus: '#reconciliationStatus',
  previousFailureReason: 'if_not_exists(#failureReason, :noFailureReason)',
  previousFailureExecutionId: '#sfExecutionId',
  previousFailedAt: 'if_not_exists(#failedAt, #lastUpdated)',
} as const satisfies Partial<Record<keyof ReconciliationRecord, string>>;

/** Only a failed record of the same call, failed by another execution, is reopened. */
export const ReopenCondition = {
  expression: `#callId = :callId AND #sfExecutionId <> :exec AND #reconciliationStatus IN (${FailureStatuses.map((_, i) => `:failed${i}`).join(', ')})`,
  values(callId: string, executionId: string): Record<string, unknown> {
    const values: Record<string, unknown> = { callId, exec: executionId, noFailureReason: 'no failure reason was recorded' };
    FailureStatuses.forEach((s, i) => (values[`failed${i}`] = s));
    return values;
  },
} as const;

/**
 * The record is this call's and COMPLETED: its recording is recovered, so a new execution has nothing
 * to do (AlreadyReconciledError, which the workflow ends as a success). A COMPLETED record of another
 * callId under the same dialogGroupId says nothing about this call's recording: a plain conflict.
 */
export function isAlreadyReconciled(old: ReconciliationRecord, callId: string): boolean {
  return old.reconciliationStatus === 'COMPLETED' && old.callId === callId;
}

/**
 * Why `executionId` may not start `callId` on the record `old`, when the generic "never moves
 * backwards" is not the whole story: the call is already recovered (and where its file is), or the
 * failure is its own.
 */
export function whyNotReopened(old: ReconciliationRecord, executionId: string, callId: string): string | undefined {
  const call = `Call ${JSON.stringify(old.dialogGroupId)} (callId ${JSON.stringify(old.callId)})`;
  if (isAlreadyReconciled(old, callId)) {
    const at = old.completedAt ? ` at ${old.completedAt}` : '';
    return `${call} is already COMPLETED by execution ${old.sfExecutionId}${at}; ${storedFile(old)}. A completed call is never re-run, so execution ${executionId} has nothing to do.`;
  }
  if (old.reconciliationStatus.startsWith('FAILED_') && old.sfExecutionId === executionId) {
    return `${call} ended ${old.reconciliationStatus} in this same execution ${executionId}; a failed call is re-run by a new execution (a higher retryAttempt or a manual StartExecution), never by the one that failed.`;
  }
  return undefined;
}

function storedFile(old: ReconciliationRecord): string {
  const parsed = ConsolidatedMetadata.safeParse(safeJson(old.metadata));
  if (!parsed.success) return `its stored file cannot be read from the record's metadata (export job ${old.exportJobId ?? 'unknown'})`;
  const f = parsed.data.storedFile;
  return `its recording is stored at ${f.s3Uri} (${f.sizeBytes} bytes, sha256 ${f.sha256})`;
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
