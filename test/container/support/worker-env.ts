/**
 * Everything the worker talks to, real and local: fauxqs (worker queue with its DLQ, recordings
 * bucket), the OCP simulator serving real ZIP exports, and the project's Step Functions engine behind
 * its HTTP API, running a one-state machine whose `sqs:sendMessage.waitForTaskToken` task queues
 * the download exactly as notifyDownloadService does.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, RealClock } from '../../../local/engine/index.ts';
import { sqsResolver } from '../../../local/integrations/sqs.ts';
import { startOcpSimulator, type OcpSimulator, type ScenarioPatch } from '../../../local/ocp-sim/index.ts';
import { startStepFunctionsApi, type StepFunctionsApi } from '../../../local/sfn-api/server.ts';
import { createOcpClient } from '../../../runtime/ocp/client.ts';
import { downloadHandoffDefinition } from '../../support/download-handoff-machine.ts';
import { localAws, sqsS3Local } from '../../support/services.ts';
import { freshBucket } from './s3.ts';

const OcpToken = 'worker-test-token';

export interface WorkerEnv {
  sqs: SQSClient;
  s3: S3Client;
  sfn: SFNClient;
  sqsS3Endpoint: string;
  sfnEndpoint: string;
  ocp: OcpSimulator;
  queueUrl: string;
  dlqUrl: string;
  bucket: string;
  /** Creates an OCP export for the call (finished at once) and returns its signed download URL. */
  exportFor(callId: string, scenario?: ScenarioPatch): Promise<{ exportJobId: string; downloadUrl: string }>;
  /** Starts a one-state execution that hands the task to the worker queue and waits for its callback. */
  startDownload(
    input: { exportJobId: string; callId: string; downloadUrl: string },
    timing?: { timeoutSeconds?: number; heartbeatSeconds?: number; queueUrl?: string },
  ): Promise<string>;
  waitForExecution(arn: string, timeoutMs?: number): Promise<{ status: string; output?: string; error?: string; cause?: string }>;
  close(): Promise<void>;
}

export const DialogGroupId = 'DG-2024-000777';

export async function startWorkerEnv(): Promise<WorkerEnv> {
  const { endpoint } = await sqsS3Local();
  const sqs = new SQSClient({ ...localAws, endpoint });
  const s3 = new S3Client({ ...localAws, endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const suffix = randomUUID().slice(0, 8);
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `worker-dlq-${suffix}` }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: `worker-${suffix}`,
        Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
      }),
    )
  ).QueueUrl!;
  const bucket = await freshBucket(s3);

  const ocp = await startOcpSimulator({
    token: OcpToken,
    seed: 7,
    scenario: { jobDuration: { kind: 'fixed', seconds: 0 }, recording: { duration: { kind: 'fixed', seconds: 5 }, channels: 1, sampleRate: 8000 } },
  });
  const ocpClient = createOcpClient({ baseUrl: ocp.baseUrl, token: async () => OcpToken, retry: { limit: 0 } });

  const engine = new Engine({ clock: new RealClock(), resolvers: [sqsResolver({ client: sqs })] });
  const api: StepFunctionsApi = await startStepFunctionsApi({ engine });
  const sfn = new SFNClient({ ...localAws, endpoint: api.endpoint });
  const machines = new Map<string, string>();

  async function machineFor(timeoutSeconds: number, heartbeatSeconds: number, targetQueueUrl: string): Promise<string> {
    const name = `download-${timeoutSeconds}-${heartbeatSeconds}-${targetQueueUrl.split('/').pop()}`;
    const known = machines.get(name);
    if (known) return known;
    const r = await sfn.send(new CreateStateMachineCommand({ name, definition: downloadHandoffDefinition(targetQueueUrl, { timeoutSeconds, heartbeatSeconds }), roleArn: 'arn:aws:iam::123456789012:role/local' }));
    machines.set(name, r.stateMachineArn!);
    return r.stateMachineArn!;
  }

  return {
    sqs,
    s3,
    sfn,
    sqsS3Endpoint: endpoint,
    sfnEndpoint: api.endpoint,
    ocp,
    queueUrl,
    dlqUrl,
    bucket,
    async exportFor(callId, scenario) {
      if (scenario) ocp.setScenario(scenario, { callId });
      const created = await ocpClient.createExportJob({ dialogGroupId: DialogGroupId, callId, requestedAt: new Date().toISOString(), idempotencyKey: `test-${callId}-${randomUUID()}` });
      const status = await ocpClient.getExportStatus({ exportJobId: created.exportJobId, dialogGroupId: DialogGroupId });
      if (status.status !== 'COMPLETED') throw new Error(`export for ${callId} is ${status.status}, expected COMPLETED at once`);
      return { exportJobId: created.exportJobId, downloadUrl: String(status.downloadUrl) };
    },
    async startDownload(input, timing = {}) {
      const arn = await machineFor(timing.timeoutSeconds ?? 60, timing.heartbeatSeconds ?? 5, timing.queueUrl ?? queueUrl);
      const r = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ ...input, dialogGroupId: DialogGroupId }) }));
      return r.executionArn!;
    },
    async waitForExecution(arn, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
        if (d.status !== 'RUNNING') return { status: d.status!, output: d.output, error: d.error, cause: d.cause };
        if (Date.now() > deadline) throw new Error(`execution still RUNNING after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async close() {
      await api.stop();
      await engine.close();
      await ocp.stop();
    },
  };
}
