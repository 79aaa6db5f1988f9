/**
 * The environment the Lambda handlers and the download worker see in local mode: the same
 * variables infra sets on AWS (names from system/functions.ts), plus the SDK's standard
 * AWS_ENDPOINT_URL_<SERVICE> variables that point every client at the local servers.
 */
import { Env } from '../../system/functions.ts';
import type { ProvisionedQueue } from '../services/provision.ts';

export const LocalRegion = 'us-east-1';
export const LocalCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalEndpoints {
  dynamodb: string;
  /** fauxqs serves SQS and S3 on one port. */
  sqsS3: string;
  stepFunctions: string;
  secretsManager: string;
  ocp: string;
}

export interface LocalWiring {
  endpoints: LocalEndpoints;
  tableName: string;
  bucketName: string;
  inputQueueUrl: string;
  inputDlqUrl: string;
  workerQueueUrl: string;
  workerDlqUrl: string;
  failureQueueUrl: string;
  stateMachineArn: string;
  ocpTokenSecretArn: string;
  /** From the stack config, as infra sets RECORD_TTL_DAYS. */
  recordTtlDays: number;
}

/** Maps provisioned resources to the settings the handlers and the worker read. */
export function localWiring(args: {
  endpoints: LocalEndpoints;
  names: { tableName: string; bucketName: string };
  queues: Record<'input' | 'worker' | 'failure', ProvisionedQueue>;
  stateMachineArn: string;
  ocpTokenSecretArn: string;
  recordTtlDays: number;
}): LocalWiring {
  const { queues } = args;
  const dlq = (q: ProvisionedQueue, name: string): string => {
    if (!q.deadLetter) throw new Error(`the ${name} queue was provisioned without its dead-letter queue`);
    return q.deadLetter.url;
  };
  return {
    endpoints: args.endpoints,
    tableName: args.names.tableName,
    bucketName: args.names.bucketName,
    inputQueueUrl: queues.input.url,
    inputDlqUrl: dlq(queues.input, 'input'),
    workerQueueUrl: queues.worker.url,
    workerDlqUrl: dlq(queues.worker, 'worker'),
    failureQueueUrl: queues.failure.url,
    stateMachineArn: args.stateMachineArn,
    ocpTokenSecretArn: args.ocpTokenSecretArn,
    recordTtlDays: args.recordTtlDays,
  };
}

/** Variables every SDK client in a local process needs. */
export function sdkEnvironment(endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LocalRegion,
    AWS_DEFAULT_REGION: LocalRegion,
    AWS_ACCESS_KEY_ID: LocalCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LocalCredentials.secretAccessKey,
    // Never read ~/.aws: a developer's real profile must not leak into a local run.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqsS3,
    AWS_ENDPOINT_URL_S3: endpoints.sqsS3,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    [Env.s3ForcePathStyle]: 'true',
  };
}

/** The handlers' environment, as infra would set it on each function. */
export function handlerEnvironment(w: LocalWiring): Record<string, string> {
  return {
    ...sdkEnvironment(w.endpoints),
    [Env.tableName]: w.tableName,
    [Env.workerQueueUrl]: w.workerQueueUrl,
    [Env.inputDlqUrl]: w.inputDlqUrl,
    [Env.stateMachineArn]: w.stateMachineArn,
    [Env.ocpBaseUrl]: w.endpoints.ocp,
    [Env.ocpTokenSecretArn]: w.ocpTokenSecretArn,
    [Env.recordTtlDays]: String(w.recordTtlDays),
    [Env.serviceName]: 'audio-reconciliation-local',
    [Env.logLevel]: 'INFO',
  };
}

export interface WorkerSettings {
  concurrency: number;
  /** Real seconds the engine allows between heartbeats (HeartbeatSeconds / clock speed); the worker beats at a third of it. */
  heartbeatSeconds: number;
  visibilitySeconds: number;
  healthFile: string;
}

/** The download worker's environment, as the Fargate task definition would set it. */
export function workerEnvironment(w: LocalWiring, settings: WorkerSettings): Record<string, string> {
  return {
    ...sdkEnvironment(w.endpoints),
    [Env.workerQueueUrl]: w.workerQueueUrl,
    [Env.workerDeadLetterQueueUrl]: w.workerDlqUrl,
    [Env.bucketName]: w.bucketName,
    // Only the simulator's origin; it is on loopback, which the worker allows for a loopback allowed host only.
    [Env.allowedDownloadHosts]: new URL(w.endpoints.ocp).origin,
    [Env.downloadPrivateAddresses]: 'loopback-hosts',
    [Env.workerConcurrency]: String(settings.concurrency),
    [Env.heartbeatIntervalSeconds]: String(settings.heartbeatSeconds),
    [Env.workerVisibilitySeconds]: String(settings.visibilitySeconds),
    [Env.workerStopTimeoutSeconds]: '5',
    [Env.workerHealthFile]: settings.healthFile,
    [Env.serviceName]: 'audio-reconciliation-worker-local',
    [Env.logLevel]: 'INFO',
  };
}

/** PATH and the like from this process, so a child finds the same tools; nothing AWS-related leaks in. */
export function baseProcessEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ', 'TERM'];
  const out: Record<string, string> = {};
  for (const k of keep) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
