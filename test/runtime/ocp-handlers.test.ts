import { expect } from 'chai';
import { rejectionOf } from '../support/rejection.ts';
import { startOcpSimulator, type OcpSimulator } from '../../local/ocp-sim/index.ts';
import { createOcpClient } from '../../runtime/ocp/client.ts';
import { makeHandler as makeCreate } from '../../runtime/handlers/createExportJob.ts';
import { makeHandler as makeCheck } from '../../runtime/handlers/checkExportStatus.ts';
import { makeHandler as makeMetadata } from '../../runtime/handlers/getExportMetadata.ts';
import type { WaitPolicy } from '../../runtime/contracts.ts';
import { createLogger } from '../../runtime/logging/logger.ts';
import type { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { freshStore } from './store-fixture.ts';
import fc from 'fast-check';
import { validId } from './hostile-ids.ts';

const Token = 'handler-test-token';
const logger = createLogger({ logLevel: 'SILENT' });
const adaptive: WaitPolicy = { kind: 'adaptive', fixedSeconds: 300, minSeconds: 30, maxSeconds: 900 };

describe('OCP-facing handlers (OCP simulator over HTTP + DynamoDB Local)', function () {
  this.timeout(30_000);
  let sim: OcpSimulator;
  let store: ReconciliationStore;
  // Job progress follows this clock; it only moves when a test moves it. Kept near real time so
  // DynamoDB Local's TTL sweep never sees the records as expired.
  let now = Math.floor(Date.now() / 1000) * 1000;
  const clock = { now: () => now };
  let n = 0;

  before(async () => {
    sim = await startOcpSimulator({
      token: Token,
      seed: 7,
      clock,
      scenario: { jobDuration: { kind: 'fixed', seconds: 120 }, recording: { duration: { kind: 'fixed', seconds: 3 } } },
    });
    ({ store } = await freshStore('ocp-handlers', () => new Date(now)));
  });
  after(() => sim.stop());

  const ocp = (timeoutMs = 2000) =>
    createOcpClient({ baseUrl: sim.baseUrl, token: async () => Token, timeoutMs, retry: { limit: 2, backoffBaseMs: 5, backoffLimitMs: 20, maxRetryAfterMs: 1000 } });
  const create = (timeoutMs?: number) => makeCreate({ logger, store, ocp: ocp(timeoutMs), clock: () => new Date(now) });
  const check = () => makeCheck({ logger, store, ocp: ocp() });
  const metadata = () => makeMetadata({ logger, ocp: ocp() });

  /** A fresh call, its own execution, and a scenario for its callId. */
  function call(scenario?: Parameters<OcpSimulator['setScenario']>[0]) {
    const id = ++n;
    const c = { dialogGroupId: `DG-ocp-${id}`, callId: `CALL-ocp-${id}-${process.pid}`, executionId: `arn:aws:states:us-east-1:000000000000:execution:recon:ocp-${id}` };
    if (scenario) sim.setScenario(scenario, { callId: c.callId });
    return c;
  }
  const createRequests = (callId: string) => sim.log().filter((e) => e.endpoint === 'create' && e.callId === callId);

  describe('createExportJob', () => {
    it('records IN_PROGRESS then CREATED and sizes the first wait from OCP estimate', async () => {
      const c = call();
      const out = await create()({ ...c, waitPolicy: adaptive });
      expect(out).to.include({ status: 'CREATED', nextWaitSeconds: 120 });
      expect(out.exportJobId).to.be.a('string');
      const r = await store.get(c.dialogGroupId);
      expect(r).to.include({ reconciliationStatus: 'IN_PROGRESS', exportJobStatus: 'CREATED', exportJobId: out.exportJobId, callId: c.callId, sfExecutionId: c.executionId });
      expect(r?.TTL).to.be.greaterThan(now / 1000);
      const fixed = await create()({ ...call(), waitPolicy: { ...adaptive, kind: 'fixed', fixedSeconds: 45 } });
      expect(fixed.nextWaitSeconds).to.equal(45);
    });

    it('creates no second export job when the same execution retries the step', async () => {
      const c = call();
      const first = await create()({ ...c, waitPolicy: adaptive });
      const replays = sim.stats().idempotentReplays;
      const second = await create()({ ...c, waitPolicy: adaptive });
      expect(second.exportJobId).to.equal(first.exportJobId);
      expect(second.createdAt).to.equal(first.createdAt);
      expect(sim.stats().idempotentReplays).to.equal(replays + 1);
      expect(new Set(createRequests(c.callId).map((e) => e.exportJobId))).to.have.length(1);
      expect((await store.get(c.dialogGroupId))?.exportJobStatus).to.equal('CREATED');
    });

    it('does not call OCP at all for a call another execution owns', async () => {
      const c = call();
      await create()({ ...c, waitPolicy: adaptive });
      const err = await rejectionOf(create()({ ...c, executionId: `${c.executionId}-other`, waitPolicy: adaptive }));
      expect(err.name).to.equal('RecordConflictError');
      expect(createRequests(c.callId)).to.have.length(1);
    });

    it('re-runs a call whose previous execution failed: a new export job for the new execution, the failure kept', async () => {
      const c = call();
      const first = await create()({ ...c, waitPolicy: adaptive });
      await store.recordFailure({ ...c, status: 'FAILED_MAX_RETRIES', failureReason: 'The export did not finish within 3 status checks.', errorDetails: '{}' });
      now += 60_000;
      const rerun = { ...c, executionId: `${c.executionId}-r1` };
      const second = await create()({ ...rerun, waitPolicy: adaptive });
      expect(second.exportJobId).not.to.equal(first.exportJobId);
      expect(createRequests(c.callId).map((e) => e.exportJobId)).to.deep.equal([first.exportJobId, second.exportJobId]);
      expect(await store.get(c.dialogGroupId)).to.include({
        reconciliationStatus: 'IN_PROGRESS', exportJobStatus: 'CREATED', exportJobId: second.exportJobId, sfExecutionId: rerun.executionId,
        startedAt: new Date(now).toISOString(), previousFailureStatus: 'FAILED_MAX_RETRIES', previousFailureExecutionId: c.executionId, previousFailureCount: 1,
      });
      const retried = await create()({ ...rerun, waitPolicy: adaptive });
      expect(retried.exportJobId, 'a retried invocation of the re-run gets its job back').to.equal(second.exportJobId);
      expect(new Set(createRequests(c.callId).map((e) => e.exportJobId))).to.deep.equal(new Set([first.exportJobId, second.exportJobId]));
      expect((await store.get(c.dialogGroupId))?.previousFailureCount).to.equal(1);
    });

    it('answers a re-run of a COMPLETED call with AlreadyReconciledError naming where its recording is, without calling OCP', async () => {
      const c = call();
      const job = await create()({ ...c, waitPolicy: adaptive });
      const s3Uri = `s3://recordings/recordings/${c.dialogGroupId}/${c.callId}.wav`;
      const metadata = {
        recording: { duration: 3, channels: 2, sampleRate: 8000, format: 'WAV' },
        storedFile: { s3Uri, bucket: 'recordings', key: 'k', sizeBytes: 10, sha256: 'cd'.repeat(32), audio: { format: 'WAV', channels: 2, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 3 } },
        exportJobId: job.exportJobId,
      };
      await store.recordCompleted({ ...c, exportJobId: job.exportJobId, metadata: JSON.stringify(metadata), completedAt: new Date(now).toISOString() });
      const err = await rejectionOf(create()({ ...c, executionId: `${c.executionId}-r1`, waitPolicy: adaptive }));
      expect(err.name).to.equal('AlreadyReconciledError');
      expect(err.message).to.contain('already COMPLETED').and.contain(s3Uri);
      expect(createRequests(c.callId)).to.have.length(1);
      expect(await store.get(c.dialogGroupId)).to.include({ reconciliationStatus: 'COMPLETED', sfExecutionId: c.executionId });
    });

    it('honours Retry-After on throttling and still creates exactly one job', async () => {
      const c = call({ faults: [{ kind: 'throttle', endpoint: 'create', times: 2, retryAfterSeconds: 0 }] });
      const out = await create()({ ...c, waitPolicy: adaptive });
      const requests = createRequests(c.callId);
      expect(requests.map((e) => e.status)).to.deep.equal([429, 429, 201]);
      expect(out.exportJobId).to.equal(requests[2]?.exportJobId);
    });

    it('fails with OCPAPIThrottlingError once retries run out, leaving the record ready for the workflow retry', async () => {
      const c = call({ faults: [{ kind: 'throttle', endpoint: 'create', retryAfterSeconds: 0 }] });
      const err = await rejectionOf(create()({ ...c, waitPolicy: adaptive }));
      expect(err.name).to.equal('OCPAPIThrottlingError');
      const r = await store.get(c.dialogGroupId);
      expect(r).to.include({ reconciliationStatus: 'IN_PROGRESS' });
      expect(r?.exportJobStatus).to.equal(undefined);
      sim.setScenario({ faults: [] }, { callId: c.callId });
      const out = await create()({ ...c, waitPolicy: adaptive });
      expect((await store.get(c.dialogGroupId))?.exportJobId).to.equal(out.exportJobId);
    });

    it('fails with OCPAPITimeoutError when OCP answers too slowly', async () => {
      const c = call({ faults: [{ kind: 'slow', endpoint: 'create', delayMs: 600 }] });
      const err = await rejectionOf(create(150)({ ...c, waitPolicy: adaptive }));
      expect(err.name).to.equal('OCPAPITimeoutError');
    });

    it('fails with OCPAPIError when OCP breaks its contract', async () => {
      const c = call({ faults: [{ kind: 'schemaBreak', endpoint: 'create' }] });
      const err = await rejectionOf(create()({ ...c, waitPolicy: adaptive }));
      expect(err.name).to.equal('OCPAPIError');
    });

    it('fails with InvalidInputError naming the bad fields, before touching OCP or the table', async () => {
      const c = call();
      const err = await rejectionOf(create()({ ...c, callId: '', waitPolicy: { kind: 'sometimes' } }));
      expect(err.name).to.equal('InvalidInputError');
      expect(err.message).to.contain('callId').and.contain('waitPolicy.kind').and.contain('waitPolicy.fixedSeconds');
      expect(await store.get(c.dialogGroupId)).to.equal(undefined);
    });
  });

  describe('checkExportStatus', () => {
    async function created(scenario?: Parameters<OcpSimulator['setScenario']>[0]) {
      const c = call(scenario);
      const job = await create()({ ...c, waitPolicy: adaptive });
      return { ...c, exportJobId: job.exportJobId };
    }

    it('records POLLING while the export runs, then EXPORT_COMPLETED with the download', async () => {
      const c = await created();
      now += 60_000;
      const polling = await check()({ ...c, pollingIteration: 1, waitPolicy: adaptive });
      expect(polling).to.include({ status: 'IN_PROGRESS', pollingIteration: 1, progress: 50, estimatedSecondsRemaining: 60, nextWaitSeconds: 60 });
      expect(await store.get(c.dialogGroupId)).to.include({ exportJobStatus: 'POLLING', pollingIteration: 1, totalPollingAttempts: 1 });

      now += 61_000;
      const done = await check()({ ...c, pollingIteration: 2, waitPolicy: adaptive });
      expect(done.status).to.equal('COMPLETED');
      expect(done.downloadUrl).to.match(/^http:\/\/127\.0\.0\.1:/);
      const r = await store.get(c.dialogGroupId);
      expect(r).to.include({ exportJobStatus: 'EXPORT_COMPLETED', pollingIteration: 2, totalPollingAttempts: 2, downloadUrl: done.downloadUrl, fileSize: done.fileSize });
      expect(r?.exportCompletedAt).to.equal(done.completedAt);
    });

    it('is idempotent: a retried status check neither counts twice nor moves the record back', async () => {
      const c = await created();
      now += 10_000;
      await check()({ ...c, pollingIteration: 1, waitPolicy: adaptive });
      await check()({ ...c, pollingIteration: 1, waitPolicy: adaptive });
      expect(await store.get(c.dialogGroupId)).to.include({ pollingIteration: 1, totalPollingAttempts: 1 });
      now += 200_000;
      await check()({ ...c, pollingIteration: 2, waitPolicy: adaptive });
      await check()({ ...c, pollingIteration: 2, waitPolicy: adaptive });
      expect(await store.get(c.dialogGroupId)).to.include({ exportJobStatus: 'EXPORT_COMPLETED', pollingIteration: 2 });
    });

    it('returns FAILED and unknown statuses as reported, without recording them', async () => {
      const failed = await created({ outcome: { kind: 'fail', errorMessage: 'media store lost it' } });
      const unknown = await created({ outcome: { kind: 'unknownStatus', status: 'ARCHIVED' } });
      now += 200_000;
      const f = await check()({ ...failed, pollingIteration: 1, waitPolicy: adaptive });
      expect(f).to.include({ status: 'FAILED', errorMessage: 'media store lost it', nextWaitSeconds: 300 });
      const u = await check()({ ...unknown, pollingIteration: 1, waitPolicy: adaptive });
      expect(u).to.include({ status: 'ARCHIVED', pollingIteration: 1 });
      expect((await store.get(failed.dialogGroupId))?.exportJobStatus).to.equal('CREATED');
      expect((await store.get(unknown.dialogGroupId))?.exportJobStatus).to.equal('CREATED');
    });

    it('falls back to fixedSeconds (clamped) when OCP gives no estimate', async () => {
      const c = await created({ eta: { mode: 'absent' } });
      now += 10_000;
      const out = await check()({ ...c, pollingIteration: 1, waitPolicy: { ...adaptive, fixedSeconds: 5000 } });
      expect(out.estimatedSecondsRemaining).to.equal(undefined);
      expect(out.nextWaitSeconds).to.equal(900);
    });

    it('names OCP failures for the workflow: 503 is throttling, a broken body is OCPAPIError', async () => {
      const busy = await created({ faults: [{ kind: 'serverError', endpoint: 'status', status: 503 }] });
      expect((await rejectionOf(check()({ ...busy, pollingIteration: 1, waitPolicy: adaptive }))).name).to.equal('OCPAPIThrottlingError');
      const broken = await created({ faults: [{ kind: 'malformedJson', endpoint: 'status' }] });
      expect((await rejectionOf(check()({ ...broken, pollingIteration: 1, waitPolicy: adaptive }))).name).to.equal('OCPAPIError');
      expect((await store.get(busy.dialogGroupId))?.exportJobStatus, 'a failed check records nothing').to.equal('CREATED');
    });

    it('rejects a pollingIteration below 1 with InvalidInputError', async () => {
      const c = await created();
      const err = await rejectionOf(check()({ ...c, pollingIteration: 0, waitPolicy: adaptive }));
      expect(err.name).to.equal('InvalidInputError');
      expect(err.message).to.contain('pollingIteration');
    });
  });

  describe('getExportMetadata', () => {
    it("returns OCP's description of the recording", async () => {
      const c = call({ recording: { channels: 1, sampleRate: 16000, agentId: 'agent-7', queueName: 'billing' } });
      const job = await create()({ ...c, waitPolicy: adaptive });
      now += 200_000;
      const m = await metadata()({ ...c, exportJobId: job.exportJobId });
      expect(m).to.include({ channels: 1, sampleRate: 16000, format: 'WAV', agentId: 'agent-7', queueName: 'billing', duration: 3 });
    });

    it('fails with OCPAPIError for a job OCP does not know', async () => {
      const c = call();
      const err = await rejectionOf(metadata()({ ...c, exportJobId: 'exp_does_not_exist' }));
      expect(err.name).to.equal('OCPAPIError');
    });
  });

  describe('hostile ids end to end', () => {
    it('carry any valid id through create, status and metadata calls and into the record unchanged', async () => {
      let i = 0;
      await fc.assert(
        fc.asyncProperty(validId, validId, async (dialogGroupId, callId) => {
          // Suffixed so each run owns a fresh record, and kept within the contract's 256 characters.
          const c = { dialogGroupId: `${dialogGroupId.slice(0, 240)}|${++i}`, callId, executionId: `arn:aws:states:us-east-1:000000000000:execution:recon:hostile-${i}-${process.pid}` };
          const job = await create()({ ...c, waitPolicy: adaptive });
          const status = await check()({ ...c, exportJobId: job.exportJobId, pollingIteration: 1, waitPolicy: adaptive });
          expect(['IN_PROGRESS', 'COMPLETED']).to.include(status.status);
          const m = await metadata()({ ...c, exportJobId: job.exportJobId });
          expect(m.format).to.equal('WAV');
          expect(await store.get(c.dialogGroupId)).to.include({ dialogGroupId: c.dialogGroupId, callId, exportJobId: job.exportJobId });
          const created = createRequests(callId).filter((e) => e.exportJobId === job.exportJobId);
          expect(created, 'the simulator saw the exact callId').to.have.length(1);
        }),
        { numRuns: 12 },
      );
    });
  });
});
