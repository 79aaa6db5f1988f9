/**
 * The contracts between the state machine and the code it calls: what each Lambda receives
 * (the `Payload` the workflow builds) and returns, what the worker queue carries, and what
 * the worker reports through SendTaskSuccess. The workflow in `workflow/` builds these shapes
 * and the handlers in `runtime/` parse them, so a change here shows up on both sides.
 */
import { z } from 'zod';

/** Ids arrive from another system: bound them so a hostile value fails clearly instead of breaking a key. */
export const DialogGroupId = z.string().min(1).max(256);
export const CallId = z.string().min(1).max(256);

/** One reconciliation request: SQS message body and state machine input. */
export const ReconciliationRequest = z.object({
  dialogGroupId: DialogGroupId,
  callId: CallId,
  originalTimestamp: z.iso.datetime({ offset: true }).optional(),
  retryAttempt: z.number().int().min(0).default(0),
  source: z.string().max(128).default('RECONCILIATION_QUEUE'),
});
export type ReconciliationRequest = z.infer<typeof ReconciliationRequest>;

/** How the workflow tells the Lambdas to size the next Wait (they clamp; ASL has no min/max). */
export const WaitPolicy = z.object({
  kind: z.enum(['fixed', 'adaptive']),
  fixedSeconds: z.number().int().positive(),
  minSeconds: z.number().int().positive(),
  maxSeconds: z.number().int().positive(),
});
export type WaitPolicy = z.infer<typeof WaitPolicy>;

const CallRef = {
  dialogGroupId: DialogGroupId,
  callId: CallId,
  executionId: z.string().min(1),
};

// createExportJob: records the call IN_PROGRESS, creates the OCP export job, records CREATED.
export const CreateExportJobInput = z.object({
  ...CallRef,
  originalTimestamp: z.string().optional(),
  waitPolicy: WaitPolicy,
});
export const CreateExportJobOutput = z.object({
  exportJobId: z.string().min(1),
  status: z.literal('CREATED'),
  estimatedCompletionTime: z.string().optional(),
  createdAt: z.string(),
  /** Seconds to wait before the first status check. */
  nextWaitSeconds: z.number().int().positive(),
});

// checkExportStatus: one poll; records POLLING or EXPORT_COMPLETED itself.
export const CheckExportStatusInput = z.object({
  ...CallRef,
  exportJobId: z.string().min(1),
  /** 1-based number of this status check, counting checks that errored. */
  pollingIteration: z.number().int().positive(),
  waitPolicy: WaitPolicy,
});
export const CheckExportStatusOutput = z.object({
  /** OCP's status as reported: COMPLETED, IN_PROGRESS, FAILED, or anything else (routed to FAILED_UNKNOWN_STATUS). */
  status: z.string(),
  pollingIteration: z.number().int().positive(),
  progress: z.number().optional(),
  estimatedSecondsRemaining: z.number().optional(),
  downloadUrl: z.string().optional(),
  fileSize: z.number().optional(),
  completedAt: z.string().optional(),
  errorMessage: z.string().optional(),
  nextWaitSeconds: z.number().int().positive(),
});

// getExportMetadata: OCP's description of the recording.
export const GetExportMetadataInput = z.object({
  ...CallRef,
  exportJobId: z.string().min(1),
});
export const RecordingMetadata = z.object({
  duration: z.number().nonnegative(),
  channels: z.number().int().positive(),
  sampleRate: z.number().int().positive(),
  format: z.string(),
  agentId: z.string().optional(),
  queueName: z.string().optional(),
});
export type RecordingMetadata = z.infer<typeof RecordingMetadata>;

// notifyDownloadService: invoked with .waitForTaskToken; stores the token, queues the download task.
export const NotifyDownloadInput = z.object({
  ...CallRef,
  taskToken: z.string().min(1),
  exportJobId: z.string().min(1),
  downloadUrl: z.url(),
  fileSize: z.number().optional(),
});
export const NotifyDownloadOutput = z.object({ messageId: z.string() });

/** The worker queue's message body. */
export const DownloadTask = z.object({
  taskToken: z.string().min(1),
  exportJobId: z.string().min(1),
  dialogGroupId: DialogGroupId,
  callId: CallId,
  downloadUrl: z.url(),
  executionId: z.string().optional(),
  expectedSizeBytes: z.number().optional(),
});
export type DownloadTask = z.infer<typeof DownloadTask>;

/** What the worker reads from the stored WAV header. */
export const StoredAudio = z.object({
  format: z.string(),
  /** Sample encoding inside the container: PCM, IEEE_FLOAT, ALAW, MULAW. */
  encoding: z.string().optional(),
  channels: z.number().int().positive(),
  sampleRate: z.number().int().positive(),
  bitsPerSample: z.number().int().positive(),
  durationSeconds: z.number().nonnegative(),
});

/** SendTaskSuccess output of the worker: the download task's result in the workflow. */
export const DownloadResult = z.object({
  status: z.literal('STORED'),
  s3Uri: z.string(),
  bucket: z.string(),
  key: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  exportJobId: z.string().optional(),
  audio: StoredAudio,
});
export type DownloadResult = z.infer<typeof DownloadResult>;

// consolidateReconciliation: checks the stored audio against the metadata, records COMPLETED.
export const ConsolidateInput = z.object({
  ...CallRef,
  exportJobId: z.string().min(1),
  metadata: RecordingMetadata,
  download: DownloadResult,
  durationToleranceSeconds: z.number().nonnegative(),
});
export const ConsolidateOutput = z.object({
  reconciliationStatus: z.literal('COMPLETED'),
  completedAt: z.string(),
  s3Uri: z.string(),
});

/** Body of the failure DLQ message the workflow sends on every failure path. */
export const FailureNotice = z.object({
  dialogGroupId: z.string(),
  callId: z.string(),
  exportJobId: z.string().nullable(),
  reconciliationStatus: z.string().startsWith('FAILED_'),
  failureReason: z.string(),
  error: z.string(),
  cause: z.string(),
  executionId: z.string(),
  failedAt: z.string(),
});
