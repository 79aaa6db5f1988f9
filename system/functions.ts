/**
 * The Lambda functions: one per handler module under runtime/handlers, each exporting `handler`.
 * infra/ bundles and deploys them from this list; local/ loads the same modules in process.
 */
export const FunctionNames = [
  'trigger',
  'createExportJob',
  'checkExportStatus',
  'getExportMetadata',
  'notifyDownloadService',
  'consolidateReconciliation',
] as const;
export type FunctionName = (typeof FunctionNames)[number];

/** Path of the handler module, relative to the project root. */
export function handlerEntry(name: FunctionName): string {
  return `runtime/handlers/${name}.ts`;
}

/** Environment variables the runtime reads; infra and local mode set them. */
export const Env = {
  tableName: 'TABLE_NAME',
  workerQueueUrl: 'WORKER_QUEUE_URL',
  /** Dead-letter queue of the input queue: the trigger sends messages that fail their schema here. */
  inputDlqUrl: 'INPUT_DLQ_URL',
  stateMachineArn: 'STATE_MACHINE_ARN',
  ocpBaseUrl: 'OCP_BASE_URL',
  ocpTokenSecretArn: 'OCP_TOKEN_SECRET_ARN',
  recordTtlDays: 'RECORD_TTL_DAYS',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  // Worker (container/)
  bucketName: 'RECORDINGS_BUCKET',
  allowedDownloadHosts: 'ALLOWED_DOWNLOAD_HOSTS',
  workerConcurrency: 'WORKER_CONCURRENCY',
  heartbeatIntervalSeconds: 'HEARTBEAT_INTERVAL_SECONDS',
  maxUncompressedBytes: 'MAX_UNCOMPRESSED_BYTES',
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  downloadPrivateAddresses: 'DOWNLOAD_PRIVATE_ADDRESSES',
  maxArchiveBytes: 'MAX_ARCHIVE_BYTES',
  maxArchiveEntries: 'MAX_ARCHIVE_ENTRIES',
  maxCompressionRatio: 'MAX_COMPRESSION_RATIO',
  downloadMaxResumes: 'DOWNLOAD_MAX_RESUMES',
  workerVisibilitySeconds: 'WORKER_VISIBILITY_SECONDS',
  workerStopTimeoutSeconds: 'WORKER_STOP_TIMEOUT_SECONDS',
  workerDeadLetterQueueUrl: 'WORKER_DLQ_URL',
  workerHealthFile: 'WORKER_HEALTH_FILE',
  uploadPartSizeMib: 'UPLOAD_PART_SIZE_MIB',
  uploadQueueSize: 'UPLOAD_QUEUE_SIZE',
} as const;
