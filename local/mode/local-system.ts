/**
 * The whole system on one machine: DynamoDB Local, fauxqs (SQS + S3), the OCP simulator, Secrets
 * Manager, the workflow host (Step Functions engine + API + Lambda handlers + the trigger's SQS
 * poller) and the download worker, started in that order on 127.0.0.1, with the table, queues and
 * bucket created from the shared definitions. Everything a run writes lives under one folder.
 */
import { RealClock } from '../engine/clock.ts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { startDynamoDbLocal, type DynamoDbLocal } from '../services/dynamodb-local.ts';
import { startFauxqs, type LocalSqsS3 } from '../services/fauxqs.ts';
import { freePort } from '../services/ports.ts';
import { provisionBucket, provisionQueues, provisionTable, type ProvisionedQueue } from '../services/provision.ts';
import { startSecretsManager } from '../sfn-api/secrets-manager.ts';
import { startOcpSimulator, type OcpSimulator } from '../ocp-sim/index.ts';
import type { ScenarioPatch, ScenarioTarget } from '../ocp-sim/scenario.ts';
import type { WorkflowConfig } from '../../workflow/config.ts';
import type { StackConfig } from '../../infra/config.ts';
import { HealthReport } from '../../container/src/health.ts';
import { readStackConfig } from './stack-settings.ts';
import { startReaper } from './reaper.ts';
import { assertJavaAvailable, assertRequestedPortsFree, workerHeartbeatSeconds, type RequestedPorts } from './preflight.ts';
import { onLoopback } from './loopback-queues.ts';
import { childService, type ChildService } from './child-service.ts';
import { createRunFolders, type RunFolders } from './data-dir.ts';
import { LocalCredentials, LocalRegion, baseProcessEnvironment, localWiring, sdkEnvironment, workerEnvironment, type LocalEndpoints, type LocalWiring } from './environment.ts';
import { LocalPrefix, LocalQueueSizing, localResourceNames } from './local-resources.ts';
import { createServiceLog, type ServiceLog } from './service-log.ts';
import { WorkflowHostReadyMarker, stateMachineArnFor, type WorkflowHostConfig } from './workflow-host.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalSystemOptions {
  /** Parent of the run folder; `.local-data` when absent. */
  dataRoot?: string;
  runId?: string;
  /** Clock speed of the workflow and the simulator's jobs: 200 makes a 30-minute export take 9 s. */
  speed: number;
  workflow: WorkflowConfig;
  /**
   * The stack whose trigger batching and concurrency, Lambda timeouts, worker concurrency and record
   * TTL local mode copies (from Pulumi.<stack>.yaml via infra's schema); the dev stack when absent.
   */
  stack?: StackConfig;
  seed: number;
  ports?: RequestedPorts;
  /** Simulator scenarios by callId prefix (or for the whole run). */
  ocpScenarios?: { patch: ScenarioPatch; target?: ScenarioTarget }[];
  worker?: { concurrency?: number };
  eventSource?: { batchSize?: number; maximumBatchingWindowSeconds?: number; maximumConcurrency?: number };
  /** Keep DynamoDB Local's tables in memory instead of under the run folder (faster tests). */
  inMemoryDynamoDb?: boolean;
  /** Resource prefix; tests sharing one DynamoDB Local and fauxqs use different ones. */
  prefix?: string;
  /** Already running DynamoDB Local / fauxqs to use instead of starting new ones (tests share them). */
  external?: { dynamodbEndpoint?: string; sqsS3Endpoint?: string };
}

