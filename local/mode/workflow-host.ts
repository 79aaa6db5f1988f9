/**
 * The Lambda side of local mode in one place: the Step Functions engine running the generated ASL,
 * its API endpoint, the Lambda handlers it invokes in process, and the SQS event source mapping that
 * feeds the trigger handler. Runs in this process (benchmarks) or as a child process
 * (workflow-host-main.ts) that chaos can SIGKILL and restart on the same checkpoint folder.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { Engine, RealClock } from '../engine/index.ts';
import type { StepFunctionsEngine } from '../engine/types.ts';
import { localResolvers } from '../integrations/local-resolvers.ts';
import { projectLambdaFunctions } from '../integrations/project-functions.ts';
import { startStepFunctionsApi } from '../sfn-api/server.ts';
import { FunctionNames, type FunctionName } from '../../system/functions.ts';
import { WorkflowConfig } from '../../workflow/config.ts';
import { renderReconciliationAsl } from '../../workflow/reconciliation.ts';
import { localHandlers } from './local-handlers.ts';
import { LocalCredentials, LocalRegion, handlerEnvironment } from './environment.ts';
import type { ServiceLog } from './service-log.ts';
import { startEventSourceMapping, type EventSourceMapping, type SqsHandler } from './sqs-event-source.ts';

export const LocalAccountId = '000000000000';


/** The line the host child prints on stdout once it serves. */
export const WorkflowHostReadyMarker = 'WORKFLOW_HOST_READY';

export const WorkflowHostConfig = z.object({
  prefix: z.string().min(1),
  clock: z.object({ originMs: z.number(), speed: z.number().positive() }),
  /** Checkpoint folder of the engine; a restarted host resumes from it. */
  engineDataDir: z.string().min(1).optional(),
  stepFunctionsPort: z.number().int().min(0).max(65_535),
  /** The deployed functions' timeouts (stack config), in real seconds. */
  lambdaTimeoutSeconds: z.number().int().positive(),
  triggerTimeoutSeconds: z.number().int().positive(),
  workflow: z.unknown(),
  wiring: z.object({
    endpoints: z.object({ dynamodb: z.url(), sqsS3: z.url(), stepFunctions: z.string(), secretsManager: z.url(), ocp: z.url() }),
    tableName: z.string(),
    bucketName: z.string(),
    inputQueueUrl: z.url(),
    inputQueueArn: z.string(),
    inputDlqUrl: z.url(),
    workerQueueUrl: z.url(),
    workerDlqUrl: z.url(),
    failureQueueUrl: z.url(),
    failureQueueArn: z.string(),
    ocpTokenSecretArn: z.string(),
    recordTtlDays: z.number().int().positive(),
  }),
  eventSource: z.object({
    batchSize: z.number().int().positive(),
    maximumBatchingWindowSeconds: z.number().min(0),
    maximumConcurrency: z.number().int().min(2),
    retryVisibilitySeconds: z.number().int().min(0).optional(),
  }),
});
export type WorkflowHostConfig = z.input<typeof WorkflowHostConfig>;

export interface WorkflowHost {
  engine: StepFunctionsEngine;
  stepFunctionsEndpoint: string;
  stateMachineArn: string;
  /** Executions left RUNNING by an earlier host on the same checkpoint folder, now resumed. */
  resumed: number;
  trigger: EventSourceMapping;
  stop(): Promise<void>;
}

export function functionPhysicalName(prefix: string, name: FunctionName): string {
  return `${prefix}-${name}`;
}

export function functionArn(prefix: string, name: FunctionName): string {
  return `arn:aws:lambda:${LocalRegion}:${LocalAccountId}:function:${functionPhysicalName(prefix, name)}`;
}

export function stateMachineName(prefix: string): string {
  return `${prefix}-reconciliation`;
}

export function stateMachineArnFor(prefix: string): string {
  return `arn:aws:states:${LocalRegion}:${LocalAccountId}:stateMachine:${stateMachineName(prefix)}`;
}

/**
 * Starts the host. The handlers get their dependencies from local-handlers.ts; the environment is
 * set as well, as infra sets it, for anything that still reads it.
 */
export async function startWorkflowHost(raw: WorkflowHostConfig, log: ServiceLog): Promise<WorkflowHost> {
  const config = WorkflowHostConfig.parse(raw);
  const workflow = WorkflowConfig.parse(config.workflow);
  const stateMachineArn = stateMachineArnFor(config.prefix);
  const w = config.wiring;
  Object.assign(process.env, handlerEnvironment({ ...w, stateMachineArn }));

  const clock = new RealClock(config.clock.speed, config.clock.originMs);
  const handlers = localHandlers({ ...w, stateMachineArn }, clock);
  // Lambda's timeout is real time; the resolver measures it on the workflow clock, so scale it.
  const timeoutSeconds = Object.fromEntries(FunctionNames.map((n) => [n, (n === 'trigger' ? config.triggerTimeoutSeconds : config.lambdaTimeoutSeconds) * config.clock.speed]));
  const lambda = {
    functions: projectLambdaFunctions({ physicalName: (n) => functionPhysicalName(config.prefix, n), handlers, timeoutSeconds }),
    accountId: LocalAccountId,
    onAsyncError: (fn: string, err: unknown) => log.log('error', 'asynchronous invocation failed', { functionName: fn, error: String(err) }),
  };
  const engine = new Engine({
    clock,
    resolvers: localResolvers({ lambda, dynamoDb: { endpoint: w.endpoints.dynamodb }, sqs: { endpoint: w.endpoints.sqsS3 }, region: LocalRegion, credentials: { ...LocalCredentials } }),
    region: LocalRegion,
    accountId: LocalAccountId,
    ...(config.engineDataDir ? { dataDir: config.engineDataDir } : {}),
  });

  const functions = Object.fromEntries(FunctionNames.map((n) => [n, functionArn(config.prefix, n)])) as Record<FunctionName, string>;
  const definition = renderReconciliationAsl(workflow, {
    functions,
    tableName: w.tableName,
    failureQueueUrl: w.failureQueueUrl,
  });
  let existing = false;
  try {
    existing = engine.describeStateMachine(stateMachineArn).definition === definition;
  } catch {
    existing = false;
  }
  if (!existing) engine.createStateMachine({ name: stateMachineName(config.prefix), definition });

  const api = await startStepFunctionsApi({ engine, port: config.stepFunctionsPort });
  const resumed = await engine.resume();
  log.log('info', 'workflow host started', { stepFunctions: api.endpoint, stateMachineArn, resumed });

  const trigger = handlers.trigger as SqsHandler;
  const sqs = new SQSClient({ region: LocalRegion, credentials: { ...LocalCredentials }, endpoint: w.endpoints.sqsS3 });
  const mapping = startEventSourceMapping(
    sqs,
    trigger,
    {
      queueUrl: w.inputQueueUrl,
      queueArn: w.inputQueueArn,
      functionName: functionPhysicalName(config.prefix, 'trigger'),
      reportBatchItemFailures: true,
      functionTimeoutSeconds: config.triggerTimeoutSeconds,
      region: LocalRegion,
      ...config.eventSource,
    },
    log.child('event-source-mapping'),
  );

  return {
    engine,
    stepFunctionsEndpoint: api.endpoint,
    stateMachineArn,
    resumed,
    trigger: mapping,
    async stop() {
      await mapping.stop();
      await api.stop();
      await engine.close();
      sqs.destroy();
    },
  };
}
