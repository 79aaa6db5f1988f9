import { expect } from 'chai';
import { rejectionOf } from '../support/rejection.ts';
import fc from 'fast-check';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RecordConflictError } from '../../runtime/errors.ts';
import { FailureWriteCondition, ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { Table } from '../../system/resources.ts';
import { freshStore } from './store-fixture.ts';
import { validId } from './hostile-ids.ts';

const exec = 'arn:aws:states:us-east-1:000000000000:execution:recon:exec-1';
const otherExec = 'arn:aws:states:us-east-1:000000000000:execution:recon:exec-2';

describe('reconciliation store (DynamoDB Local)', function () {
  this.timeout(30_000);
  let store: ReconciliationStore;
  let n = 0;
  let dg: string;
  // Near the real time: DynamoDB Local honours TTL and would sweep records that expired long ago.
  const fixedNow = new Date(Math.floor(Date.now() / 1000) * 1000);

  before(async () => {
    ({ store } = await freshStore('store', () => fixedNow));
  });
  beforeEach(() => {
    dg = `DG-store-${n++}`;
  });

  async function throughCreated(callId = 'CALL-1', jobId = 'job-1') {
    await store.start({ dialogGroupId: dg, callId, executionId: exec });
    await store.recordExportCreated({ dialogGroupId: dg, executionId: exec, exportJobId: jobId, exportCreatedAt: store.now() });
  }

  it('walks a record forward from IN_PROGRESS to COMPLETED with timestamps and TTL', async () => {
    await throughCreated();
    expect((await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1 })).outcome).to.equal('written');
    await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 2 });
    await store.recordExportCompleted({
      dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 3,
      exportCompletedAt: '2026-01-02T03:00:00Z', downloadUrl: 'http://127.0.0.1:1/x.zip', fileSize: 42,
    });
    await store.recordDownloadRequested({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', taskToken: 'tok-1' });
    expect((await store.get(dg))?.taskToken).to.equal('tok-1');
    await store.recordCompleted({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', metadata: '{"a":1}', completedAt: store.now() });

    const r = await store.get(dg);
    expect(r).to.include({
      PK: `CALL#${dg}`, SK: 'RECONCILIATION', callId: 'CALL-1', sfExecutionId: exec,
      reconciliationStatus: 'COMPLETED', exportJobStatus: 'DOWNLOAD_REQUESTED', exportJobId: 'job-1',
      pollingIteration: 3, totalPollingAttempts: 3, downloadUrl: 'http://127.0.0.1:1/x.zip', fileSize: 42,
      metadata: '{"a":1}', completedAt: fixedNow.toISOString(), lastUpdated: fixedNow.toISOString(),
    });
    expect(r?.taskToken, 'the token is dropped once the call is complete').to.equal(undefined);
    expect(r?.TTL).to.equal(Math.floor(fixedNow.getTime() / 1000) + 30 * 86_400);
  });

  it('treats a retried step of the same execution as a no-op success', async () => {
    await throughCreated();
    expect((await store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec })).outcome).to.equal('written');
    expect((await store.get(dg))?.exportJobStatus, 'restart keeps the export progress').to.equal('CREATED');
    const repeat = await store.recordExportCreated({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', exportCreatedAt: store.now() });
    expect(repeat.outcome).to.equal('already-applied');
    await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 2 });
    expect((await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 2 })).outcome).to.equal('already-applied');
    expect((await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1 })).outcome).to.equal('already-applied');
    expect((await store.get(dg))?.totalPollingAttempts, 'repeats are not counted').to.equal(1);
  });

  it('never moves exportJobStatus backwards: a late poll after completion changes nothing', async () => {
    await throughCreated();
    await store.recordExportCompleted({
      dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1,
      exportCompletedAt: 'x', downloadUrl: 'http://127.0.0.1:1/x.zip',
    });
    expect((await store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 2 })).outcome).to.equal('already-applied');
    expect((await store.get(dg))?.exportJobStatus).to.equal('EXPORT_COMPLETED');
  });

  it('never overwrites a terminal status with a non-terminal one', async () => {
    await throughCreated();
    await store.recordFailure({
      dialogGroupId: dg, callId: 'CALL-1', executionId: exec, status: 'FAILED_EXPORT_ERROR',
      failureReason: 'OCP reported the export failed', errorDetails: '{}',
    });
    const err = await rejectionOf(store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1 }));
    expect(err).to.be.instanceOf(RecordConflictError);
    expect(err.name).to.equal('RecordConflictError');
    expect(err.message).to.contain('FAILED_EXPORT_ERROR').and.contain('never moves backwards');
    const again = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec }));
    expect(again).to.be.instanceOf(RecordConflictError);
    expect((await store.get(dg))?.reconciliationStatus).to.equal('FAILED_EXPORT_ERROR');
  });

  it('rejects writes from another execution, another export job or another call', async () => {
    await throughCreated();
    const byOther = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: otherExec }));
    expect(byOther).to.be.instanceOf(RecordConflictError);
    expect(byOther.message).to.contain(exec);
    const otherJob = await rejectionOf(
      store.recordExportCreated({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-2', exportCreatedAt: 'x' }),
    );
    expect(otherJob).to.be.instanceOf(RecordConflictError);
    expect(otherJob.message).to.contain('job-1');
    const otherCall = await rejectionOf(store.start({ dialogGroupId: dg, callId: 'CALL-2', executionId: exec }));
    expect(otherCall.message).to.contain('"CALL-1"');
  });

  it('refuses to progress a record that does not exist, with a message saying what must run first', async () => {
    const err = await rejectionOf(store.recordPolling({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1 }));
    expect(err).to.be.instanceOf(RecordConflictError);
    expect(err.message).to.contain('createExportJob must run first');
  });

  it('requires the export to be complete before the download is requested, and keeps the newest token', async () => {
    await throughCreated();
    const early = await rejectionOf(store.recordDownloadRequested({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', taskToken: 't' }));
    expect(early).to.be.instanceOf(RecordConflictError);
    await store.recordExportCompleted({
      dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', pollingIteration: 1, exportCompletedAt: 'x', downloadUrl: 'http://h/x',
    });
    await store.recordDownloadRequested({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', taskToken: 'first' });
    await store.recordDownloadRequested({ dialogGroupId: dg, executionId: exec, exportJobId: 'job-1', taskToken: 'second' });
    expect((await store.get(dg))?.taskToken).to.equal('second');
  });

  it('records a failure before any record exists, and the completion of a call only once', async () => {
    const failed = await store.recordFailure({
      dialogGroupId: dg, callId: 'CALL-1', executionId: exec, status: 'FAILED_OCP_API_ERROR', failureReason: 'r', errorDetails: '{}',
    });
    expect(failed.outcome).to.equal('written');
    expect(failed.record.reconciliationStatus).to.equal('FAILED_OCP_API_ERROR');
    expect(FailureWriteCondition.names['#PK']).to.equal(Table.partitionKey);
    const dg2 = `${dg}-b`;
    await store.start({ dialogGroupId: dg2, callId: 'C', executionId: exec });
    await store.recordExportCreated({ dialogGroupId: dg2, executionId: exec, exportJobId: 'j', exportCreatedAt: 'x' });
    const done = { dialogGroupId: dg2, executionId: exec, exportJobId: 'j', metadata: '{}', completedAt: 'x' };
    expect((await store.recordCompleted(done)).outcome).to.equal('written');
    expect((await store.recordCompleted(done)).outcome).to.equal('already-applied');
    const fail = await rejectionOf(
      store.recordFailure({ dialogGroupId: dg2, callId: 'C', executionId: exec, status: 'FAILED_UNEXPECTED_ERROR', failureReason: 'r', errorDetails: '{}' }),
    );
    expect(fail).to.be.instanceOf(RecordConflictError);
  });

  it("reads a record the workflow's failure path created (no TTL): its own execution is refused, a new one reopens it", async () => {
    const { ddb, tableName } = await freshStore('wf-failure');
    await ddb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: Table.key(dg),
        UpdateExpression: 'SET reconciliationStatus = :s, failureReason = :r, sfExecutionId = :e, lastUpdated = :t, dialogGroupId = :d, callId = :c',
        ExpressionAttributeValues: { ':s': 'FAILED_OCP_API_ERROR', ':r': 'r', ':e': otherExec, ':t': '2026-01-01T00:00:00Z', ':d': dg, ':c': 'CALL-1' },
      }),
    );
    const s2 = new ReconciliationStore({ ddb, tableName, ttlDays: 1 });
    const err = await rejectionOf(s2.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: otherExec }));
    expect(err).to.be.instanceOf(RecordConflictError);
    expect(err.message).to.contain('FAILED_OCP_API_ERROR').and.contain(otherExec);
    const reopened = await s2.start({ dialogGroupId: dg, callId: 'CALL-1', executionId: exec });
    expect(reopened.outcome).to.equal('reopened');
    expect(reopened.record).to.include({
      reconciliationStatus: 'IN_PROGRESS', sfExecutionId: exec, previousFailureStatus: 'FAILED_OCP_API_ERROR',
      previousFailureReason: 'r', previousFailureExecutionId: otherExec, previousFailedAt: '2026-01-01T00:00:00Z', previousFailureCount: 1,
    });
    expect(reopened.record.failureReason).to.equal(undefined);
    expect(reopened.record.TTL, 'the reopened record expires like any other').to.be.a('number');
  });

  it('lists records by status since a time through the StatusIndex', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const { store: s2 } = await freshStore('by-status', () => new Date(t));
    for (const [i, status] of (['FAILED_EXPORT_ERROR', 'FAILED_EXPORT_ERROR', 'FAILED_MAX_RETRIES', 'FAILED_EXPORT_ERROR'] as const).entries()) {
      t += 60_000;
      await s2.recordFailure({ dialogGroupId: `DG-s-${i}`, callId: 'C', executionId: exec, status, failureReason: 'r', errorDetails: '{}' });
    }
    const all = await s2.listByStatus('FAILED_EXPORT_ERROR', '2030-01-01T00:00:00.000Z');
    expect(all.map((r) => r.dialogGroupId)).to.deep.equal(['DG-s-0', 'DG-s-1', 'DG-s-3']);
    const recent = await s2.listByStatus('FAILED_EXPORT_ERROR', '2030-01-01T00:02:00.000Z');
    expect(recent.map((r) => r.dialogGroupId)).to.deep.equal(['DG-s-1', 'DG-s-3']);
    expect(await s2.listByStatus('FAILED_EXPORT_ERROR', '2030-01-01T00:00:00.000Z', 2)).to.have.length(2);
  });

  it('names a malformed stored item instead of trusting it', async () => {
    const { ddb, tableName } = await freshStore('malformed');
    await ddb.send(new UpdateCommand({ TableName: tableName, Key: Table.key(dg), UpdateExpression: 'SET reconciliationStatus = :s', ExpressionAttributeValues: { ':s': 'WEIRD' } }));
    const s2 = new ReconciliationStore({ ddb, tableName, ttlDays: 1 });
    const err = await rejectionOf(s2.get(dg));
    expect(err.message).to.contain('malformed').and.contain('reconciliationStatus');
    expect((await ddb.send(new GetCommand({ TableName: tableName, Key: Table.key(dg) }))).Item?.reconciliationStatus).to.equal('WEIRD');
  });
});

describe('reconciliation store with hostile ids (DynamoDB Local)', function () {
  this.timeout(60_000);

  it('stores and reads back any valid id exactly, under its own key', async () => {
    const { store } = await freshStore('hostile');
    let i = 0;
    await fc.assert(
      fc.asyncProperty(validId, validId, async (dialogGroupId, callId) => {
        const executionId = `exec-${i++}`;
        // Suffixed so each run owns a fresh record; the hostile part stays in front, where keys begin.
        const unique = `${dialogGroupId}#${i}`;
        await store.start({ dialogGroupId: unique, callId, executionId });
        const r = await store.get(unique);
        expect(r).to.include({ dialogGroupId: unique, callId, sfExecutionId: executionId, PK: `CALL#${unique}` });
      }),
      { numRuns: 40 },
    );
  });
});
