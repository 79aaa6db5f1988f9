/**
 * The worker's settings, read once from the environment at start-up (names in system/functions.ts)
 * and validated, so a bad deployment fails at once with every offending variable named.
 */
import { z } from 'zod';
import { Env } from '../../system/functions.ts';
import { parseAllowedOrigin } from './url-guard.ts';

const GiB = 1024 ** 3;
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number) => z.coerce.number().int().min(min);

export const WorkerConfig = z
  .object({
    queueUrl: z.url(),
    bucket: z.string().min(3),
    allowedOrigins: z
      .string()
      .min(1)
      .transform((s, ctx) => {
        try {
          return s.split(',').filter((e) => e.trim()).map(parseAllowedOrigin);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      }),
    privateAddresses: z.enum(['deny', 'loopback-hosts', 'allow']).default('loopback-hosts'),
    concurrency: int(1).max(64).default(4),
    /** The download state's HeartbeatSeconds: the worker beats at a third of it. */
    heartbeatSeconds: int(3).default(600),
    visibilitySeconds: int(30).max(43_200).default(300),
    /** ECS stopTimeout is 30 s by default (up to 120): stop well before SIGKILL. */
    stopTimeoutSeconds: int(1).max(120).default(25),
    maxUncompressedBytes: int(1).default(8 * GiB),
    maxArchiveBytes: int(1).default(8 * GiB),
    maxEntries: int(1).max(10_000).default(16),
    maxCompressionRatio: z.coerce.number().positive().default(100),
    maxResumes: int(0).max(100).default(5),
    s3ForcePathStyle: flag.default(false),
    /**
     * Multipart part size (S3's minimum, 5 MiB) and parts in flight. Each upload holds
     * (queue + 1) part buffers, reused from part to part and kept for the next upload. With the
     * Node runtime and SDKs (~80-90 MiB idle) the worker must stay inside 128 MiB: one part in
     * flight while the next fills measured 113-123 MiB peak, two in flight up to 130 MiB.
     */
    uploadPartSizeMib: int(5).max(512).default(5),
    uploadQueueSize: int(1).max(16).default(1),
    deadLetterQueueUrl: z.url().optional(),
    healthFile: z.string().default('/tmp/worker-health.json'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.visibilitySeconds < 6)
      ctx.addIssue({ code: 'custom', path: ['visibilitySeconds'], message: 'must leave room for renewals' });
  });
export type WorkerConfig = z.infer<typeof WorkerConfig>;

const sources: Record<keyof z.input<typeof WorkerConfig>, string> = {
  queueUrl: Env.workerQueueUrl,
  bucket: Env.bucketName,
  allowedOrigins: Env.allowedDownloadHosts,
  privateAddresses: Env.downloadPrivateAddresses,
  concurrency: Env.workerConcurrency,
  heartbeatSeconds: Env.heartbeatIntervalSeconds,
  visibilitySeconds: Env.workerVisibilitySeconds,
  stopTimeoutSeconds: Env.workerStopTimeoutSeconds,
  maxUncompressedBytes: Env.maxUncompressedBytes,
  maxArchiveBytes: Env.maxArchiveBytes,
  maxEntries: Env.maxArchiveEntries,
  maxCompressionRatio: Env.maxCompressionRatio,
  maxResumes: Env.downloadMaxResumes,
  s3ForcePathStyle: Env.s3ForcePathStyle,
  uploadPartSizeMib: Env.uploadPartSizeMib,
  uploadQueueSize: Env.uploadQueueSize,
  deadLetterQueueUrl: Env.workerDeadLetterQueueUrl,
  healthFile: Env.workerHealthFile,
  logLevel: Env.logLevel,
};

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const input = Object.fromEntries(
    Object.entries(sources)
      .map(([key, name]) => [key, env[name] === '' ? undefined : env[name]])
      .filter(([, v]) => v !== undefined),
  );
  if (typeof input.logLevel === 'string') input.logLevel = input.logLevel.toLowerCase();
  const r = WorkerConfig.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${sources[i.path[0] as keyof typeof sources] ?? i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid download worker configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}
