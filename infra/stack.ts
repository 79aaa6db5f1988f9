/**
 * The whole system for one stack, from typed config: storage, queues, the OCP token, the Lambdas,
 * the state machine, the worker and the monitoring. index.ts calls this once; tests call it
 * through index.ts under Pulumi's mocks.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { FunctionNames, type FunctionName } from '../system/functions.ts';
import { resourceName } from '../system/resources.ts';
import type { WorkflowConfig } from '../workflow/config.ts';
import { RecordingsBucket } from './bucket.ts';
import type { Bundler } from './bundle.ts';
import type { StackConfig } from './config.ts';
import { handlerEnvironment, handlerPermissions, type HandlerTargets } from './function-access.ts';
import { HandlerFunction } from './handler-function.ts';
import { Monitoring } from './monitoring.ts';
import { resolveNetwork } from './network.ts';
import { OcpTokenSecret } from './ocp-secret.ts';
import { ReconciliationQueues } from './queues.ts';
import { ReconciliationStateMachine, type WorkflowRenderer } from './state-machine.ts';
import { ReconciliationTable } from './table.ts';
import { DownloadWorker } from './worker.ts';

export interface StackDependencies {
  /** Builds a handler's deployment bundle. */
  bundle: Bundler;
  /** The workflow for this stack's config: ASL text and the permissions its graph needs. */
  workflow: (config: WorkflowConfig) => WorkflowRenderer;
  /** Project root, for the worker image's build context. */
  projectRoot: string;
}

export interface StackOutputs {
  stateMachineArn: pulumi.Output<string>;
  inputQueueUrl: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
  bucketName: pulumi.Output<string>;
  dlqUrls: { input: pulumi.Output<string>; worker: pulumi.Output<string>; failure: pulumi.Output<string> };
  dashboardUrl: pulumi.Output<string>;
  alarmTopicArn: pulumi.Output<string>;
  workerImageUri: pulumi.Output<string>;
}

/** Lambdas the state machine invokes: every handler except the trigger, which starts it. */
export const WorkflowFunctionNames = FunctionNames.filter((n): n is Exclude<FunctionName, 'trigger'> => n !== 'trigger');

/** S3 caps a bucket name prefix at 37 characters (AWS adds a unique suffix). */
const MaxBucketPrefix = 36;

