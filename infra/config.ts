/**
 * The stack's configuration: every key of Pulumi.<stack>.yaml under the project namespace, plus
 * `aws:region`. index.ts reads the raw values once and hands them here; components only ever see
 * the typed result. The workflow object has its own schema in workflow/config.ts (the tools that
 * run without Pulumi read it too), so it is parsed there, not redefined here.
 */
import { z } from 'zod';
import { parseWorkflowConfig, type WorkflowConfig } from '../workflow/config.ts';

/** CloudWatch Logs accepts only these retention periods. */
export const LogRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate accepts only these CPU units, each with its own memory range (MiB). */
const FargateMemoryRange: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 1024 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
};

const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');

const LambdaSettings = z.strictObject({
  memoryMb: z.number().int().min(128).max(10_240).default(256),
  timeoutSeconds: z.number().int().min(1).max(900).default(30),
  architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
});

const TriggerSettings = z.strictObject({
  /** Messages per trigger invocation; SQS allows up to 10 without a batching window. */
  batchSize: z.number().int().min(1).max(10).default(10),
  /** Concurrent trigger invocations the event source mapping may run (AWS minimum is 2). */
  maximumConcurrency: z.number().int().min(2).max(1000).default(5),
  /** The trigger only starts executions, so it gets its own short timeout. */
  timeoutSeconds: z.number().int().min(1).max(900).default(30),
});

/** Where the worker image is built from when the stack pins no image. */
export const WorkerBuildDefaults = { context: '.', dockerfile: 'container/Dockerfile' } as const;

/** The worker image: a pinned image (deploys exactly those bytes) or a build of container/ at deploy time. */
const WorkerImage = z.union([
  z.strictObject({
    uri: z
      .string()
      .regex(/^[^\s@]+@sha256:[0-9a-f]{64}$/, 'must be an immutable image reference ending in @sha256:<64 hex digits>'),
  }),
  z.strictObject({
    // The worker imports runtime/ and system/, so the context is the repository root and the
    // Dockerfile (with its Dockerfile.dockerignore beside it) lives in container/. Relative to the project root.
    build: z.strictObject({
      context: z.string().min(1).default(WorkerBuildDefaults.context),
      dockerfile: z.string().min(1).default(WorkerBuildDefaults.dockerfile),
    }),
  }),
]);

const WorkerSettings = z
  .strictObject({
    cpu: z.number().int().default(512),
    memoryMb: z.number().int().default(1024),
    desiredCount: z.number().int().min(0).max(100).default(1),
    /** Downloads one task runs at once (sqs-consumer batch size). */
    concurrency: z.number().int().min(1).max(10).default(2),
    /** Initial SQS lease of a download task; the worker extends it while it works. */
    visibilityTimeoutSeconds: z.number().int().min(30).max(43_200).default(300),
    /** SIGTERM to SIGKILL on Fargate; the worker drains in this window (Fargate allows at most 120). */
    stopTimeoutSeconds: z.number().int().min(2).max(120).default(120),
    maxUncompressedBytes: z.number().int().positive().default(2 * 1024 ** 3),
    image: WorkerImage.default({ build: { ...WorkerBuildDefaults } }),
  })
  .superRefine((w, ctx) => {
    const range = FargateMemoryRange[w.cpu];
    if (!range) {
      ctx.addIssue({ code: 'custom', path: ['cpu'], message: `must be one of ${Object.keys(FargateMemoryRange).join(', ')} (Fargate CPU units)` });
      return;
    }
    const validStep = w.memoryMb === 512 || w.memoryMb % range.step === 0;
    if (w.memoryMb < range.min || w.memoryMb > range.max || !validStep)
      ctx.addIssue({
        code: 'custom',
        path: ['memoryMb'],
        message: `must be between ${range.min} and ${range.max} MiB in steps of ${range.step} for cpu ${w.cpu}`,
      });
  });

const Network = z.discriminatedUnion('mode', [
  /** The account's default VPC and its subnets: fine for dev, where public IPs give the worker egress. */
  z.strictObject({ mode: z.literal('default-vpc'), assignPublicIp: z.boolean().default(true) }),
  z.strictObject({
    mode: z.literal('subnets'),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id (vpc-...)'),
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id (subnet-...)')).min(1),
    /** Private subnets reach OCP and AWS through a NAT gateway or endpoints, so no public IP. */
    assignPublicIp: z.boolean().default(false),
  }),
]);

const Ocp = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Hosts the worker may download exports from (SSRF guard); OCP's download URLs must point at one of these. */
  allowedDownloadHosts: z.array(z.string().min(1).regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name, optionally with :port')).min(1),
});

const Logs = z.strictObject({
  retentionDays: z
    .number()
    .int()
    .refine((d) => (LogRetentionDays as readonly number[]).includes(d), `must be one of ${LogRetentionDays.join(', ')}`)
    .default(30),
  /** Application log level of the Lambdas and the worker (Powertools). */
  level: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** State machine execution history sent to CloudWatch Logs. */
  stateMachineLevel: z.enum(['ALL', 'ERROR', 'FATAL', 'OFF']).default('ERROR'),
  /** Execution data holds call ids and task tokens; keep it out of logs unless debugging. */
  includeExecutionData: z.boolean().default(false),
});

