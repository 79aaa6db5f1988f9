import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import unzipper from 'unzipper';
import { startOcpSimulator, type OcpSimulator, type ScenarioPatch } from '../../local/ocp-sim/index.ts';
import { ExportCompleted, ExportMetadataResponse, ExportStatusResponse } from '../../runtime/ocp/schemas.ts';

const Token = 'sim-test-token';
const Dg = 'DG-2024-000777';

function manualClock(start = Date.parse('2026-03-01T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The fields of a canonical 44-byte PCM WAV header. */
function readWavHeader(wav: Buffer) {
  expect(wav.toString('ascii', 0, 4)).to.equal('RIFF');
  expect(wav.toString('ascii', 8, 12)).to.equal('WAVE');
  expect(wav.toString('ascii', 12, 16)).to.equal('fmt ');
  expect(wav.toString('ascii', 36, 40)).to.equal('data');
  const channels = wav.readUInt16LE(22);
  const sampleRate = wav.readUInt32LE(24);
  const bitsPerSample = wav.readUInt16LE(34);
  const dataBytes = wav.readUInt32LE(40);
  expect(wav.readUInt32LE(4)).to.equal(36 + dataBytes);
  expect(wav.readUInt16LE(20)).to.equal(1);
  return { channels, sampleRate, bitsPerSample, dataBytes, duration: dataBytes / (channels * (bitsPerSample / 8)) / sampleRate };
}

describe('OCP simulator over HTTP', function () {
  this.timeout(30_000);
  let sim: OcpSimulator;
  const clock = manualClock();

  before(async () => {
    sim = await startOcpSimulator({
      token: Token,
      seed: 'sim-tests',
      clock,
      scenario: { jobDuration: { kind: 'fixed', seconds: 10 }, recording: { duration: { kind: 'fixed', seconds: 3.25 }, channels: 2, sampleRate: 8000 } },
    });
  });
  after(() => sim.stop());

  const auth = { authorization: `Bearer ${Token}` };

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${sim.baseUrl}${path}`, {
      method,
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { response, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  /** Creates a job for `callId` with its own scenario and lets the clock run until it is finished. */
  async function finishedJob(callId: string, patch: ScenarioPatch = {}) {
    sim.setScenario(patch, { callId });
    const created = await api('POST', '/v1/exports', { dialogGroupId: Dg, callId, requestedAt: new Date(clock.now()).toISOString() });
    expect(created.response.status).to.equal(201);
    const exportJobId = created.json!.exportJobId as string;
    clock.advance(60_000);
    const status = await api('GET', `/v1/exports/${exportJobId}?dialogGroupId=${Dg}`);
    return { exportJobId, status: status.json!, downloadUrl: status.json!.downloadUrl as string };
  }

  async function download(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, { headers });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  }

  it('serves a real ZIP whose WAV matches the metadata, the fileSize and the expected sha256', async () => {
    const job = await finishedJob('CALL-ZIP-1');
    expect(ExportCompleted.parse(job.status).fileSize).to.be.a('number');
    const meta = ExportMetadataResponse.parse((await api('GET', `/v1/exports/${job.exportJobId}/metadata?dialogGroupId=${Dg}`)).json);

    const { response, body } = await download(job.downloadUrl);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/zip');
    expect(response.headers.get('accept-ranges')).to.equal('bytes');
    expect(response.headers.get('etag')).to.match(/^".+"$/);
    expect(Number(response.headers.get('content-length'))).to.equal(body.length).and.equal(job.status.fileSize);

    const directory = await unzipper.Open.buffer(body);
    expect(directory.files.map((f) => f.path)).to.deep.equal(['CALL-ZIP-1.wav']);
    const wav = await directory.files[0]!.buffer();
    const header = readWavHeader(wav);
    expect(header).to.deep.include({ channels: meta.metadata.channels, sampleRate: meta.metadata.sampleRate, bitsPerSample: 16 });
    expect(header.duration).to.be.closeTo(meta.metadata.duration, 0.001);
    expect(meta.metadata.duration).to.equal(3.25);
    expect(header.dataBytes + 44).to.equal(wav.length);

    const expected = await sim.expectedRecording(job.exportJobId);
    expect(createHash('sha256').update(wav).digest('hex')).to.equal(expected.sha256);
    expect(crc32(wav)).to.equal(expected.crc32);
    expect(expected).to.deep.include({ entryName: 'CALL-ZIP-1.wav', channels: 2, sampleRate: 8000, wavBytes: wav.length, archiveBytes: body.length });
  });

  it('answers Range requests with exactly the asked bytes (206), 416 past the end, and ignores what it does not serve', async () => {
    const job = await finishedJob('CALL-RANGE-1');
    const whole = (await download(job.downloadUrl)).body;
    const etag = (await fetch(job.downloadUrl, { method: 'HEAD' })).headers.get('etag')!;
    const size = whole.length;

    const middle = await download(job.downloadUrl, { range: 'bytes=100-5099' });
    expect(middle.response.status).to.equal(206);
    expect(middle.response.headers.get('content-range')).to.equal(`bytes 100-5099/${size}`);
    expect(middle.body.equals(whole.subarray(100, 5100))).to.equal(true);

    const open = await download(job.downloadUrl, { range: `bytes=${size - 1000}-` });
    expect(open.body.equals(whole.subarray(size - 1000))).to.equal(true);
    const suffix = await download(job.downloadUrl, { range: 'bytes=-22' });
    expect(suffix.body.equals(whole.subarray(size - 22))).to.equal(true);
    expect(suffix.body.readUInt32LE(0)).to.equal(0x06054b50);

    const past = await download(job.downloadUrl, { range: `bytes=${size}-` });
    expect(past.response.status).to.equal(416);
    expect(past.response.headers.get('content-range')).to.equal(`bytes */${size}`);

    const matching = await download(job.downloadUrl, { range: 'bytes=0-9', 'if-range': etag });
    expect(matching.response.status).to.equal(206);
    const stale = await download(job.downloadUrl, { range: 'bytes=0-9', 'if-range': '"something-else"' });
    expect(stale.response.status).to.equal(200);
    expect(stale.body.length).to.equal(size);
    const several = await download(job.downloadUrl, { range: 'bytes=0-9,20-29' });
    expect(several.response.status).to.equal(200);
  });

  it('cuts the first download after the configured bytes, and a Range resume completes the archive', async () => {
    const job = await finishedJob('CALL-DROP-1', { download: { dropAfterBytes: 10_000, drops: 1 } });
    const received: Buffer[] = [];
    const first = await fetch(job.downloadUrl);
    expect(first.status).to.equal(200);
    let failed = false;
    try {
      for await (const chunk of first.body!) received.push(Buffer.from(chunk));
    } catch {
      failed = true;
    }
    expect(failed, 'the body must end in an error, not a clean end').to.equal(true);
    const partial = Buffer.concat(received);
    expect(partial.length).to.equal(10_000);

    const rest = await download(job.downloadUrl, { range: `bytes=${partial.length}-` });
    expect(rest.response.status).to.equal(206);
    const archive = Buffer.concat([partial, rest.body]);
    const wav = await (await unzipper.Open.buffer(archive)).files[0]!.buffer();
    expect(createHash('sha256').update(wav).digest('hex')).to.equal((await sim.expectedRecording(job.exportJobId)).sha256);

    const downloads = sim.log().filter((e) => e.exportJobId === job.exportJobId && e.endpoint === 'download');
    expect(downloads.map((e) => [e.status, e.bytes, e.dropped ?? false])).to.deep.equal([
      [200, 10_000, true],
      [206, archive.length - 10_000, false],
    ]);
  });

  it('stalls mid-body where configured, so a client with an idle timeout gives up at that byte', async () => {
    const job = await finishedJob('CALL-STALL-1', { download: { stallAfterBytes: 5000, stallMs: 5000 } });
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), 2000);
    const received: Buffer[] = [];
    const response = await fetch(job.downloadUrl, { signal: idle.signal });
    try {
      for await (const chunk of response.body!) {
        received.push(Buffer.from(chunk));
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(), 150);
      }
      expect.fail('the stalled body should not complete before the idle timeout');
    } catch (error) {
      expect((error as Error).name).to.equal('AbortError');
    } finally {
      clearTimeout(timer);
    }
    expect(Buffer.concat(received).length).to.equal(5000);
  });

  it('can cut a download before its first body byte', async () => {
    const job = await finishedJob('CALL-DROP0-1', { download: { dropAfterBytes: 0, drops: 2 } });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(job.downloadUrl);
      let failed = false;
      let bytes = 0;
      try {
        for await (const chunk of response.body!) bytes += chunk.length;
      } catch {
        failed = true;
      }
      expect([failed, bytes]).to.deep.equal([true, 0]);
    }
    const third = await download(job.downloadUrl);
    expect(third.body.length).to.equal(job.status.fileSize);
  });

  it('survives clients that hang up mid-download, and keeps serving', async () => {
    const job = await finishedJob('CALL-HANGUP-1', { recording: { duration: { kind: 'fixed', seconds: 600 }, sampleRate: 48_000 } });
    for (let i = 0; i < 5; i++) {
      const abort = new AbortController();
      const response = await fetch(job.downloadUrl, { signal: abort.signal });
      const reader = response.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.closed.catch(() => undefined);
    }
    const head = await fetch(job.downloadUrl, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    const hangups = sim.log().filter((e) => e.exportJobId === job.exportJobId && e.endpoint === 'download' && e.method === 'GET');
    expect(hangups).to.have.length(5);
    expect(hangups.every((e) => e.bytes < Number(head.headers.get('content-length')))).to.equal(true);
  });

  it('paces a download to the configured bandwidth without changing its bytes', async () => {
    const bandwidth = 256 * 1024;
    const job = await finishedJob('CALL-SLOWDL-1', { download: { bandwidthBytesPerSecond: bandwidth } });
    const started = performance.now();
    const { body } = await download(job.downloadUrl);
    const seconds = (performance.now() - started) / 1000;
    const wav = await (await unzipper.Open.buffer(body)).files[0]!.buffer();
    expect(createHash('sha256').update(wav).digest('hex')).to.equal((await sim.expectedRecording(job.exportJobId)).sha256);
    console.log(`      bandwidth: ${(body.length / seconds / bandwidth).toFixed(2)} x the configured rate`);
  });

  it('accepts the pre-signed URL without a token, and refuses a tampered, expired or unauthenticated one', async () => {
    const job = await finishedJob('CALL-SIGNED-1');
    expect((await fetch(job.downloadUrl, { method: 'HEAD' })).status).to.equal(200);

    const tampered = job.downloadUrl.replace(/signature=([0-9a-f])/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    const bad = await api('GET', new URL(tampered).pathname + new URL(tampered).search, undefined, { authorization: '' });
    expect(bad.response.status).to.equal(403);
    expect(bad.json!.code).to.equal('INVALID_SIGNATURE');

    const bare = await fetch(`${sim.baseUrl}/v1/exports/${job.exportJobId}/download`);
    expect(bare.status).to.equal(401);
    expect(bare.headers.get('www-authenticate')).to.match(/^Bearer/);
    const withToken = await fetch(`${sim.baseUrl}/v1/exports/${job.exportJobId}/download`, { headers: auth, method: 'HEAD' });
    expect(withToken.status).to.equal(200);

    clock.advance(7 * 3600 * 1000);
    const expired = await fetch(job.downloadUrl);
    expect(expired.status).to.equal(403);
    expect(((await expired.json()) as { code: string }).code).to.equal('DOWNLOAD_URL_EXPIRED');
  });

  it('refuses downloads before completion and metadata of a failed job (409)', async () => {
    sim.setScenario({ jobDuration: { kind: 'fixed', seconds: 3600 } }, { callId: 'CALL-EARLY-1' });
    const created = await api('POST', '/v1/exports', { dialogGroupId: Dg, callId: 'CALL-EARLY-1', requestedAt: '2026-03-01T10:00:00Z' });
    const early = await api('GET', `/v1/exports/${created.json!.exportJobId}/download`);
    expect(early.response.status).to.equal(409);
    expect(early.json!.code).to.equal('EXPORT_NOT_READY');

    const failed = await finishedJob('CALL-FAILMETA-1', { outcome: { kind: 'fail', errorMessage: 'gone' } });
    expect(failed.status).to.include({ status: 'FAILED', errorMessage: 'gone' });
    const meta = await api('GET', `/v1/exports/${failed.exportJobId}/metadata?dialogGroupId=${Dg}`);
    expect(meta.response.status).to.equal(409);
  });

  it('serves corrupt archives when told to: a flipped data byte, or an HTML page', async () => {
    const flipped = await finishedJob('CALL-CORRUPT-1', { download: { corruption: 'crc' } });
    const expected = await sim.expectedRecording(flipped.exportJobId);
    const body = (await download(flipped.downloadUrl)).body;
    expect(body.length).to.equal(expected.archiveBytes);
    const wav = body.subarray(body.length - expected.wavBytes - 22 - 46 - 'CALL-CORRUPT-1.wav'.length, body.length - 22 - 46 - 'CALL-CORRUPT-1.wav'.length);
    expect(crc32(wav)).to.not.equal(expected.crc32);

    const html = await finishedJob('CALL-NOTZIP-1', { download: { corruption: 'not-zip' } });
    const page = (await download(html.downloadUrl)).body;
    let rejected = false;
    await unzipper.Open.buffer(page).catch(() => (rejected = true));
    expect(rejected).to.equal(true);
  });

  it('reports metadata that disagrees with the WAV when the scenario says so', async () => {
    const job = await finishedJob('CALL-LIE-1', { metadataOverride: { channels: 1, duration: 99 } });
    const meta = ExportMetadataResponse.parse((await api('GET', `/v1/exports/${job.exportJobId}/metadata?dialogGroupId=${Dg}`)).json);
    expect(meta.metadata).to.include({ channels: 1, duration: 99, sampleRate: 8000 });
    const wav = await (await unzipper.Open.buffer((await download(job.downloadUrl)).body)).files[0]!.buffer();
    expect(readWavHeader(wav).channels).to.equal(2);
  });

  it('keeps ids and recordings apart across dialog groups, and validates requests', async () => {
    const job = await finishedJob('CALL-ISO-1');
    expect((await api('GET', `/v1/exports/${job.exportJobId}?dialogGroupId=DG-other`)).response.status).to.equal(404);
    expect((await api('GET', `/v1/exports/${job.exportJobId}`)).json!.code).to.equal('MISSING_DIALOG_GROUP_ID');
    const bad = await api('POST', '/v1/exports', { dialogGroupId: Dg, callId: '', requestedAt: 'yesterday' });
    expect(bad.response.status).to.equal(400);
    expect(bad.json!.message).to.include('callId').and.include('requestedAt');
    const reused = await api('POST', '/v1/exports', { dialogGroupId: Dg, callId: 'CALL-OTHER', requestedAt: '2026-03-01T10:00:00Z' }, { 'idempotency-key': 'k-iso' });
    expect(reused.response.status).to.equal(201);
    const clash = await api('POST', '/v1/exports', { dialogGroupId: Dg, callId: 'CALL-ANOTHER', requestedAt: '2026-03-01T10:00:00Z' }, { 'idempotency-key': 'k-iso' });
    expect(clash.response.status).to.equal(409);
    expect((await api('DELETE', '/v1/exports')).response.status).to.equal(405);
    expect((await api('GET', '/v2/nothing')).response.status).to.equal(404);
  });

  it('counts calls per endpoint and bytes served, and logs every request with its id', async () => {
    const before = sim.stats();
    const job = await finishedJob('CALL-COUNT-1');
    await api('GET', `/v1/exports/${job.exportJobId}/metadata?dialogGroupId=${Dg}`);
    const { body, response } = await download(job.downloadUrl);
    const after = sim.stats();
    expect(after.requests.create - before.requests.create).to.equal(1);
    expect(after.requests.status - before.requests.status).to.equal(1);
    expect(after.requests.metadata - before.requests.metadata).to.equal(1);
    expect(after.requests.download - before.requests.download).to.equal(1);
    expect(after.bytesServed - before.bytesServed).to.equal(body.length);
    expect(after.downloads.completed - before.downloads.completed).to.equal(1);
    const entry = sim.log().find((e) => e.requestId === response.headers.get('x-request-id'));
    expect(entry).to.include({ endpoint: 'download', status: 200, bytes: body.length, exportJobId: job.exportJobId, callId: 'CALL-COUNT-1' });
    expect(entry!.path).to.not.include('signature');
  });

  it('describes a multi-GB export and serves its last bytes without generating the rest', async () => {
    const job = await finishedJob('CALL-HUGE-1', { recording: { duration: { kind: 'fixed', seconds: 6 * 3600 }, sampleRate: 48_000, channels: 2 } });
    const head = await fetch(job.downloadUrl, { method: 'HEAD' });
    const size = Number(head.headers.get('content-length'));
    expect(size).to.be.greaterThan(4_000_000_000).and.equal(job.status.fileSize);
    const expected = await sim.expectedRecording(job.exportJobId, { withSha256: false });
    expect(expected.sha256).to.equal(undefined);
    expect(expected.durationSeconds).to.equal(6 * 3600);
    const tail = await download(job.downloadUrl, { range: 'bytes=-22' });
    expect(tail.body.readUInt32LE(16)).to.equal(size - 22 - 46 - 'CALL-HUGE-1.wav'.length);
    const wavHeader = await download(job.downloadUrl, { range: `bytes=${30 + 'CALL-HUGE-1.wav'.length}-${30 + 'CALL-HUGE-1.wav'.length + 43}` });
    expect(readWavHeader(wavHeader.body)).to.deep.include({ channels: 2, sampleRate: 48_000, duration: 6 * 3600 });
  });
});

describe('OCP simulator jobs and scenarios', () => {
  const clock = manualClock();
  let sim: OcpSimulator;
  afterEach(() => sim?.stop());

  async function create(s: OcpSimulator, callId: string, key?: string) {
    const response = await fetch(`${s.baseUrl}/v1/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${Token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ dialogGroupId: Dg, callId, requestedAt: '2026-03-01T10:00:00Z' }),
    });
    return { response, body: (await response.json()) as Record<string, unknown> };
  }
  async function status(s: OcpSimulator, id: string) {
    const response = await fetch(`${s.baseUrl}/v1/exports/${id}?dialogGroupId=${Dg}`, { headers: { authorization: `Bearer ${Token}` } });
    return ExportStatusResponse.parse(await response.json()) as Record<string, unknown>;
  }

  it('replays the same seed exactly and differs for another seed', async () => {
    const scenario: ScenarioPatch = { jobDuration: { kind: 'lognormal', medianSeconds: 30, sigma: 0.8 } };
    const runs: { id: string; sha?: string; duration: number }[] = [];
    for (const seed of [7, 7, 8]) {
      sim = await startOcpSimulator({ token: Token, seed, clock, scenario });
      const { body } = await create(sim, 'CALL-SEED-1', 'key-1');
      const id = body.exportJobId as string;
      const expected = await sim.expectedRecording(id);
      runs.push({ id, ...(expected.sha256 ? { sha: expected.sha256 } : {}), duration: sim.job(id)!.durationMs });
      await sim.stop();
    }
    expect(runs[0]).to.deep.equal(runs[1]);
    expect(runs[2]!.id).to.not.equal(runs[0]!.id);
    expect(runs[2]!.sha).to.not.equal(runs[0]!.sha);
    expect(runs[2]!.duration).to.not.equal(runs[0]!.duration);
  });

  it('draws durations from the configured distribution', async () => {
    sim = await startOcpSimulator({ token: Token, seed: 3, clock });
    sim.setScenario({ jobDuration: { kind: 'uniform', minSeconds: 20, maxSeconds: 40 } }, { callIdPrefix: 'CALL-U-' });
    sim.setScenario({ jobDuration: { kind: 'lognormal', medianSeconds: 60, sigma: 1, maxSeconds: 90 } }, { callIdPrefix: 'CALL-L-' });
    const uniform: number[] = [];
    const lognormal: number[] = [];
    for (let i = 0; i < 40; i++) {
      uniform.push(sim.job((await create(sim, `CALL-U-${i}`)).body.exportJobId as string)!.durationMs);
      lognormal.push(sim.job((await create(sim, `CALL-L-${i}`)).body.exportJobId as string)!.durationMs);
    }
    expect(Math.min(...uniform)).to.be.at.least(20_000);
    expect(Math.max(...uniform)).to.be.at.most(40_000);
    expect(new Set(uniform).size).to.be.greaterThan(30);
    expect(Math.max(...lognormal)).to.be.at.most(90_000);
    expect(lognormal.filter((d) => d < 60_000).length).to.be.within(10, 30);
  });

  it('gives exact, noisy or no ETAs, and jobs that never finish', async () => {
    sim = await startOcpSimulator({ token: Token, seed: 5, clock, scenario: { jobDuration: { kind: 'fixed', seconds: 100 } } });
    sim.setScenario({ eta: { mode: 'exact' } }, { callIdPrefix: 'CALL-EXACT' });
    sim.setScenario({ eta: { mode: 'noisy', noise: 0.5 } }, { callIdPrefix: 'CALL-NOISY' });
    sim.setScenario({ eta: { mode: 'absent' } }, { callIdPrefix: 'CALL-ABSENT' });
    sim.setScenario({ outcome: { kind: 'never' } }, { callIdPrefix: 'CALL-NEVER' });
    const exact = (await create(sim, 'CALL-EXACT-1')).body;
    const noisy = (await create(sim, 'CALL-NOISY-1')).body;
    const absent = (await create(sim, 'CALL-ABSENT-1')).body;
    const never = (await create(sim, 'CALL-NEVER-1')).body;
    expect(absent).to.not.have.property('estimatedCompletionTime');
    clock.advance(40_000);
    expect(await status(sim, exact.exportJobId as string)).to.include({ progress: 40, estimatedSecondsRemaining: 60 });
    const noisyEtas = [await status(sim, noisy.exportJobId as string), await status(sim, noisy.exportJobId as string)].map(
      (s) => s.estimatedSecondsRemaining as number,
    );
    expect(noisyEtas.some((eta) => eta !== 60)).to.equal(true);
    expect(noisyEtas.every((eta) => eta > 0)).to.equal(true);
    expect(await status(sim, absent.exportJobId as string)).to.not.have.property('estimatedSecondsRemaining');
    clock.advance(365 * 24 * 3600 * 1000);
    const stuck = await status(sim, never.exportJobId as string);
    expect(stuck).to.include({ status: 'IN_PROGRESS', progress: 99 });
    expect(await status(sim, exact.exportJobId as string)).to.include({ status: 'COMPLETED' });
  });

  it('injects probabilistic faults reproducibly for a seed', async () => {
    const patterns: string[] = [];
    for (const seed of [11, 11, 12]) {
      sim = await startOcpSimulator({
        token: Token,
        seed,
        clock,
        scenario: { faults: [{ kind: 'serverError', endpoint: 'create', status: 503, probability: 0.5 }] },
      });
      let pattern = '';
      for (let i = 0; i < 40; i++) pattern += (await create(sim, `CALL-P-${i}`)).response.status === 503 ? 'x' : '.';
      patterns.push(pattern);
      await sim.stop();
    }
    expect(patterns[0]).to.equal(patterns[1]);
    expect(patterns[0]).to.not.equal(patterns[2]);
    const faulted = patterns[0]!.split('').filter((c) => c === 'x').length;
    expect(faulted).to.be.within(8, 32);
  });

  it('throttles the account beyond its rate limit with Retry-After', async () => {
    sim = await startOcpSimulator({ token: Token, seed: 1, clock, rateLimit: { requestsPerSecond: 0.01, burst: 2 } });
    const codes: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const { response } = await create(sim, `CALL-RL-${i}`);
      codes.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(codes).to.deep.equal([201, 201, 429]);
    expect(Number(retryAfter)).to.be.greaterThan(0);
    expect(sim.stats().faults.rateLimit).to.equal(1);
  });

  it('resolves scenarios run ← longest prefix ← callId, and names the bad field of an invalid one', async () => {
    sim = await startOcpSimulator({
      token: Token,
      clock,
      scenario: { recording: { channels: 1 } },
      byCallIdPrefix: { 'CALL-': { recording: { sampleRate: 16_000 } }, 'CALL-X-': { recording: { sampleRate: 22_050 } } },
      byCallId: { 'CALL-X-1': { recording: { channels: 2 } } },
    });
    const spec = async (callId: string) => sim.job((await create(sim, callId)).body.exportJobId as string)!.recording;
    expect(await spec('OTHER-1')).to.include({ channels: 1, sampleRate: 8000 });
    expect(await spec('CALL-1')).to.include({ channels: 1, sampleRate: 16_000 });
    expect(await spec('CALL-X-2')).to.include({ channels: 1, sampleRate: 22_050 });
    expect(await spec('CALL-X-1')).to.include({ channels: 2, sampleRate: 22_050 });
    expect(() => sim.setScenario({ recording: { channels: 0 } }, { callId: 'c' })).to.throw(/callId c: recording\.channels/);
    expect(() => sim.setScenario({ faults: [{ kind: 'explode' }] } as unknown as ScenarioPatch)).to.throw(/faults\.0/);
  });
});