export function deployReconciliation(config: StackConfig, ocpApiToken: pulumi.Output<string>, deps: StackDependencies): StackOutputs {
  const prefix = `${config.project}-${config.stack}`;
  const bucketPrefix = `${prefix}-recordings`.toLowerCase();
  if (bucketPrefix.length > MaxBucketPrefix)
    throw new Error(`Stack name '${config.stack}' is too long: the bucket name prefix '${bucketPrefix}' must be at most ${MaxBucketPrefix} characters`);
  const accountId = aws.getCallerIdentityOutput().accountId;

  const table = new ReconciliationTable('records', {
    tableName: resourceName(prefix, 'reconciliations'),
    pointInTimeRecovery: config.storage.pointInTimeRecovery,
    allowDestroy: config.storage.allowDestroy,
  });
  const queues = new ReconciliationQueues('queues', {
    prefix,
    sizing: { triggerTimeoutSeconds: config.trigger.timeoutSeconds, workerVisibilitySeconds: config.worker.visibilityTimeoutSeconds },
  });
  const bucket = new RecordingsBucket('recordings', {
    namePrefix: bucketPrefix,
    versioning: config.storage.bucketVersioning,
    infrequentAccessDays: config.storage.recordingsInfrequentAccessDays,
    noncurrentVersionExpirationDays: config.storage.noncurrentVersionExpirationDays,
    allowDestroy: config.storage.allowDestroy,
  });
  const ocpToken = new OcpTokenSecret('ocp-token', {
    secretName: `${prefix}/ocp-api-token`,
    token: ocpApiToken,
    allowDestroy: config.storage.allowDestroy,
  });

  const targets: HandlerTargets = {
    tableName: table.name,
    tableArn: table.arn,
    workerQueue: queues.worker,
    inputDlq: queues.inputDlq,
    ocpBaseUrl: config.ocp.baseUrl,
    ocpTokenSecretArn: ocpToken.arn,
    recordTtlDays: config.recordTtlDays,
  };
  const lambda = (handler: FunctionName, t: HandlerTargets, extra: Partial<ConstructorParameters<typeof HandlerFunction>[1]> = {}) =>
    new HandlerFunction(handler, {
      handler,
      functionName: resourceName(prefix, handler),
      bundle: deps.bundle(handler),
      accountId,
      permissions: handlerPermissions(handler, t),
      environment: handlerEnvironment(handler, t),
      memoryMb: config.lambda.memoryMb,
      timeoutSeconds: config.lambda.timeoutSeconds,
      architecture: config.lambda.architecture,
      logRetentionDays: config.logs.retentionDays,
      logLevel: config.logs.level,
      ...extra,
    });

  const fns = Object.fromEntries(WorkflowFunctionNames.map((n) => [n, lambda(n, targets)])) as Record<(typeof WorkflowFunctionNames)[number], HandlerFunction>;

  const stateMachine = new ReconciliationStateMachine('workflow', {
    stateMachineName: prefix,
    accountId,
    render: deps.workflow(config.workflow),
    resources: {
      functions: {
        createExportJob: fns.createExportJob.arn,
        checkExportStatus: fns.checkExportStatus.arn,
        getExportMetadata: fns.getExportMetadata.arn,
        notifyDownloadService: fns.notifyDownloadService.arn,
        consolidateReconciliation: fns.consolidateReconciliation.arn,
      },
      tableName: table.name,
      tableArn: table.arn,
      failureQueueUrl: queues.failure.url,
      failureQueueArn: queues.failure.arn,
    },
    logLevel: config.logs.stateMachineLevel,
    includeExecutionData: config.logs.includeExecutionData,
    logRetentionDays: config.logs.retentionDays,
  });

  const trigger = lambda('trigger', { ...targets, stateMachineArn: stateMachine.arn }, {
    timeoutSeconds: config.trigger.timeoutSeconds,
    eventSource: { queueArn: queues.input.arn, batchSize: config.trigger.batchSize, maximumConcurrency: config.trigger.maximumConcurrency },
  });

  const worker = new DownloadWorker('worker', {
    prefix,
    region: config.region,
    accountId,
    projectRoot: deps.projectRoot,
    settings: config.worker,
    network: resolveNetwork(config.network),
    queue: queues.worker,
    deadLetterQueue: queues.workerDlq,
    bucket: { name: bucket.name, recordingsArn: bucket.recordingsArn },
    stateMachineArn: stateMachine.arn,
    allowedDownloadHosts: config.ocp.allowedDownloadHosts,
    heartbeatSeconds: config.workflow.heartbeatSeconds,
    logLevel: config.logs.level,
    logRetentionDays: config.logs.retentionDays,
    allowDestroy: config.storage.allowDestroy,
  });

  const monitoring = new Monitoring('monitoring', {
    prefix,
    region: config.region,
    thresholds: config.alarms,
    stateMachineArn: stateMachine.arn,
    functionNames: { trigger: trigger.name, ...Object.fromEntries(Object.entries(fns).map(([n, f]) => [n, f.name])) },
    deadLetterQueues: [
      { label: 'input-dlq', name: queues.inputDlq.name },
      { label: 'worker-dlq', name: queues.workerDlq.name },
      { label: 'failure-dlq', name: queues.failure.name },
    ],
    workerQueue: { label: 'worker', name: queues.worker.name },
    worker: { clusterName: worker.clusterName, serviceName: worker.serviceName },
  });

  return {
    stateMachineArn: stateMachine.arn,
    inputQueueUrl: queues.input.url,
    tableName: table.name,
    bucketName: bucket.name,
    dlqUrls: { input: queues.inputDlq.url, worker: queues.workerDlq.url, failure: queues.failure.url },
    dashboardUrl: monitoring.dashboardUrl,
    alarmTopicArn: monitoring.topicArn,
    workerImageUri: worker.imageUri,
  };
}
