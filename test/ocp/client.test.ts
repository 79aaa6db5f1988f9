import { expect } from 'chai';
import fc from 'fast-check';
import unzipper from 'unzipper';
import { startOcpSimulator, type OcpSimulator } from '../../local/ocp-sim/index.ts';
import { createOcpClient, idempotencyHeader, type OcpClientOptions } from '../../runtime/ocp/client.ts';
import { OcpApiError, OcpApiThrottlingError, OcpApiTimeoutError } from '../../runtime/ocp/errors.ts';
import { ErrorNames } from '../../runtime/errors.ts';
import { isExportCompleted } from '../../runtime/ocp/schemas.ts';

const Token = 'tok-s3cr3t-value-never-shown';

/** A clock the test moves by hand, so jobs finish when the test says so. */
function manualClock(start = Date.parse('2026-03-01T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('OCP client against the simulator over HTTP', function () {
  let sim: OcpSimulator;
  const clock = manualClock();

  before(async () => {
    sim = await startOcpSimulator({
      token: Token,
      seed: 42,
      clock,
      scenario: { jobDuration: { kind: 'fixed', seconds: 60 }, recording: { duration: { kind: 'fixed', seconds: 2 } } },
    });
  });
  after(() => sim.stop());

  function client(overrides: Partial<OcpClientOptions> = {}) {
    return createOcpClient({
      baseUrl: sim.baseUrl,
      token: async () => Token,
      timeoutMs: 2000,
      retry: { limit: 3, backoffBaseMs: 5, backoffLimitMs: 20, maxRetryAfterMs: 2000 },
      ...overrides,
    });
  }

  const ids = (callId: string) => ({ dialogGroupId: 'DG-2024-000001', callId, requestedAt: '2026-03-01T10:00:00Z', idempotencyKey: `exec-${callId}` });

  it('creates a job, polls it to COMPLETED and reads its metadata', async () => {
    const ocp = client();
    const created = await ocp.createExportJob(ids('CALL-HAPPY-1'));
    expect(created.status).to.equal('CREATED');
    expect(created.exportJobId).to.match(/^exp_/);
    expect(Date.parse(created.estimatedCompletionTime!)).to.equal(clock.now() + 60_000);

    const ref = { exportJobId: created.exportJobId, dialogGroupId: 'DG-2024-000001' };
    clock.advance(30_000);
    const halfway = await ocp.getExportStatus(ref);
    expect(halfway).to.deep.include({ status: 'IN_PROGRESS', progress: 50, estimatedSecondsRemaining: 30 });

    clock.advance(30_000);
    const done = await ocp.getExportStatus(ref);
    if (!isExportCompleted(done)) throw new Error(`expected COMPLETED, got ${done.status}`);
    expect(done.downloadUrl).to.match(new RegExp(`^${sim.baseUrl}/v1/exports/${created.exportJobId}/download\\?`));
    const expected = await sim.expectedRecording(created.exportJobId);
    expect(done.fileSize).to.equal(expected.archiveBytes);

    const meta = await ocp.getExportMetadata(ref);
    expect(meta.metadata).to.deep.include({ duration: 2, channels: 2, sampleRate: 8000, format: 'WAV' });
  });

  it('returns the same job for a retried create with the same Idempotency-Key', async () => {
    const ocp = client();
    const first = await ocp.createExportJob(ids('CALL-IDEM-1'));
    const again = await ocp.createExportJob(ids('CALL-IDEM-1'));
    const other = await ocp.createExportJob({ ...ids('CALL-IDEM-1'), idempotencyKey: 'another-execution' });
    expect(again.exportJobId).to.equal(first.exportJobId);
    expect(other.exportJobId).to.not.equal(first.exportJobId);
    expect(sim.stats().idempotentReplays).to.be.greaterThanOrEqual(1);
  });

  it('stays idempotent when OCP created the job but the answer was lost: the retry gets the same job', async () => {
    sim.setScenario({ faults: [{ kind: 'lostResponse', endpoint: 'create', times: 1 }] }, { callId: 'CALL-LOST-1' });
    const before = sim.stats();
    const created = await client().createExportJob(ids('CALL-LOST-1'));
    const after = sim.stats();
    expect(after.jobsCreated - before.jobsCreated).to.equal(1);
    expect(after.idempotentReplays - before.idempotentReplays).to.equal(1);
    const creates = sim.log().filter((e) => e.callId === 'CALL-LOST-1' && e.endpoint === 'create');
    expect(creates.map((e) => [e.status, e.exportJobId])).to.deep.equal([
      [0, created.exportJobId],
      [201, created.exportJobId],
    ]);
  });

  it('gives up with OCPAPITimeoutError when the whole call, retries included, exceeds totalTimeoutMs', async () => {
    sim.setScenario({ faults: [{ kind: 'throttle', endpoint: 'create', retryAfterSeconds: 1 }] }, { callId: 'CALL-BUDGET-1' });
    const error = await expectRejection(client({ totalTimeoutMs: 200 }).createExportJob(ids('CALL-BUDGET-1')));
    expect(error).to.be.instanceOf(OcpApiTimeoutError);
    expect(sim.log().filter((e) => e.callId === 'CALL-BUDGET-1')).to.have.length(1);
  });

  it('handles hostile ids end to end: unicode, quotes, #, JSON fragments, 256 characters', async function () {
    this.timeout(20_000);
    const hostile = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
      fc.constantFrom('#', '"', "'; DROP TABLE", '{"a":1}', '../../etc/passwd', '%2F%2e%2e', 'x'.repeat(256), 'ü/ß?&=#', ' '),
    );
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (dialogGroupId, callId) => {
        fc.pre(dialogGroupId.length <= 256 && callId.length <= 256);
        const ocp = client();
        const key = `exec:${dialogGroupId}:${callId}`;
        const created = await ocp.createExportJob({ dialogGroupId, callId, requestedAt: '2026-03-01T10:00:00Z', idempotencyKey: key });
        const again = await ocp.createExportJob({ dialogGroupId, callId, requestedAt: '2026-03-01T10:00:00Z', idempotencyKey: key });
        expect(again.exportJobId).to.equal(created.exportJobId);
        const ref = { exportJobId: created.exportJobId, dialogGroupId };
        expect((await ocp.getExportStatus(ref)).status).to.be.oneOf(['IN_PROGRESS', 'COMPLETED']);
        expect((await ocp.getExportMetadata(ref)).metadata.channels).to.equal(2);
        expect(sim.job(created.exportJobId)!.entryName).to.match(/^[A-Za-z0-9_][A-Za-z0-9._-]*\.wav$/);
      }),
      { numRuns: 25 },
    );
  });

  it('sends any idempotency key as a valid header, one value per key', () => {
    expect(idempotencyHeader('arn:aws:states:us-east-1:1:execution:sm:CALL-1')).to.equal('arn:aws:states:us-east-1:1:execution:sm:CALL-1');
    const unicode = idempotencyHeader('exec-ü');
    expect(unicode).to.match(/^sha256-[0-9a-f]{64}$/);
    expect(idempotencyHeader('exec-ü')).to.equal(unicode);
    expect(idempotencyHeader('exec-u')).to.not.equal(unicode);
    expect(idempotencyHeader('k'.repeat(300))).to.match(/^sha256-/);
  });

  it('downloads via the pre-signed URL the status returned, as the worker will', async () => {
    const ocp = client();
    const created = await ocp.createExportJob(ids('CALL-DL-1'));
    clock.advance(120_000);
    const done = await ocp.getExportStatus({ exportJobId: created.exportJobId, dialogGroupId: 'DG-2024-000001' });
    if (!isExportCompleted(done)) throw new Error(`expected COMPLETED, got ${done.status}`);
    const zip = Buffer.from(await (await fetch(done.downloadUrl)).arrayBuffer());
    expect(zip.length).to.equal(done.fileSize);
    const [entry] = (await unzipper.Open.buffer(zip)).files;
    expect(entry!.path).to.equal('CALL-DL-1.wav');
  });

  /** Creates a job for a fresh call whose scenario is `patch`, returning its ref. */
  async function jobWith(callId: string, patch: Parameters<OcpSimulator['setScenario']>[0]) {
    sim.setScenario(patch, { callId });
    const created = await client().createExportJob(ids(callId));
    return { exportJobId: created.exportJobId, dialogGroupId: 'DG-2024-000001' };
  }

  const requestsFor = (exportJobId: string, endpoint: string) =>
    sim.log().filter((e) => e.exportJobId === exportJobId && e.endpoint === endpoint);

  it('retries 429s and 502/503/504 with backoff until OCP answers', async () => {
    const ref = await jobWith('CALL-FLAKY-1', {
      faults: [
        { kind: 'throttle', endpoint: 'status', times: 1, retryAfterSeconds: 0 },
        { kind: 'serverError', endpoint: 'status', times: 1, status: 502 },
        { kind: 'serverError', endpoint: 'status', times: 1, status: 504 },
      ],
    });
    const retries: number[] = [];
    const status = await client({ onRetry: (e) => retries.push(e.httpStatus ?? 0) }).getExportStatus(ref);
    expect(status.status).to.equal('IN_PROGRESS');
    expect(requestsFor(ref.exportJobId, 'status').map((e) => e.status)).to.deep.equal([429, 502, 504, 200]);
    expect(retries).to.deep.equal([429, 502, 504]);
  });

  it('waits as long as Retry-After asks before retrying (the simulator counts early retries)', async function () {
    this.timeout(10_000);
    const ref = await jobWith('CALL-RETRY-AFTER-1', { faults: [{ kind: 'throttle', endpoint: 'status', times: 1, retryAfterSeconds: 1 }] });
    const before = sim.stats().earlyRetries;
    await client().getExportStatus(ref);
    expect(requestsFor(ref.exportJobId, 'status').map((e) => e.status)).to.deep.equal([429, 200]);
    expect(sim.stats().earlyRetries).to.equal(before);
  });

  it('caps a long Retry-After at maxRetryAfterMs, and then fails as throttled', async () => {
    const ref = await jobWith('CALL-RETRY-CAP-1', { faults: [{ kind: 'throttle', endpoint: 'status', retryAfterSeconds: 3600 }] });
    const error = await expectRejection(
      client({ retry: { limit: 2, backoffBaseMs: 5, maxRetryAfterMs: 10 } }).getExportStatus(ref),
    );
    expect(error).to.be.instanceOf(OcpApiThrottlingError);
    expect(error.name).to.equal(ErrorNames.OcpThrottling);
    const throttled = error as OcpApiThrottlingError;
    expect(throttled.httpStatus).to.equal(429);
    const last = requestsFor(ref.exportJobId, 'status').at(-1)!;
    expect(throttled.ocpRequestId).to.equal(last.requestId);
    expect(throttled.message).to.include(last.requestId).and.include('after 3 attempts');
    // Both retries came back inside the hour-long window the simulator had set.
    expect(requestsFor(ref.exportJobId, 'status').map((e) => e.fault)).to.deep.equal(['throttle', 'throttleWindow', 'throttleWindow']);
  });

  it('fails with OCPAPITimeoutError when OCP answers after the client timeout', async () => {
    const ref = await jobWith('CALL-SLOW-1', { faults: [{ kind: 'slow', endpoint: 'status', delayMs: 3000 }] });
    const error = await expectRejection(client({ timeoutMs: 150 }).getExportStatus(ref));
    expect(error).to.be.instanceOf(OcpApiTimeoutError);
    expect(error.name).to.equal(ErrorNames.OcpTimeout);
    expect(error.message).to.include("no usable answer within the client's time limit");
    expect(requestsFor(ref.exportJobId, 'status')).to.have.length(1);
  });

  it('retries a timed-out attempt only when told to', async () => {
    const ref = await jobWith('CALL-SLOW-2', { faults: [{ kind: 'slow', endpoint: 'status', delayMs: 3000, times: 1 }] });
    const status = await client({ timeoutMs: 150, retry: { retryOnTimeout: true, backoffBaseMs: 5 } }).getExportStatus(ref);
    expect(status.status).to.equal('IN_PROGRESS');
    expect(requestsFor(ref.exportJobId, 'status')).to.have.length(2);
  });

  it('maps a persistent 504 to OCPAPITimeoutError and a 500 to OCPAPIError without retrying it', async () => {
    const gateway = await jobWith('CALL-504-1', { faults: [{ kind: 'serverError', endpoint: 'status', status: 504 }] });
    const timeout = (await expectRejection(client().getExportStatus(gateway))) as OcpApiTimeoutError;
    expect(timeout).to.be.instanceOf(OcpApiTimeoutError);
    expect(timeout.httpStatus).to.equal(504);
    expect(requestsFor(gateway.exportJobId, 'status')).to.have.length(4);

    const internal = await jobWith('CALL-500-1', { faults: [{ kind: 'serverError', endpoint: 'metadata', status: 500 }] });
    const error = (await expectRejection(client().getExportMetadata(internal))) as OcpApiError;
    expect(error).to.be.instanceOf(OcpApiError);
    expect(error.name).to.equal(ErrorNames.OcpApi);
    expect(error.httpStatus).to.equal(500);
    expect(error.details).to.include({ ocpErrorCode: 'INTERNAL_ERROR', operation: 'getExportMetadata' });
    expect(requestsFor(internal.exportJobId, 'metadata')).to.have.length(1);
  });

  it('retries a reset connection, and reports OCPAPIError when OCP stays unreachable', async () => {
    const once = await jobWith('CALL-RESET-1', { faults: [{ kind: 'reset', endpoint: 'status', times: 1 }] });
    expect((await client().getExportStatus(once)).status).to.equal('IN_PROGRESS');
    expect(requestsFor(once.exportJobId, 'status')).to.have.length(2);

    const always = await jobWith('CALL-RESET-2', { faults: [{ kind: 'reset', endpoint: 'status' }] });
    const error = await expectRejection(client().getExportStatus(always));
    expect(error).to.be.instanceOf(OcpApiError);
    expect(error.message).to.include('could not reach OCP');
    expect(requestsFor(always.exportJobId, 'status')).to.have.length(4);
  });

  it('rejects malformed JSON and bodies that break the schema as OCPAPIError naming the problem', async () => {
    const garbled = await jobWith('CALL-GARBLED-1', { faults: [{ kind: 'malformedJson', endpoint: 'status' }] });
    const notJson = (await expectRejection(client().getExportStatus(garbled))) as OcpApiError;
    expect(notJson).to.be.instanceOf(OcpApiError);
    expect(notJson.message).to.include('not JSON');
    expect(notJson.httpStatus).to.equal(200);

    const broken = await jobWith('CALL-BROKEN-1', { faults: [{ kind: 'schemaBreak', endpoint: 'status' }] });
    const invalid = (await expectRejection(client().getExportStatus(broken))) as OcpApiError;
    expect(invalid).to.be.instanceOf(OcpApiError);
    expect(invalid.message).to.include('breaks the export API contract').and.include('downloadUrl').and.include('fileSize');

    sim.setScenario({ faults: [{ kind: 'schemaBreak', endpoint: 'create' }] }, { callId: 'CALL-BROKEN-2' });
    const badCreate = await expectRejection(client().createExportJob(ids('CALL-BROKEN-2')));
    expect(badCreate).to.be.instanceOf(OcpApiError);
    expect(badCreate.message).to.include('exportJobId');
  });

  it('parses a status it does not know instead of failing, so the workflow can route it', async () => {
    const ref = await jobWith('CALL-ODD-1', { jobDuration: { kind: 'fixed', seconds: 0 }, outcome: { kind: 'unknownStatus', status: 'ARCHIVED' } });
    const status = await client().getExportStatus(ref);
    expect(status.status).to.equal('ARCHIVED');
  });

  it('reports FAILED jobs with OCP\'s message', async () => {
    const ref = await jobWith('CALL-FAILS-1', { jobDuration: { kind: 'fixed', seconds: 0 }, outcome: { kind: 'fail', errorMessage: 'Recording purged.' } });
    expect(await client().getExportStatus(ref)).to.deep.equal({ exportJobId: ref.exportJobId, status: 'FAILED', errorMessage: 'Recording purged.' });
  });

  it('maps 401 and 404 to OCPAPIError with actionable messages, and drops a rejected cached token', async () => {
    let invalidated = 0;
    const wrongToken = Object.assign(async () => 'stale-token-value', { invalidate: () => void invalidated++ });
    const unauthorized = (await expectRejection(client({ token: wrongToken }).createExportJob(ids('CALL-AUTH-1')))) as OcpApiError;
    expect(unauthorized).to.be.instanceOf(OcpApiError);
    expect(unauthorized.httpStatus).to.equal(401);
    expect(unauthorized.message).to.include('OCP_TOKEN_SECRET_ARN');
    expect(invalidated).to.equal(1);

    const missing = (await expectRejection(client().getExportStatus({ exportJobId: 'exp_nope', dialogGroupId: 'DG-1' }))) as OcpApiError;
    expect(missing.httpStatus).to.equal(404);
    expect(missing.message).to.include('does not know this export job');
    expect(missing.ocpRequestId).to.match(/^req_/);
  });

  it('never puts the bearer token in an error', async () => {
    const failures: Error[] = [];
    const broken = await jobWith('CALL-LEAK-1', {
      faults: [
        { kind: 'throttle', endpoint: 'status', retryAfterSeconds: 0 },
      ],
    });
    failures.push(await expectRejection(client({ retry: { limit: 1, backoffBaseMs: 1 } }).getExportStatus(broken)));
    failures.push(await expectRejection(client({ timeoutMs: 100 }).getExportStatus(await jobWith('CALL-LEAK-2', { faults: [{ kind: 'slow', endpoint: 'status', delayMs: 2000 }] }))));
    failures.push(await expectRejection(client().getExportStatus(await jobWith('CALL-LEAK-3', { faults: [{ kind: 'schemaBreak', endpoint: 'status' }] }))));
    failures.push(await expectRejection(client({ token: async () => `${Token}-wrong` }).createExportJob(ids('CALL-LEAK-4'))));
    failures.push(await expectRejection(createOcpClient({ baseUrl: 'http://127.0.0.1:1', token: async () => Token, retry: { limit: 0 } }).getExportStatus({ exportJobId: 'e', dialogGroupId: 'd' })));
    expect(failures).to.have.length(5);
    for (const failure of failures) {
      const text = `${failure.message}\n${failure.stack}\n${JSON.stringify(failure)}\n${JSON.stringify((failure as OcpApiError).details)}`;
      expect(text).to.not.include(Token);
    }
  });
});
