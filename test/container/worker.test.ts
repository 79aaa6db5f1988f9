import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerConfig } from '../../container/src/config.ts';
import type { DownloadStats } from '../../container/src/download-recording.ts';
import { createLogger } from '../../container/src/log.ts';
import type { QueueWorker } from '../../container/src/queue-worker.ts';
import { createWorker } from '../../container/src/worker.ts';
import { DownloadResult } from '../../runtime/contracts.ts';
import { ErrorNames } from '../../runtime/errors.ts';
import { Bucket } from '../../system/resources.ts';
import { recordCommands, type SentCommand } from './support/command-log.ts';
import { getObject, objectExists } from './support/s3.ts';
import { DialogGroupId, startWorkerEnv, type WorkerEnv } from './support/worker-env.ts';

const MiB = 1024 * 1024;

describe('container: the worker against SQS, S3, the OCP simulator and the local Step Functions API', function () {
  this.timeout(30_000);
  let env: WorkerEnv;
  let worker: QueueWorker;
  let s3Sent: SentCommand[];
  let sfnSent: SentCommand[];
  const stats: DownloadStats[] = [];
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    env = await startWorkerEnv();
    s3Sent = recordCommands(env.s3);
    sfnSent = recordCommands(env.sfn);
    const config = WorkerConfig.parse({
      queueUrl: env.queueUrl,
      bucket: env.bucket,
      allowedOrigins: env.ocp.baseUrl,
      concurrency: 2,
      heartbeatSeconds: 3,
      visibilitySeconds: 30,
      stopTimeoutSeconds: 2,
    });
    const log = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
    worker = createWorker(config, { s3: env.s3, sqs: env.sqs, sfn: env.sfn }, log, {
      heartbeatIntervalMs: 250,
      waitTimeSeconds: 1,
      resumeBackoffMs: 10,
      upload: { partSizeBytes: 5 * MiB, queueSize: 2 },
      onStats: (s) => stats.push({ ...s }),
    });
    await worker.start();
  });

  after(async () => {
    await worker?.stop();
    await env?.close();
  });

  async function queueIsEmpty(queueUrl = env.queueUrl): Promise<boolean> {
    const r = await env.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return r.Attributes?.ApproximateNumberOfMessages === '0' && r.Attributes?.ApproximateNumberOfMessagesNotVisible === '0';
  }

  it('stores the export in S3 and reports it with SendTaskSuccess; the message is deleted', async () => {
    const job = await env.exportFor('CALL-OK-1', { recording: { duration: { kind: 'fixed', seconds: 7 }, channels: 2, sampleRate: 16000 } });
    const arn = await env.startDownload({ ...job, callId: 'CALL-OK-1' });
    const done = await env.waitForExecution(arn);
    expect(done.status, done.cause).to.equal('SUCCEEDED');
    const result = DownloadResult.parse(JSON.parse(done.output!));
    const expected = await env.ocp.expectedRecording(job.exportJobId);
    expect(result).to.deep.include({ bucket: env.bucket, key: Bucket.recordingKey(DialogGroupId, 'CALL-OK-1'), sizeBytes: expected.wavBytes, sha256: expected.sha256 });
    expect(result.audio).to.deep.include({ format: 'WAV', channels: 2, sampleRate: 16000, bitsPerSample: expected.bitsPerSample, durationSeconds: expected.durationSeconds });
    const stored = await getObject(env.s3, env.bucket, result.key);
    expect(createHash('sha256').update(stored.body).digest('hex')).to.equal(expected.sha256);
    expect(stored.metadata).to.include({ sha256: expected.sha256, 'source-export-job-id': job.exportJobId });
    expect(await queueIsEmpty()).to.equal(true);
  });

  it('resumes a download the simulator cuts twice, without fetching any byte twice', async () => {
    const job = await env.exportFor('CALL-DROP-1', { recording: { duration: { kind: 'fixed', seconds: 60 } }, download: { dropAfterBytes: 200_000, drops: 3 } });
    const before = stats.length;
    const done = await env.waitForExecution(await env.startDownload({ ...job, callId: 'CALL-DROP-1' }));
    expect(done.status, done.cause).to.equal('SUCCEEDED');
    const expected = await env.ocp.expectedRecording(job.exportJobId);
    expect(DownloadResult.parse(JSON.parse(done.output!)).sha256).to.equal(expected.sha256);
    const served = env.ocp.log().filter((e) => e.exportJobId === job.exportJobId && e.endpoint === 'download');
    // The simulator counts the small directory read as one of its three drop slots; the two reads after it are cut.
    expect(served.filter((e) => e.dropped)).to.have.length(2);
    const fetched = stats.slice(before).reduce((n, s) => n + s.bytesFetched, 0);
    expect(served.reduce((n, e) => n + e.bytes, 0)).to.equal(fetched);
    expect(fetched).to.be.at.most(expected.archiveBytes);
  });

  it('keeps a slow download alive with heartbeats well inside HeartbeatSeconds', async () => {
    // About 3 s of transfer against a 1 s heartbeat deadline: without heartbeats the state fails with States.HeartbeatTimeout.
    const job = await env.exportFor('CALL-SLOW-1', { recording: { duration: { kind: 'fixed', seconds: 60 } }, download: { bandwidthBytesPerSecond: 330_000 } });
    const beatsBefore = sfnSent.filter((c) => c.name === 'SendTaskHeartbeatCommand').length;
    const done = await env.waitForExecution(await env.startDownload({ ...job, callId: 'CALL-SLOW-1' }, { heartbeatSeconds: 1 }));
    expect(done.status, `${done.error}: ${done.cause}`).to.equal('SUCCEEDED');
    expect(sfnSent.filter((c) => c.name === 'SendTaskHeartbeatCommand').length - beatsBefore).to.be.at.least(6);
  });

  it('stops when the task times out mid-download: upload aborted, no object, message deleted', async () => {
    // ~19 MB at 4 MiB/s against a 2 s task timeout, so the multipart upload is under way when the token dies.
    const job = await env.exportFor('CALL-TIMEOUT-1', { recording: { duration: { kind: 'fixed', seconds: 1200 } }, download: { bandwidthBytesPerSecond: 4 * MiB } });
    const arn = await env.startDownload({ ...job, callId: 'CALL-TIMEOUT-1' }, { timeoutSeconds: 2, heartbeatSeconds: 1 });
    const done = await env.waitForExecution(arn);
    expect(done.status).to.equal('FAILED');
    expect(done.error).to.equal('States.Timeout');
    const key = Bucket.recordingKey(DialogGroupId, 'CALL-TIMEOUT-1');
    const deadline = Date.now() + 10_000;
    while (!logs.some((l) => l.callId === 'CALL-TIMEOUT-1' && String(l.message).includes('no longer waits')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const created = s3Sent.find((c) => c.name === 'CreateMultipartUploadCommand' && c.uploadId && s3Sent.some((d) => d.name === 'AbortMultipartUploadCommand' && d.uploadId === c.uploadId));
    expect(created, 'the multipart upload was aborted').to.not.equal(undefined);
    expect(await objectExists(env.s3, env.bucket, key)).to.equal(false);
    expect(await queueIsEmpty()).to.equal(true);
  });

  it('drops a message whose task is already over before downloading anything', async () => {
    // Route one task to a queue nobody consumes, end its execution, then hand the stale message to the worker.
    const holding = (await env.sqs.send(new CreateQueueCommand({ QueueName: `holding-${Date.now()}` }))).QueueUrl!;
    const job = await env.exportFor('CALL-STALE-1');
    const arn = await env.startDownload({ ...job, callId: 'CALL-STALE-1' }, { queueUrl: holding });
    let body: string | undefined;
    while (!body) body = (await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: holding, WaitTimeSeconds: 1 }))).Messages?.[0]?.Body;
    await env.sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: body }));
    const deadline = Date.now() + 10_000;
    while (!logs.some((l) => l.callId === 'CALL-STALE-1' && String(l.message).includes('no longer waits')) && Date.now() < deadline) await sleep(50);
    expect(logs.some((l) => l.callId === 'CALL-STALE-1' && String(l.message).includes('no longer waits'))).to.equal(true);
    expect(env.ocp.log().filter((e) => e.exportJobId === job.exportJobId && e.endpoint === 'download')).to.have.length(0);
    expect(await queueIsEmpty()).to.equal(true);
  });

  it('fails the task with UrlNotAllowed for a download URL outside the allowed OCP origin', async () => {
    const arn = await env.startDownload({ exportJobId: 'EXP-EVIL', callId: 'CALL-SSRF-1', downloadUrl: 'http://169.254.169.254/latest/meta-data/iam' });
    const done = await env.waitForExecution(arn);
    expect(done.status).to.equal('FAILED');
    expect(done.error).to.equal(ErrorNames.UrlNotAllowed);
    expect(done.cause).to.match(/ALLOWED_DOWNLOAD_HOSTS/);
  });

  it('fails the task with ArchiveInvalid when the recording fails its CRC', async () => {
    const job = await env.exportFor('CALL-CRC-1', { download: { corruption: 'crc' } });
    const done = await env.waitForExecution(await env.startDownload({ ...job, callId: 'CALL-CRC-1' }));
    expect(done.status).to.equal('FAILED');
    expect(done.error).to.equal(ErrorNames.ArchiveInvalid);
    expect(done.cause).to.match(/CRC-32/);
    expect(await objectExists(env.s3, env.bucket, Bucket.recordingKey(DialogGroupId, 'CALL-CRC-1'))).to.equal(false);
  });

  it('moves malformed messages to the DLQ at once, failing the task when the message carries a token', async () => {
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: 'this is not json' }));
    // A real token whose message is otherwise broken: the execution must fail now, not at its timeout.
    const arn = await env.startDownload({ exportJobId: 'EXP-BAD', callId: 'CALL-BAD-1', downloadUrl: 'not a url' });
    const done = await env.waitForExecution(arn);
    expect(done.status).to.equal('FAILED');
    expect(done.error).to.equal(ErrorNames.DownloadFailed);
    expect(done.cause).to.match(/downloadUrl/);
    const moved: string[] = [];
    for (let i = 0; i < 20 && moved.length < 2; i++) {
      const r = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      for (const m of r.Messages ?? []) moved.push(m.Body ?? '');
    }
    expect(moved).to.have.length(2);
    expect(moved).to.include('this is not json');
    expect(await queueIsEmpty()).to.equal(true);
  });

  it('never logs a task token', () => {
    const text = JSON.stringify(logs);
    const tokens = new Set(sfnSent.map((c) => c.taskToken).filter((t): t is string => !!t));
    expect(logs.length).to.be.greaterThan(10);
    expect(tokens.size).to.be.at.least(6);
    for (const token of tokens) expect(text).to.not.include(token);
    expect(text).to.not.match(/"taskToken"/i);
  });
});
