/**
 * Assembles the worker from its config and SDK clients. main.ts calls this with clients built
 * from the environment; tests call it with clients pointed at the local servers.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkerConfig } from './config.ts';
import { downloadRecording, type DownloadStats } from './download-recording.ts';
import type { Logger } from './log.ts';
import { QueueWorker } from './queue-worker.ts';
import { RecordingStore, type UploadTuning } from './recording-store.ts';
import { TaskCallbacks } from './task-callbacks.ts';
import { UrlGuard, type Resolver } from './url-guard.ts';

export interface WorkerClients {
  s3: S3Client;
  sqs: SQSClient;
  sfn: SFNClient;
}

export interface WorkerOverrides {
  /** Heartbeat period; a third of HeartbeatSeconds when absent. */
  heartbeatIntervalMs?: number;
  waitTimeSeconds?: number;
  idleTimeoutMs?: number;
  resumeBackoffMs?: number;
  upload?: UploadTuning;
  resolver?: Resolver;
  /** Called after each task with the bytes fetched from OCP (tests and benchmarks). */
  onStats?: (stats: DownloadStats) => void;
}


export function createWorker(config: WorkerConfig, clients: WorkerClients, log: Logger, overrides: WorkerOverrides = {}): QueueWorker {
  const guard = new UrlGuard(config.allowedOrigins, config.privateAddresses, overrides.resolver);
  const upload = overrides.upload ?? { partSizeBytes: config.uploadPartSizeMib * 1024 * 1024, queueSize: config.uploadQueueSize };
  const store = new RecordingStore(clients.s3, config.bucket, upload);
  const deps = {
    guard,
    store,
    limits: {
      maxEntries: config.maxEntries,
      maxUncompressedBytes: config.maxUncompressedBytes,
      maxCompressionRatio: config.maxCompressionRatio,
      maxArchiveBytes: config.maxArchiveBytes,
    },
    http: { maxResumes: config.maxResumes, idleTimeoutMs: overrides.idleTimeoutMs ?? 60_000, resumeBackoffMs: overrides.resumeBackoffMs },
  };
  return new QueueWorker({
    sqs: clients.sqs,
    callbacks: new TaskCallbacks(clients.sfn),
    queueUrl: config.queueUrl,
    deadLetterQueueUrl: config.deadLetterQueueUrl,
    concurrency: config.concurrency,
    visibilitySeconds: config.visibilitySeconds,
    heartbeatIntervalMs: overrides.heartbeatIntervalMs ?? (config.heartbeatSeconds * 1000) / 3,
    stopTimeoutMs: config.stopTimeoutSeconds * 1000,
    waitTimeSeconds: overrides.waitTimeSeconds,
    log,
    process: async (task, signal, taskLog) => {
      const stats: DownloadStats = { bytesFetched: 0, requests: 0 };
      try {
        return await downloadRecording(task, { ...deps, log: taskLog }, signal, stats);
      } finally {
        taskLog.info('download transfer', { ...stats });
        overrides.onStats?.(stats);
      }
    },
  });
}