const Alarms = z.strictObject({
  /** Alarm when more than this many executions fail (or time out) in one period. */
  executionsFailed: z.number().int().min(0).default(0),
  executionsTimedOut: z.number().int().min(0).default(0),
  /** Visible messages in any dead-letter queue; any message there is a call a person must look at. */
  dlqMessages: z.number().int().min(0).default(0),
  lambdaErrors: z.number().int().min(0).default(0),
  lambdaThrottles: z.number().int().min(0).default(0),
  /** Age of the oldest waiting download task. */
  workerQueueAgeSeconds: z.number().int().positive().default(900),
  periodSeconds: z.number().int().refine((p) => p === 10 || p === 30 || p % 60 === 0, 'must be 10, 30 or a multiple of 60').default(300),
  evaluationPeriods: z.number().int().min(1).default(1),
  /** Optional address subscribed to the alarm topic (the subscription must be confirmed by mail). */
  email: z.email().optional(),
});

const Storage = z.strictObject({
  pointInTimeRecovery: z.boolean().default(true),
  bucketVersioning: z.boolean().default(true),
  /** Recordings move to infrequent access after this many days. */
  recordingsInfrequentAccessDays: z.number().int().min(30).default(30),
  /** Old versions of a recording (versioned buckets only) are removed after this many days. */
  noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
  /** Let `pulumi destroy` remove the table and a non-empty bucket; only for throw-away stacks. */
  allowDestroy: z.boolean().default(false),
});

/** Everything under `audio-reconciliation:` except `workflow` and the secret token. */
export const StackSettings = z.strictObject({
  lambda: LambdaSettings.default(LambdaSettings.parse({})),
  trigger: TriggerSettings.default(TriggerSettings.parse({})),
  worker: WorkerSettings.default(WorkerSettings.parse({})),
  network: Network,
  ocp: Ocp,
  logs: Logs.default(Logs.parse({})),
  alarms: Alarms.default(Alarms.parse({})),
  storage: Storage.default(Storage.parse({})),
  recordTtlDays: z.number().int().min(1).max(3650).default(90),
});
export type StackSettings = z.infer<typeof StackSettings>;

export interface StackConfig extends StackSettings {
  project: string;
  stack: string;
  region: string;
  workflow: WorkflowConfig;
}

/** The config key that holds the OCP API token, a Pulumi secret. */
export const OcpTokenKey = 'ocpApiToken';

/** Keys index.ts reads from the project namespace besides `workflow`: one per StackSettings field. */
export const SettingsKeys = StackSettings.keyof().options;

/** A stack config value that failed its schema; the message names every offending key. */
export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

export interface RawStackConfig {
  project: string;
  stack: string;
  /** `aws:region`, as read from config. */
  region: string | undefined;
  workflow: unknown;
  /** Values of SettingsKeys that are set; absent keys take their defaults. */
  settings: Partial<Record<(typeof SettingsKeys)[number], unknown>>;
  /** Every key set in the project namespace, so a misspelt key is reported instead of ignored. */
  presentKeys?: string[];
}

const KnownKeys: readonly string[] = [...SettingsKeys, 'workflow', OcpTokenKey];

/** Validates the raw values; throws StackConfigError listing each bad key as `<project>:<key>.<path>`. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const problems: string[] = [];
  const region = Region.safeParse(raw.region);
  if (!region.success)
    problems.push(raw.region === undefined ? '  aws:region: is required (pulumi config set aws:region eu-west-1)' : `  aws:region: ${region.error.issues[0]?.message}`);

  for (const key of raw.presentKeys ?? [])
    if (!KnownKeys.includes(key)) problems.push(`  ${raw.project}:${key}: unknown key (known: ${KnownKeys.join(', ')})`);

  const settings = StackSettings.safeParse(raw.settings);
  if (!settings.success)
    for (const issue of settings.error.issues) {
      const path = issue.path.map(String).join('.');
      problems.push(`  ${raw.project}${path ? `:${path}` : ''}: ${describeIssue(issue)}`);
    }

  let workflow: WorkflowConfig | undefined;
  try {
    workflow = parseWorkflowConfig(raw.workflow);
  } catch (err) {
    for (const line of (err as Error).message.split('\n').slice(1)) problems.push(`  ${raw.project}:workflow.${line.trim()}`);
  }

  if (problems.length > 0 || !settings.success || !region.success || !workflow)
    throw new StackConfigError(`Invalid config for stack '${raw.stack}':\n${problems.join('\n')}`);

  const config: StackConfig = { ...settings.data, project: raw.project, stack: raw.stack, region: region.data, workflow };
  checkConsistency(config);
  return config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.join(', ')}`;
  return issue.message;
}

/** Rules that span sections: each names both keys so the fix is obvious. */
function checkConsistency(c: StackConfig): void {
  const problems: string[] = [];
  const p = c.project;
  // The worker sends heartbeats well inside the workflow's heartbeat timeout and extends its SQS lease;
  // a lease shorter than one heartbeat interval would let a second worker pick the task up mid-download.
  if (c.worker.visibilityTimeoutSeconds < Math.min(c.workflow.heartbeatSeconds, 300))
    problems.push(`  ${p}:worker.visibilityTimeoutSeconds: must be at least min(${p}:workflow.heartbeatSeconds, 300) = ${Math.min(c.workflow.heartbeatSeconds, 300)}`);
  if (problems.length > 0) throw new StackConfigError(`Invalid config for stack '${c.stack}':\n${problems.join('\n')}`);
}
