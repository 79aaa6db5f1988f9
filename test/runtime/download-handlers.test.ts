import { expect } from 'chai';
import { rejectionOf } from '../support/rejection.ts';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DownloadTask, type DownloadResult } from '../../runtime/contracts.ts';
import { makeHandler as makeNotify } from '../../runtime/handlers/notifyDownloadService.ts';
import { makeHandler as makeConsolidate } from '../../runtime/handlers/consolidateReconciliation.ts';
import { createLogger } from '../../runtime/logging/logger.ts';
import { ConsolidatedMetadata } from '../../runtime/store/record.ts';
import type { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { localAws, sqsS3Local } from '../support/services.ts';
import { freshStore } from './store-fixture.ts';

const exec = 'arn:aws:states:us-east-1:000000000000:execution:recon:dl-1';
const logger = createLogger({ logLevel: 'SILENT' });

describe('download hand-off and consolidation handlers (DynamoDB Local + fauxqs)', function () {
  this.timeout(30_000);
  let store: ReconciliationStore;
  let sqs: SQSClient;
  let workerQueueUrl: string;
  let n = 0;

  before(async () => {
    ({ store } = await freshStore('download'));
    sqs = new SQSClient({ ...localAws, endpoint: (await sqsS3Local()).endpoint });
    workerQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `worker-${process.pid}-${Date.now()}` }))).QueueUrl!;
  });
  after(() => sqs.destroy());

  /** A call whose export has completed, recorded through the store as the earlier steps would. */
  async function exportedCall() {
    const dialogGroupId = `DG-dl-${n++}`;
    const ref = { dialogGroupId, executionId: exec, exportJobId: `job-${dialogGroupId}` };
    await store.start({ ...ref, callId: 'CALL-1' });
    await store.recordExportCreated({ ...ref, exportCreatedAt: store.now() });
    await store.recordExportCompleted({ ...ref, pollingIteration: 2, exportCompletedAt: store.now(), downloadUrl: 'http://127.0.0.1:9/e.zip', fileSize: 1000 });
    return { ...ref, callId: 'CALL-1' };
  }

  describe('notifyDownloadService', () => {
    const notify = () => makeNotify({ logger, store, sqs, workerQueueUrl });

    it('stores the task token with the record, then queues the download task', async () => {
      const call = await exportedCall();
      const out = await notify()({ ...call, taskToken: 'token-abc', downloadUrl: 'http://127.0.0.1:9/e.zip', fileSize: 1000 });
      expect(out.messageId).to.be.a('string').and.not.equal('');
      const record = await store.get(call.dialogGroupId);
      expect(record).to.include({ exportJobStatus: 'DOWNLOAD_REQUESTED', taskToken: 'token-abc' });
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: workerQueueUrl, MaxNumberOfMessages: 10 }));
      const tasks = (received.Messages ?? []).map((m) => DownloadTask.parse(JSON.parse(m.Body!)));
      expect(tasks).to.deep.include({
        taskToken: 'token-abc', exportJobId: call.exportJobId, dialogGroupId: call.dialogGroupId, callId: 'CALL-1',
        downloadUrl: 'http://127.0.0.1:9/e.zip', executionId: exec, expectedSizeBytes: 1000,
      });
    });

    it('refuses to queue a download for a call whose export is not recorded as complete', async () => {
      const dialogGroupId = `DG-dl-${n++}`;
      await store.start({ dialogGroupId, callId: 'C', executionId: exec });
      const err = await rejectionOf(
        notify()({ dialogGroupId, callId: 'C', executionId: exec, exportJobId: 'j', taskToken: 't', downloadUrl: 'http://127.0.0.1:9/e.zip' }),
      );
      expect(err.name).to.equal('RecordConflictError');
    });

    it('fails with InvalidInputError naming the bad fields', async () => {
      const err = await rejectionOf(notify()({ dialogGroupId: 'D', callId: 'C', executionId: exec, exportJobId: 'j', downloadUrl: 'not a url' }));
      expect(err.name).to.equal('InvalidInputError');
      expect(err.message).to.contain('taskToken').and.contain('downloadUrl');
    });
  });

  describe('consolidateReconciliation', () => {
    const consolidate = () => makeConsolidate({ logger, store });
    const metadata = { duration: 125.5, channels: 2, sampleRate: 8000, format: 'WAV', agentId: 'A-1', queueName: 'billing' };
    const download = (audio: Partial<DownloadResult['audio']> = {}): DownloadResult => ({
      status: 'STORED',
      s3Uri: 's3://recordings/recordings/DG/CALL-1.wav',
      bucket: 'recordings',
      key: 'recordings/DG/CALL-1.wav',
      sizeBytes: 4_016_044,
      sha256: 'a'.repeat(64),
      audio: { format: 'WAV', channels: 2, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 125.9, ...audio },
    });

    it('records COMPLETED with the consolidated metadata when the stored audio matches', async () => {
      const call = await exportedCall();
      const out = await consolidate()({ ...call, metadata, download: download(), durationToleranceSeconds: 1 });
      expect(out).to.include({ reconciliationStatus: 'COMPLETED', s3Uri: download().s3Uri });
      const record = await store.get(call.dialogGroupId);
      expect(record?.reconciliationStatus).to.equal('COMPLETED');
      expect(record?.completedAt).to.equal(out.completedAt);
      const stored = ConsolidatedMetadata.parse(JSON.parse(record!.metadata!));
      expect(stored.recording).to.deep.equal(metadata);
      expect(stored.storedFile).to.include({ s3Uri: download().s3Uri, sha256: 'a'.repeat(64), sizeBytes: 4_016_044 });

      const again = await consolidate()({ ...call, metadata, download: download(), durationToleranceSeconds: 1 });
      expect(again.completedAt, 'a retried consolidation reports the original completion').to.equal(out.completedAt);
    });

    it('fails with AudioMismatchError naming every difference, and leaves the record IN_PROGRESS', async () => {
      const call = await exportedCall();
      const err = await rejectionOf(
        consolidate()({ ...call, metadata, download: download({ channels: 1, sampleRate: 16000, durationSeconds: 100 }), durationToleranceSeconds: 1 }),
      );
      expect(err.name).to.equal('AudioMismatchError');
      expect(err.message).to.contain('channels: OCP says 2, stored file has 1');
      expect(err.message).to.contain('sample rate: OCP says 8000 Hz, stored file has 16000 Hz');
      expect(err.message).to.contain('duration: OCP says 125.5 s, stored file has 100 s');
      expect((await store.get(call.dialogGroupId))?.reconciliationStatus).to.equal('IN_PROGRESS');
    });

    it('accepts a duration difference inside the tolerance and rejects one just outside', async () => {
      const inside = await exportedCall();
      await consolidate()({ ...inside, metadata, download: download({ durationSeconds: 126.5 }), durationToleranceSeconds: 1 });
      const outside = await exportedCall();
      const err = await rejectionOf(consolidate()({ ...outside, metadata, download: download({ durationSeconds: 126.6 }), durationToleranceSeconds: 1 }));
      expect(err.name).to.equal('AudioMismatchError');
      expect(err.message).to.contain('duration').and.not.contain('channels');
    });

    it('will not complete a call owned by another execution', async () => {
      const call = await exportedCall();
      const err = await rejectionOf(
        consolidate()({ ...call, executionId: `${exec}-other`, metadata, download: download(), durationToleranceSeconds: 1 }),
      );
      expect(err.name).to.equal('RecordConflictError');
    });

    it('fails with InvalidInputError when the download result breaks its contract', async () => {
      const call = await exportedCall();
      const err = await rejectionOf(consolidate()({ ...call, metadata, download: { ...download(), sha256: 'nope' }, durationToleranceSeconds: 1 }));
      expect(err.name).to.equal('InvalidInputError');
      expect(err.message).to.contain('download.sha256');
    });
  });
});
