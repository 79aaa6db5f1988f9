import { expect } from 'chai';
import { rejectionOf } from '../support/rejection.ts';
import { AlreadyReconciledError, RecordConflictError } from '../../runtime/errors.ts';
import type { ConsolidatedMetadata } from '../../runtime/store/record.ts';
import type { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { AttemptAttributes } from '../../runtime/store/reopen-failed.ts';
import { freshStore } from './store-fixture.ts';

const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:recon:${name}`;
const exec1 = arn('DG_CALL-r0-aaaa');
const exec2 = arn('DG_CALL-r1-bbbb');
const exec3 = arn('manual-rerun-cccc');

const storedMetadata = (dialogGroupId: string): ConsolidatedMetadata => ({
  recording: { duration: 3, channels: 2, sampleRate: 8000, format: 'WAV' },
  storedFile: {
    s3Uri: `s3://recordings-bucket/recordings/${dialogGroupId}/CALL-1.wav`,
    bucket: 'recordings-bucket',
    key: `recordings/${dialogGroupId}/CALL-1.wav`,
    sizeBytes: 96_044,
    sha256: 'ab'.repeat(32),
    audio: { format: 'WAV', channels: 2, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 3 },
  },
  exportJobId: 'job-1',
});

describe('re-running a call whose execution failed (store on DynamoDB Local)', function () {
  this.timeout(30_000);
  let store: ReconciliationStore;
  // Near real time (DynamoDB Local sweeps expired TTLs); tests move it to tell writes apart.
  let t = Math.floor(Date.now() / 1000) * 1000;
  const iso = () => new Date(t).toISOString();
  let n = 0;
  let dg: string;

  before(async () => {
    ({ store } = await freshStore('reopen', () => new Date(t)));
  });
  beforeEach(() => {
    dg = `DG-reopen-${n++}`;
  });

  /** exec1 gets as far as the download hand-off (token stored), then the workflow records a failure. */
  async function failedAtDownload(executionId = exec1, jobId = 'job-1') {
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId });
    const ref = { dialogGroupId: dg, executionId, exportJobId: jobId };
    await store.recordExportCreated({ ...ref, exportCreatedAt: iso() });
    await store.recordPolling({ ...ref, pollingIteration: 1 });
    await store.recordExportCompleted({ ...ref, pollingIteration: 2, exportCompletedAt: iso(), downloadUrl: 'http://127.0.0.1:1/x.zip', fileSize: 42 });
    await store.recordDownloadRequested({ ...ref, taskToken: 'token-of-the-failed-attempt' });
    t += 60_000;
    const failedAt = iso();
    await store.recordFailure({
      dialogGroupId: dg, callId: 'CALL-1', executionId, status: 'FAILED_DOWNLOAD_TIMEOUT',
      failureReason: 'The download worker stopped sending heartbeats.', errorDetails: '{"error":"States.HeartbeatTimeout"}',
    });
    return failedAt;
  }

  it('reopens a FAILED record for a new execution: a clean IN_PROGRESS attempt that keeps the last failure', async () => {
    const failedAt = await failedAtDownload();
    t += 3_600_000;
    const reopened = await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });

    expect(reopened.outcome).to.equal('reopened');
    const r = await store.get(dg);
    expect(r).to.deep.equal(reopened.record);
    expect(r).to.include({
      reconciliationStatus: 'IN_PROGRESS', sfExecutionId: exec2, callId: 'CALL-1', dialogGroupId: dg,
      startedAt: iso(), lastUpdated: iso(), TTL: Math.floor(t / 1000) + 30 * 86_400,
      previousFailureStatus: 'FAILED_DOWNLOAD_TIMEOUT',
      previousFailureReason: 'The download worker stopped sending heartbeats.',
      previousFailureExecutionId: exec1,
      previousFailedAt: failedAt,
      previousFailureCount: 1,
    });
    for (const attribute of AttemptAttributes) expect(r?.[attribute], `${attribute} of the failed attempt is cleared`).to.equal(undefined);
  });

  it('lets the new execution walk the reopened record forward with its own job and fresh counters', async () => {
    await failedAtDownload();
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });
    const ref = { dialogGroupId: dg, executionId: exec2, exportJobId: 'job-2' };
    await store.recordExportCreated({ ...ref, exportCreatedAt: iso() });
    await store.recordPolling({ ...ref, pollingIteration: 1 });
    await store.recordExportCompleted({ ...ref, pollingIteration: 2, exportCompletedAt: iso(), downloadUrl: 'http://127.0.0.1:1/y.zip' });
    await store.recordDownloadRequested({ ...ref, taskToken: 'token-2' });
    const done = await store.recordCompleted({ ...ref, metadata: JSON.stringify(storedMetadata(dg)), completedAt: iso() });
    expect(done.record).to.include({
      reconciliationStatus: 'COMPLETED', sfExecutionId: exec2, exportJobId: 'job-2', pollingIteration: 2, totalPollingAttempts: 2,
      previousFailureStatus: 'FAILED_DOWNLOAD_TIMEOUT', previousFailureCount: 1,
    });
  });

  it('treats a retried start of the reopening execution as a no-op: same start time, failure counted once', async () => {
    await failedAtDownload();
    const first = await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });
    await store.recordExportCreated({ dialogGroupId: dg, executionId: exec2, exportJobId: 'job-2', exportCreatedAt: iso() });
    t += 5_000;
    const retry = await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });
    expect(retry.outcome).to.equal('written');
    expect(retry.record).to.include({
      startedAt: first.record.startedAt, previousFailureCount: 1, previousFailureExecutionId: exec1,
      exportJobStatus: 'CREATED', exportJobId: 'job-2',
    });
  });

  it('refuses every late write of the failed execution once another execution reopened the record', async () => {
    await failedAtDownload();
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });
    const old = { dialogGroupId: dg, executionId: exec1, exportJobId: 'job-1' };
    const late = [
      store.recordPolling({ ...old, pollingIteration: 3 }),
      store.recordDownloadRequested({ ...old, taskToken: 'stale' }),
      store.recordCompleted({ ...old, metadata: '{}', completedAt: iso() }),
      store.recordFailure({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1, status: 'FAILED_UNEXPECTED_ERROR', failureReason: 'late', errorDetails: '{}' }),
      store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 }),
    ];
    for (const p of late) expect(await rejectionOf(p)).to.be.instanceOf(RecordConflictError);
    expect(await store.get(dg)).to.include({ reconciliationStatus: 'IN_PROGRESS', sfExecutionId: exec2 });
  });

  it('keeps only the latest failure and counts all of them across repeated re-runs', async () => {
    await failedAtDownload(exec1, 'job-1');
    t += 60_000;
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 });
    await store.recordFailure({
      dialogGroupId: dg, callId: 'CALL-1', executionId: exec2, status: 'FAILED_OCP_API_ERROR',
      failureReason: 'OCP answered 404: call not found.', errorDetails: '{"error":"OCPAPIError"}',
    });
    const secondFailedAt = iso();
    t += 60_000;
    const third = await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec3 });
    expect(third.outcome).to.equal('reopened');
    expect(third.record).to.include({
      sfExecutionId: exec3, previousFailureStatus: 'FAILED_OCP_API_ERROR', previousFailureReason: 'OCP answered 404: call not found.',
      previousFailureExecutionId: exec2, previousFailedAt: secondFailedAt, previousFailureCount: 2,
    });
  });

  it('never reopens a COMPLETED call: AlreadyReconciledError, saying where its recording already is', async () => {
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 });
    const ref = { dialogGroupId: dg, executionId: exec1, exportJobId: 'job-1' };
    await store.recordExportCreated({ ...ref, exportCreatedAt: iso() });
    const metadata = JSON.stringify(storedMetadata(dg));
    const completedAt = iso();
    await store.recordCompleted({ ...ref, metadata, completedAt });
    const before = await store.get(dg);

    for (const executionId of [exec2, exec1]) {
      const err = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId }));
      expect(err).to.be.instanceOf(AlreadyReconciledError);
      expect(err.name).to.equal('AlreadyReconciledError');
      expect(err.message)
        .to.contain('already COMPLETED')
        .and.contain(`execution ${exec1} at ${completedAt}`)
        .and.contain(`s3://recordings-bucket/recordings/${dg}/CALL-1.wav`)
        .and.contain('ab'.repeat(32))
        .and.contain('never re-run');
    }
    expect(await store.get(dg), 'the completed record is untouched').to.deep.equal(before);
  });

  it('still refuses a COMPLETED call whose metadata cannot be read, naming its export job', async () => {
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 });
    await store.recordExportCreated({ dialogGroupId: dg, executionId: exec1, exportJobId: 'job-odd', exportCreatedAt: iso() });
    await store.recordCompleted({ dialogGroupId: dg, executionId: exec1, exportJobId: 'job-odd', metadata: 'not json', completedAt: iso() });
    const err = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 }));
    expect(err).to.be.instanceOf(AlreadyReconciledError);
    expect(err.message).to.contain('already COMPLETED').and.contain('cannot be read').and.contain('job-odd');
    expect((await store.get(dg))?.reconciliationStatus).to.equal('COMPLETED');
  });

  it("treats another call's COMPLETED record as a conflict, not as this call already reconciled", async () => {
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 });
    await store.recordExportCreated({ dialogGroupId: dg, executionId: exec1, exportJobId: 'job-1', exportCreatedAt: iso() });
    await store.recordCompleted({ dialogGroupId: dg, executionId: exec1, exportJobId: 'job-1', metadata: JSON.stringify(storedMetadata(dg)), completedAt: iso() });
    const err = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-2', executionId: exec2 }));
    expect(err).to.be.instanceOf(RecordConflictError);
    expect(err.name).to.equal('RecordConflictError');
    expect(err.message).to.contain('COMPLETED').and.contain('"CALL-1"').and.not.contain('nothing to do');
    expect((await store.get(dg))?.callId).to.equal('CALL-1');
  });

  it("does not take over another execution's IN_PROGRESS record, however far it got", async () => {
    await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 });
    const before = await store.recordExportCreated({ dialogGroupId: dg, executionId: exec1, exportJobId: 'job-1', exportCreatedAt: iso() });
    const err = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec2 }));
    expect(err).to.be.instanceOf(RecordConflictError);
    expect(err.message).to.contain('IN_PROGRESS').and.contain(`owned by execution ${exec1}`);
    expect(await store.get(dg)).to.deep.equal(before.record);
  });

  it("does not reopen a failed record of another call, nor let the failed execution reopen its own failure", async () => {
    await failedAtDownload();
    const otherCall = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-2', executionId: exec2 }));
    expect(otherCall).to.be.instanceOf(RecordConflictError);
    expect(otherCall.message).to.contain('"CALL-1"');
    const itself = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec1 }));
    expect(itself).to.be.instanceOf(RecordConflictError);
    expect(itself.message).to.contain('FAILED_DOWNLOAD_TIMEOUT').and.contain('new execution');
    expect(await store.get(dg)).to.include({ reconciliationStatus: 'FAILED_DOWNLOAD_TIMEOUT', sfExecutionId: exec1, exportJobId: 'job-1' });
  });

  it('lets exactly one of two executions racing to re-run the same failed call reopen it', async () => {
    await failedAtDownload();
    const results = await Promise.allSettled([exec2, exec3].map((executionId) => store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).to.have.length(1);
    expect(lost).to.have.length(1);
    expect(lost[0]?.reason).to.be.instanceOf(RecordConflictError);
    const winner = won[0]?.status === 'fulfilled' ? won[0].value.record.sfExecutionId : undefined;
    expect(await store.get(dg)).to.include({ sfExecutionId: winner, previousFailureCount: 1, reconciliationStatus: 'IN_PROGRESS' });
  });
});
