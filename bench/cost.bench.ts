/**
 * `npm run bench:cost`: what the polling policy costs and how late downloads start, measured, not
 * estimated. The same seeded mix of export durations (lognormal, median 8 min, a tail past the poll
 * limit) runs through the real reconciliation ASL on the local engine in virtual time, once with
 * the `fixed` 300 s policy and once with `adaptive`: real handlers in process, the OCP simulator over
 * HTTP on the virtual clock, DynamoDB Local and fauxqs through the SDK. The download worker is the one
 * stand-in: it answers the task token at once with the recording the simulator serves, since the
 * worker's own speed is bench:download's business and real-time streaming cannot run on a virtual clock.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Engine, VirtualClock } from '../local/engine/index.ts';
import { localResolvers } from '../local/integrations/local-resolvers.ts';
import { projectLambdaFunctions } from '../local/integrations/project-functions.ts';
import type { LambdaHandler } from '../local/integrations/lambda.ts';
import { startOcpSimulator, type OcpSimulator } from '../local/ocp-sim/index.ts';
import { startDynamoDbLocal } from '../local/services/dynamodb-local.ts';
import { startFauxqs } from '../local/services/fauxqs.ts';
import { provisionQueues, provisionTable } from '../local/services/provision.ts';
import { startSecretsManager } from '../local/sfn-api/secrets-manager.ts';
import { LocalCredentials, LocalRegion, localWiring } from '../local/mode/environment.ts';
import { localHandlers } from '../local/mode/local-handlers.ts';
import { LocalQueueSizing, localResourceNames } from '../local/mode/local-resources.ts';
import { mean, percentile } from '../local/mode/percentiles.ts';
import { LocalAccountId, functionArn, functionPhysicalName } from '../local/mode/workflow-host.ts';
import { DownloadResult, NotifyDownloadInput } from '../runtime/contracts.ts';
import { Bucket } from '../system/resources.ts';
import { FunctionNames, type FunctionName } from '../system/functions.ts';
import type { WorkflowConfig } from '../workflow/config.ts';
import { renderReconciliationAsl } from '../workflow/reconciliation.ts';
import { readStackWorkflowConfig } from '../workflow/stack-config.ts';

const PricePerThousandTransitions = 0.025;
const ReconciliationsPerDay = 10_000;

const { values } = parseArgs({ options: { calls: { type: 'string' }, seed: { type: 'string' } } });
const calls = Number(values.calls ?? 1000);
const seed = Number(values.seed ?? 2024);
if (!Number.isInteger(calls) || calls < 1) throw new Error(`--calls must be a positive integer, got ${values.calls}`);

/** The export-duration mix: median 8 minutes; sigma 0.9 puts ~7% past the fixed policy's 30-minute reach. */
const JobDurations = { kind: 'lognormal', medianSeconds: 480, sigma: 0.9, maxSeconds: 4 * 3600 } as const;

interface PolicyResult {
  policy: string;
  executions: number;
  outcomes: Record<string, number>;
  statesEntered: number[];
  statusCalls: number;
  lagSeconds: number[];
  durationSeconds: number[];
  /** Failed or timed-out task attempts: 0 means no retry or error path blurred the comparison. */
  taskErrors: number;
  benchWallMs: number;
}

