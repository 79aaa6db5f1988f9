/**
 * The reconciliation record as stored (one item per call, key from system/resources.ts).
 * Items are read back through this schema: the table is shared with the workflow's own
 * UpdateItem states and with people fixing records by hand, so nothing read is trusted blindly.
 */
import { z } from 'zod';
import { ExportJobStatuses, FailureStatuses, ReconciliationStatuses } from '../status.ts';

export const ReconciliationRecord = z.object({
  PK: z.string(),
  SK: z.string(),
  dialogGroupId: z.string(),
  callId: z.string(),
  sfExecutionId: z.string(),
  reconciliationStatus: z.enum(ReconciliationStatuses),
  exportJobStatus: z.enum(ExportJobStatuses).optional(),
  exportJobId: z.string().optional(),
  pollingIteration: z.number().int().optional(),
  totalPollingAttempts: z.number().int().optional(),
  startedAt: z.string().optional(),
  exportCreatedAt: z.string().optional(),
  exportCompletedAt: z.string().optional(),
  lastPolledAt: z.string().optional(),
  downloadUrl: z.string().optional(),
  fileSize: z.number().optional(),
  downloadRequestedAt: z.string().optional(),
  taskToken: z.string().optional(),
  completedAt: z.string().optional(),
  failedAt: z.string().optional(),
  failureReason: z.string().optional(),
  errorDetails: z.string().optional(),
  metadata: z.string().optional(),
  /**
   * The failure a new execution reopened this record from (runtime/store/reopen-failed.ts): what a
   * person needs to see that the call was re-run and why the earlier attempt failed. Only the last
   * failure is kept, with a count of all of them, so the item stays small however often it is re-run.
   */
  previousFailureStatus: z.enum(FailureStatuses).optional(),
  previousFailureReason: z.string().optional(),
  previousFailureExecutionId: z.string().optional(),
  previousFailedAt: z.string().optional(),
  previousFailureCount: z.number().int().optional(),
  lastUpdated: z.string(),
  /** Absent on a record the workflow's failure path created before any handler wrote it. */
  TTL: z.number().int().optional(),
});
export type ReconciliationRecord = z.infer<typeof ReconciliationRecord>;

/** Stored in `metadata` (a JSON string) when a call completes. */
export const ConsolidatedMetadata = z.object({
  recording: z.object({
    duration: z.number(),
    channels: z.number(),
    sampleRate: z.number(),
    format: z.string(),
    agentId: z.string().optional(),
    queueName: z.string().optional(),
  }),
  storedFile: z.object({
    s3Uri: z.string(),
    bucket: z.string(),
    key: z.string(),
    sizeBytes: z.number(),
    sha256: z.string(),
    audio: z.object({
      format: z.string(),
      channels: z.number(),
      sampleRate: z.number(),
      bitsPerSample: z.number(),
      durationSeconds: z.number(),
    }),
  }),
  exportJobId: z.string(),
});
export type ConsolidatedMetadata = z.infer<typeof ConsolidatedMetadata>;