export interface LocalSystem {
  folders: RunFolders;
  endpoints: LocalEndpoints;
  wiring: LocalWiring;
  queues: Record<'input' | 'worker' | 'failure', ProvisionedQueue>;
  clock: RealClock;
  ocp: OcpSimulator;
  clients: { ddb: DynamoDBClient; sqs: SQSClient; s3: S3Client; sfn: SFNClient };
  workflowHost: ChildService;
  worker: ChildService;
  log: ServiceLog;
  /** Sends raw message bodies to the input queue, as any producer would. */
  send(bodies: readonly string[]): Promise<void>;
  /** Kills (SIGKILL) and restarts the workflow host on the same checkpoint folder; says how many executions it resumed. */
  restartWorkflowHost(): Promise<{ resumed: number }>;
  /** Kills (SIGKILL) and restarts the download worker. */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

const HostReady = z.object({ resumed: z.number().int().nonnegative() });

function workerReported(healthFile: string, sinceMs: number): boolean {
  try {
    const report = HealthReport.parse(JSON.parse(readFileSync(healthFile, 'utf8')));
    return report.at >= sinceMs && report.state !== 'stopped';
  } catch {
    return false;
  }
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  assertJavaAvailable();
  workerHeartbeatSeconds(options.workflow.heartbeatSeconds, options.speed);
  await assertRequestedPortsFree(options.ports ?? {});
  const stack = options.stack ?? readStackConfig('dev');
  const folders = createRunFolders(options.dataRoot ?? join(root, '.local-data'), options.runId);
  const log = createServiceLog(join(folders.logs, 'local-mode.log'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.log('error', 'stop failed', { error: String(err) }));
    stops.length = 0;
  };

  try {
    const clock = new RealClock(options.speed);
    const names = localResourceNames(options.prefix ?? LocalPrefix);

    let dynamo: Pick<DynamoDbLocal, 'endpoint'>;
    if (options.external?.dynamodbEndpoint) dynamo = { endpoint: options.external.dynamodbEndpoint };
    else {
      const started = await startDynamoDbLocal({ ...(options.ports?.dynamodb ? { port: options.ports.dynamodb } : {}), ...(options.inMemoryDynamoDb ? {} : { dataDir: folders.dynamodb }) });
      stops.push(() => started.stop());
      // Java is not a Node child that dies with us: a reaper kills it if we are killed first.
      startReaper([started.pid]);
      dynamo = started;
    }
    let fauxqs: Pick<LocalSqsS3, 'endpoint'>;
    if (options.external?.sqsS3Endpoint) fauxqs = { endpoint: options.external.sqsS3Endpoint };
    else {
      const started = await startFauxqs(options.ports?.sqsS3 ? { port: options.ports.sqsS3 } : {});
      stops.push(() => started.stop());
      fauxqs = started;
    }

    const aws = { region: LocalRegion, credentials: { ...LocalCredentials } };
    const ddb = new DynamoDBClient({ ...aws, endpoint: dynamo.endpoint });
    const sqs = new SQSClient({ ...aws, endpoint: fauxqs.endpoint });
    const s3 = new S3Client({ ...aws, endpoint: fauxqs.endpoint, forcePathStyle: true });
    stops.push(async () => [ddb, sqs, s3].forEach((c) => c.destroy()));
    await provisionTable(ddb, names.tableName);
    const queues = onLoopback(await provisionQueues(sqs, names.prefix, LocalQueueSizing), fauxqs.endpoint);
    await provisionBucket(s3, names.bucketName);
    log.log('info', 'resources provisioned', { tableName: names.tableName, bucketName: names.bucketName, queues: Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.url])) });

    const token = `local-ocp-token-${folders.runId}`;
    const ocp = await startOcpSimulator({ clock, seed: options.seed, token, ...(options.ports?.ocp ? { port: options.ports.ocp } : {}) });
    stops.push(() => ocp.stop());
    for (const s of options.ocpScenarios ?? []) ocp.setScenario(s.patch, s.target);

    const secretArn = `arn:aws:secretsmanager:${LocalRegion}:000000000000:secret:${names.prefix}/ocp-token-Local1`;
    const secrets = await startSecretsManager({ secrets: { [secretArn]: JSON.stringify({ token }) }, region: LocalRegion, ...(options.ports?.secretsManager ? { port: options.ports.secretsManager } : {}) });
    stops.push(() => secrets.stop());

    const sfnPort = options.ports?.stepFunctions ?? (await freePort());
    const endpoints: LocalEndpoints = { dynamodb: dynamo.endpoint, sqsS3: fauxqs.endpoint, stepFunctions: `http://127.0.0.1:${sfnPort}`, secretsManager: secrets.endpoint, ocp: ocp.baseUrl };
    const wiring = localWiring({
      endpoints,
      names,
      queues,
      stateMachineArn: stateMachineArnFor(names.prefix),
      ocpTokenSecretArn: secretArn,
      recordTtlDays: stack.recordTtlDays,
    });
    const clients = { ddb, sqs, s3, sfn: new SFNClient({ ...aws, endpoint: endpoints.stepFunctions }) };
    stops.push(async () => clients.sfn.destroy());

    const hostConfig: WorkflowHostConfig = {
      prefix: names.prefix,
      clock: { originMs: clock.originMs, speed: clock.speed },
      engineDataDir: folders.engine,
      stepFunctionsPort: sfnPort,
      lambdaTimeoutSeconds: stack.lambda.timeoutSeconds,
      triggerTimeoutSeconds: stack.trigger.timeoutSeconds,
      workflow: options.workflow,
      wiring: { ...wiring, inputQueueArn: queues.input.arn, failureQueueArn: queues.failure.arn },
      eventSource: {
        batchSize: options.eventSource?.batchSize ?? stack.trigger.batchSize,
        maximumBatchingWindowSeconds: options.eventSource?.maximumBatchingWindowSeconds ?? 0,
        maximumConcurrency: options.eventSource?.maximumConcurrency ?? stack.trigger.maximumConcurrency,
        // Fauxqs counts visibility in real seconds; a failed trigger batch should not wait minutes.
        retryVisibilitySeconds: 1,
      },
    };
    const workflowHost = childService({
      name: 'workflow host',
      entry: join(root, 'local/mode/workflow-host-main.ts'),
      env: { ...baseProcessEnvironment(), ...sdkEnvironment(endpoints), LOCAL_WORKFLOW_HOST: JSON.stringify(hostConfig), LOCAL_WORKFLOW_HOST_LOG: join(folders.logs, 'workflow-host.log') },
      logFile: join(folders.logs, 'lambda-handlers.log'),
      readyLine: new RegExp(`^${WorkflowHostReadyMarker} (.*)$`),
      readyTimeoutMs: 60_000,
    });
    const worker = childService({
      name: 'download worker',
      entry: join(root, 'container/src/main.ts'),
      env: {
        ...baseProcessEnvironment(),
        ...workerEnvironment(wiring, {
          concurrency: options.worker?.concurrency ?? stack.worker.concurrency,
          heartbeatSeconds: workerHeartbeatSeconds(options.workflow.heartbeatSeconds, options.speed),
          visibilitySeconds: LocalQueueSizing.workerVisibilitySeconds,
          healthFile: join(folders.root, 'worker-health.json'),
        }),
      },
      logFile: join(folders.logs, 'worker.log'),
      // Ready once it has written its health file: polling has started, so heartbeats will follow.
      readyCheck: (since) => workerReported(join(folders.root, 'worker-health.json'), since),
      readyTimeoutMs: 60_000,
    });
    // Both children take seconds to load their TypeScript; start them side by side. The worker
    // only needs the Step Functions port, which is fixed above, and retries until it answers.
    const started = await Promise.allSettled([workflowHost.start(), worker.start()]);
    stops.push(() => workflowHost.stop());
    stops.push(() => worker.stop());
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    log.log('info', 'local system started', { endpoints, dataDir: folders.root });

    return {
      folders,
      endpoints,
      wiring,
      queues,
      clock,
      ocp,
      clients,
      workflowHost,
      worker,
      log,
      async send(bodies) {
        for (let i = 0; i < bodies.length; i += 10) {
          const out = await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queues.input.url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
          if (out.Failed?.length) throw new Error(`SendMessageBatch to the input queue failed for ${out.Failed.length} messages: ${out.Failed[0]?.Message}`);
        }
      },
      async restartWorkflowHost() {
        workflowHost.kill('SIGKILL');
        await workflowHost.exited();
        const ready = await workflowHost.start();
        return { resumed: HostReady.parse(JSON.parse(ready?.[1] ?? '{}')).resumed };
      },
      async restartWorker() {
        worker.kill('SIGKILL');
        await worker.exited();
        await worker.start();
      },
      async stop() {
        await stopAll();
        await log.close();
      },
    };
  } catch (err) {
    await stopAll();
    await log.close();
    throw err;
  }
}