async function runPolicy(policy: 'fixed' | 'adaptive', base: WorkflowConfig, shared: { dynamodb: string; sqsS3: string; ddb: DynamoDBClient; sqs: SQSClient }): Promise<PolicyResult> {
  const wall = Date.now();
  const workflow: WorkflowConfig = { ...base, pollingPolicy: policy };
  // Start at the real time: records carry a TTL from this clock, and DynamoDB Local deletes expired items.
  const clock = new VirtualClock(Math.ceil(Date.now() / 60_000) * 60_000);
  const names = localResourceNames(`cost-${policy}`);
  await provisionTable(shared.ddb, names.tableName);
  const queues = await provisionQueues(shared.sqs, names.prefix, LocalQueueSizing);

  const token = 'bench-token';
  const ocp: OcpSimulator = await startOcpSimulator({
    clock,
    seed,
    token,
    scenario: { jobDuration: JobDurations, eta: { mode: 'noisy', noise: 0.2 }, recording: { duration: { kind: 'uniform', minSeconds: 5, maxSeconds: 20 } } },
  });
  const secretArn = `arn:aws:secretsmanager:${LocalRegion}:${LocalAccountId}:secret:${names.prefix}/ocp-token-Bench1`;
  const secrets = await startSecretsManager({ secrets: { [secretArn]: token }, region: LocalRegion });
  // One state machine name for both policies: the simulator derives each job (its duration, its ETA
  // noise) from the execution ARN it gets as the idempotency key, so both policies meet the same jobs.
  const machineName = 'reconciliation-cost-bench';
  const stateMachineArn = `arn:aws:states:${LocalRegion}:${LocalAccountId}:stateMachine:${machineName}`;
  const wiring = localWiring({
    endpoints: { dynamodb: shared.dynamodb, sqsS3: shared.sqsS3, stepFunctions: 'http://127.0.0.1:9', secretsManager: secrets.endpoint, ocp: ocp.baseUrl },
    names,
    queues,
    stateMachineArn,
    ocpTokenSecretArn: secretArn,
    recordTtlDays: 30,
  });
  // Real-time timeouts measure the machine, not the policy: with a thousand executions in flight on
  // one virtual instant, the OCP client's 10 s would fire under load and add error-path states.
  const handlers = localHandlers(wiring, clock, { logLevel: 'SILENT', ocpTimeoutMs: 600_000 });

  // The download starts when notify hands the task to the worker: record the lag, then answer the token.
  const lagSeconds: number[] = [];
  // The worker stand-in answers through the engine, which is built after the handlers it resolves.
  const engineRef: { current?: Engine } = {};
  const realNotify = handlers.notifyDownloadService;
  const notifyAndDownload: LambdaHandler = async (event, context) => {
    const result = await realNotify(event, context);
    const input = NotifyDownloadInput.parse(event);
    const job = ocp.job(input.exportJobId);
    if (job) lagSeconds.push((clock.now() - (job.createdAt + job.durationMs)) / 1000);
    const recording = await ocp.expectedRecording(input.exportJobId);
    const key = Bucket.recordingKey(input.dialogGroupId, input.callId);
    const output = DownloadResult.parse({
      status: 'STORED',
      s3Uri: `s3://${names.bucketName}/${key}`,
      bucket: names.bucketName,
      key,
      sizeBytes: recording.wavBytes,
      sha256: recording.sha256,
      exportJobId: input.exportJobId,
      audio: { format: 'WAV', channels: recording.channels, sampleRate: recording.sampleRate, bitsPerSample: recording.bitsPerSample, durationSeconds: recording.durationSeconds },
    });
    // Hold the virtual clock until the callback lands, as a worker's heartbeat would keep the task alive.
    const release = clock.hold();
    setImmediate(() => {
      try {
        engineRef.current!.sendTaskSuccess(input.taskToken, JSON.stringify(output));
      } finally {
        release();
      }
    });
    return result;
  };
  const timeoutSeconds = Object.fromEntries(FunctionNames.map((n) => [n, 3600])) as Record<FunctionName, number>;
  const engine = new Engine({
    clock,
    region: LocalRegion,
    accountId: LocalAccountId,
    resolvers: localResolvers({
      lambda: {
        accountId: LocalAccountId,
        functions: projectLambdaFunctions({ physicalName: (n) => functionPhysicalName(names.prefix, n), handlers: { ...handlers, notifyDownloadService: notifyAndDownload }, timeoutSeconds }),
      },
      dynamoDb: { client: shared.ddb },
      sqs: { client: shared.sqs },
      region: LocalRegion,
      credentials: { ...LocalCredentials },
    }),
  });
  engineRef.current = engine;
  const functions = Object.fromEntries(FunctionNames.map((n) => [n, functionArn(names.prefix, n)])) as Record<FunctionName, string>;
  const definition = renderReconciliationAsl(workflow, { functions, tableName: names.tableName, failureQueueUrl: queues.failure.url });
  const machine = engine.createStateMachine({ name: machineName, definition });
  if (machine.stateMachineArn !== stateMachineArn) throw new Error(`The engine named the machine ${machine.stateMachineArn}, expected ${stateMachineArn}`);

  const arns: string[] = [];
  for (let i = 0; i < calls; i++) {
    const input = { dialogGroupId: `DG-COST-${String(i).padStart(5, '0')}`, callId: `CALL-COST-${i}`, originalTimestamp: '2026-01-05T08:00:00Z', retryAttempt: 0, source: 'RECONCILIATION_QUEUE' };
    arns.push(engine.startExecution({ stateMachineArn: machine.stateMachineArn, name: `cost-${i}`, input: JSON.stringify(input) }).executionArn);
  }
  const outcomes: Record<string, number> = {};
  let taskErrors = 0;
  const statesEntered: number[] = [];
  const durationSeconds: number[] = [];
  for (const arn of arns) {
    const done = await engine.waitForExecution(arn);
    const history = engine.getExecutionHistory(arn);
    statesEntered.push(history.filter((e) => e.type.endsWith('StateEntered')).length);
    taskErrors += history.filter((e) => e.type === 'TaskFailed' || e.type === 'TaskTimedOut').length;
    durationSeconds.push((done.stopDate!.getTime() - done.startDate.getTime()) / 1000);
    const failed = done.status === 'SUCCEEDED' ? 'COMPLETED' : (done.error ?? done.status);
    outcomes[failed] = (outcomes[failed] ?? 0) + 1;
  }
  const statusCalls = ocp.stats().requests.status;
  await engine.close();
  await ocp.stop();
  await secrets.stop();
  return { policy, executions: calls, outcomes, statesEntered, statusCalls, lagSeconds, durationSeconds, taskErrors, benchWallMs: Date.now() - wall };
}

