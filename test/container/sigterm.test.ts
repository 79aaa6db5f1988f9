/**
 * The real entry point (container/src/main.ts) as a child process, configured only through the
 * environment, the way ECS runs it; then SIGTERM, the way ECS stops it.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHealth } from '../../container/src/health.ts';
import { Env } from '../../system/functions.ts';
import { Bucket } from '../../system/resources.ts';
import { localAws } from '../support/services.ts';
import { objectExists } from './support/s3.ts';
import { DialogGroupId, startWorkerEnv, type WorkerEnv } from './support/worker-env.ts';

const MiB = 1024 * 1024;

interface RunningWorker {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  healthFile: string;
  waitForLog(predicate: (l: Record<string, unknown>) => boolean): Promise<void>;
}

function startChild(env: WorkerEnv, stopTimeoutSeconds: number): RunningWorker {
  const healthFile = join(mkdtempSync(join(tmpdir(), 'worker-health-')), 'health.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'container/src/main.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      AWS_REGION: localAws.region,
      AWS_ACCESS_KEY_ID: localAws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localAws.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: env.sqsS3Endpoint,
      AWS_ENDPOINT_URL_S3: env.sqsS3Endpoint,
      AWS_ENDPOINT_URL_SFN: env.sfnEndpoint,
      [Env.s3ForcePathStyle]: 'true',
      [Env.workerQueueUrl]: env.queueUrl,
      [Env.bucketName]: env.bucket,
      [Env.allowedDownloadHosts]: env.ocp.baseUrl,
      [Env.workerConcurrency]: '2',
      [Env.heartbeatIntervalSeconds]: '6',
      [Env.workerVisibilitySeconds]: '120',
      [Env.workerStopTimeoutSeconds]: String(stopTimeoutSeconds),
      [Env.workerHealthFile]: healthFile,
    },
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { predicate: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      for (const w of waiters.filter((x) => x.predicate(entry))) w.resolve();
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    exited,
    healthFile,
    waitForLog(predicate) {
      if (logs.some(predicate)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before the expected log line:\n${JSON.stringify(logs.slice(-5))}\n${stderr.slice(-2000)}`)));
      });
    },
  };
}

describe('container: SIGTERM on the real entry point (child process)', function () {
  this.timeout(40_000);
  let env: WorkerEnv;
  let running: RunningWorker | undefined;

  before(async () => {
    env = await startWorkerEnv();
  });
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    running = undefined;
  });
  after(() => env?.close());

  it('abandons a download it cannot finish in the stop timeout and releases the message at once', async () => {
    // ~19 MB at 2 MiB/s: far longer than the 1 s stop timeout.
    const job = await env.exportFor('CALL-TERM-1', { recording: { duration: { kind: 'fixed', seconds: 1200 } }, download: { bandwidthBytesPerSecond: 2 * MiB } });
    const arn = await env.startDownload({ ...job, callId: 'CALL-TERM-1' }, { timeoutSeconds: 120, heartbeatSeconds: 20 });
    running = startChild(env, 1);
    await running.waitForLog((l) => l.message === 'archive directory read');
    expect(checkHealth(running.healthFile)).to.equal(undefined);

    running.child.kill('SIGTERM');
    expect(await running.exited).to.equal(0);
    const messages = running.logs.map((l) => l.message);
    expect(messages).to.include('download abandoned for shutdown; the message is released for another worker');
    expect(messages).to.include('worker stopped');
    expect(checkHealth(running.healthFile)).to.match(/stopped/);

    // Visibility was 120 s: receiving it now proves it was released, not left to time out.
    const r = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.queueUrl, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(r.Messages, JSON.stringify(running.logs.slice(-6))).to.have.length(1);
    expect(JSON.parse(r.Messages![0]!.Body!)).to.include({ callId: 'CALL-TERM-1', exportJobId: job.exportJobId });
    expect(r.Messages![0]!.Attributes?.ApproximateReceiveCount).to.equal('2');
    await env.sqs.send(new DeleteMessageCommand({ QueueUrl: env.queueUrl, ReceiptHandle: r.Messages![0]!.ReceiptHandle! }));

    // Nothing was reported and nothing stored: another worker can still do the whole job.
    expect((await env.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).to.equal('RUNNING');
    expect(await objectExists(env.s3, env.bucket, Bucket.recordingKey(DialogGroupId, 'CALL-TERM-1'))).to.equal(false);
    await env.sfn.send(new StopExecutionCommand({ executionArn: arn }));
  });

  it('finishes a download that completes within the stop timeout, then exits', async () => {
    // ~1 MB at 512 KiB/s: about two seconds, inside an 8 s stop timeout (whose idle polls wait 7 s).
    const job = await env.exportFor('CALL-TERM-2', { recording: { duration: { kind: 'fixed', seconds: 60 } }, download: { bandwidthBytesPerSecond: MiB / 2 } });
    const arn = await env.startDownload({ ...job, callId: 'CALL-TERM-2' }, { timeoutSeconds: 120, heartbeatSeconds: 20 });
    running = startChild(env, 8);
    await running.waitForLog((l) => l.message === 'archive directory read');
    running.child.kill('SIGTERM');
    expect(await running.exited).to.equal(0);
    const done = await env.waitForExecution(arn);
    expect(done.status, done.cause).to.equal('SUCCEEDED');
    expect(await objectExists(env.s3, env.bucket, Bucket.recordingKey(DialogGroupId, 'CALL-TERM-2'))).to.equal(true);
    expect(running.logs.map((l) => l.message)).to.include('download task succeeded');
  });
});
