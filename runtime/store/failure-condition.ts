import { Table } from '../../system/resources.ts';

/**
 * Condition of every failure write, shared by the store and the workflow's RecordFailure state:
 * the record does not exist yet (the call failed before createExportJob recorded it) or is still
 * IN_PROGRESS and owned by the failing execution. Another execution's record, or a terminal one,
 * is never overwritten; the workflow still sends its DLQ message when the condition fails.
 */
export const FailureWriteCondition = {
  expression: 'attribute_not_exists(#PK) OR (#reconciliationStatus = :inProgress AND #sfExecutionId = :exec)',
  names: { '#PK': Table.partitionKey, '#reconciliationStatus': 'reconciliationStatus', '#sfExecutionId': 'sfExecutionId' },
} as const;