function monthlyBill(meanStates: number): number {
  return ((meanStates * ReconciliationsPerDay) / 1000) * PricePerThousandTransitions * 30;
}

function minutes(s: number): string {
  return `${(s / 60).toFixed(1)} min`;
}

function print(r: PolicyResult): void {
  const m = mean(r.statesEntered);
  console.log(`\n${r.policy} (${r.executions} reconciliations, ${(r.benchWallMs / 1000).toFixed(1)} s of real time)`);
  console.log(`  outcomes                      ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}; failed task attempts ${r.taskErrors}`);
  console.log(`  states entered / execution    mean ${m.toFixed(2)}, p95 ${percentile(r.statesEntered, 95)}`);
  console.log(`  OCP status calls / execution  ${(r.statusCalls / r.executions).toFixed(2)}`);
  console.log(`  export ready -> download      mean ${minutes(mean(r.lagSeconds))}, p95 ${minutes(percentile(r.lagSeconds, 95))} (${r.lagSeconds.length} downloads)`);
  console.log(`  end-to-end duration           mean ${minutes(mean(r.durationSeconds))}, p50 ${minutes(percentile(r.durationSeconds, 50))}, p95 ${minutes(percentile(r.durationSeconds, 95))}`);
  console.log(`  Step Functions bill           $${((m * ReconciliationsPerDay) / 1000 * PricePerThousandTransitions).toFixed(2)}/day, $${monthlyBill(m).toFixed(2)}/month at ${ReconciliationsPerDay.toLocaleString('en-US')} reconciliations/day`);
}

async function main(): Promise<void> {
  const base = readStackWorkflowConfig('dev');
  console.log(`Cost bench: ${calls} reconciliations per policy, export durations lognormal (median 8 min, sigma 0.9, max 4 h), seed ${seed}, virtual time`);
  console.log(`Workflow (dev stack): maxPolls ${base.maxPolls}, fixed ${base.pollIntervalSeconds} s, adaptive [${base.adaptiveMinWaitSeconds}, ${base.adaptiveMaxWaitSeconds}] s; $${PricePerThousandTransitions} per 1,000 transitions (states entered)`);
  const dynamo = await startDynamoDbLocal();
  const fauxqs = await startFauxqs();
  const aws = { region: LocalRegion, credentials: { ...LocalCredentials } };
  const shared = { dynamodb: dynamo.endpoint, sqsS3: fauxqs.endpoint, ddb: new DynamoDBClient({ ...aws, endpoint: dynamo.endpoint }), sqs: new SQSClient({ ...aws, endpoint: fauxqs.endpoint }) };
  try {
    const fixed = await runPolicy('fixed', base, shared);
    print(fixed);
    const adaptive = await runPolicy('adaptive', base, shared);
    print(adaptive);
    console.log('');
    console.log(`transitions ratio: ${(mean(fixed.statesEntered) / mean(adaptive.statesEntered)).toFixed(2)}`);
    console.log(`lag ratio: ${(mean(fixed.lagSeconds) / mean(adaptive.lagSeconds)).toFixed(2)}`);
  } finally {
    shared.ddb.destroy();
    shared.sqs.destroy();
    await fauxqs.stop();
    await dynamo.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`cost bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
