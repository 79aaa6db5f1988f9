/** Values of `reconciliationStatus` and `exportJobStatus` in the reconciliation record. */
export const FailureStatuses = [
  'FAILED_OCP_API_ERROR',
  'FAILED_EXPORT_ERROR',
  'FAILED_MAX_RETRIES',
  'FAILED_UNKNOWN_STATUS',
  'FAILED_PARALLEL_ERROR',
  'FAILED_UNEXPECTED_ERROR',
  'FAILED_DOWNLOAD_ERROR',
  'FAILED_DOWNLOAD_TIMEOUT',
  'FAILED_AUDIO_MISMATCH',
] as const;
export type FailureStatus = (typeof FailureStatuses)[number];

export const ReconciliationStatuses = ['IN_PROGRESS', 'COMPLETED', ...FailureStatuses] as const;
export type ReconciliationStatus = (typeof ReconciliationStatuses)[number];

export const TerminalStatuses: readonly ReconciliationStatus[] = ['COMPLETED', ...FailureStatuses];

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && (TerminalStatuses as readonly string[]).includes(status);
}

/**
 * Progress of the export within an IN_PROGRESS record, in the only order it may move.
 * Writes are conditional on this order so a retried or late invocation never moves a record backwards.
 */
export const ExportJobStatuses = ['CREATED', 'POLLING', 'EXPORT_COMPLETED', 'DOWNLOAD_REQUESTED'] as const;
export type ExportJobStatus = (typeof ExportJobStatuses)[number];

export function exportProgressRank(status: ExportJobStatus): number {
  return ExportJobStatuses.indexOf(status);
}
