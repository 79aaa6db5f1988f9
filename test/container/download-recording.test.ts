import { UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { downloadRecording, type DownloadDeps, type DownloadStats } from '../../container/src/download-recording.ts';
import { TaskGoneError } from '../../container/src/errors.ts';
import { createLogger } from '../../container/src/log.ts';
import { MetadataKeys, RecordingStore } from '../../container/src/recording-store.ts';
import { UrlGuard } from '../../container/src/url-guard.ts';
import type { DownloadTask } from '../../runtime/contracts.ts';
import { ErrorNames } from '../../runtime/errors.ts';
import { Bucket } from '../../system/resources.ts';
import { recordCommands, type SentCommand } from './support/command-log.ts';
import { startRangeServer, type RangeServer, type RangeServerOptions } from './support/range-server.ts';
import { freshBucket, getObject, localS3, objectExists } from './support/s3.ts';
import { makeWav } from './support/wav.ts';
import { makeZip, patchDeclaredSize, renameEntry, type ZipItem } from './support/zip.ts';

const MiB = 1024 * 1024;
const log = createLogger({ level: 'error' });

describe('container: downloading a recording into S3 (local S3 + HTTP range server)', function () {
  this.timeout(30_000);
  let s3: S3Client;
  let bucket: string;
  let sent: SentCommand[];
  const servers: RangeServer[] = [];

  before(async () => {
    s3 = await localS3();
    sent = recordCommands(s3);
  });
  beforeEach(async () => {
    bucket = await freshBucket(s3);
    sent.length = 0;
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(zip: Buffer, options: RangeServerOptions = {}): Promise<RangeServer> {
    const server = await startRangeServer(zip, options);
    servers.push(server);
    return server;
  }

  function deps(origins: string[], overrides: Partial<DownloadDeps['limits']> = {}): DownloadDeps {
    return {
      guard: new UrlGuard(origins, 'loopback-hosts'),
      store: new RecordingStore(s3, bucket, { partSizeBytes: 5 * MiB, queueSize: 2 }),
      limits: { maxEntries: 8, maxUncompressedBytes: 64 * MiB, maxCompressionRatio: 100, maxArchiveBytes: 64 * MiB, ...overrides },
      http: { maxResumes: 3, idleTimeoutMs: 5_000, resumeBackoffMs: 10 },
      log,
    };
  }

  function task(url: string, callId = 'CALL-1'): DownloadTask {
    return { taskToken: 'token', exportJobId: 'EXP-1', dialogGroupId: 'DG-2024-000001', callId, downloadUrl: url };
  }

  async function run(zip: Buffer, items: { options?: RangeServerOptions; limits?: Partial<DownloadDeps['limits']>; signal?: AbortSignal } = {}) {
    const server = await serve(zip, items.options);
    const stats: DownloadStats = { bytesFetched: 0, requests: 0 };
    const origin = `http://127.0.0.1:${server.port}`;
    const outcome = await downloadRecording(task(server.url), deps([origin], items.limits), items.signal ?? new AbortController().signal, stats).then(
      (result) => ({ result, error: undefined }),
      (error: Error) => ({ result: undefined, error }),
    );
    return { ...outcome, server, stats };
  }

  async function expectStored(wav: Buffer, r: Awaited<ReturnType<typeof run>>) {
    expect(r.error, r.error?.message).to.equal(undefined);
    const key = Bucket.recordingKey('DG-2024-000001', 'CALL-1');
    const sha256 = createHash('sha256').update(wav).digest('hex');
    expect(r.result).to.deep.include({ status: 'STORED', bucket, key, s3Uri: `s3://${bucket}/${key}`, sizeBytes: wav.length, sha256, exportJobId: 'EXP-1' });
    const stored = await getObject(s3, bucket, key);
    expect(stored.body.equals(wav)).to.equal(true);
    expect(stored.metadata).to.deep.include({ [MetadataKeys.sha256]: sha256, [MetadataKeys.exportJobId]: 'EXP-1' });
  }

  const oneWav = (items: Omit<ZipItem, 'name' | 'data'> = {}, wav = makeWav({ seconds: 2, sampleRate: 8000 })) =>
    makeZip([{ name: 'recording/CALL-1.wav', data: wav, ...items }]).then((zip) => ({ zip, wav }));

  it('stores a stored (uncompressed) recording with its sha256, job id and WAV header', async () => {
    const { zip, wav } = await oneWav();
    const r = await run(zip);
    await expectStored(wav, r);
    expect(r.result!.audio).to.deep.equal({ format: 'WAV', encoding: 'PCM', channels: 1, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 2 });
    expect(r.stats.bytesFetched).to.equal(r.server.bytesSent).and.to.be.at.most(zip.length);
  });

  it('stores a deflated recording written with a data descriptor, in several multipart parts', async () => {
    const wav = makeWav({ seconds: 400, sampleRate: 16000 }); // 12.8 MB: three 5 MiB parts
    const { zip } = await oneWav({ compress: true, streamed: true }, wav);
    const r = await run(zip);
    await expectStored(wav, r);
    expect(r.result!.audio.durationSeconds).to.equal(400);
    expect(sent.filter((c) => c.name === 'UploadPartCommand')).to.have.length(3);
  });

  it('resumes dropped connections from the last byte received, fetching nothing twice', async () => {
    const wav = makeWav({ seconds: 200, sampleRate: 16000 });
    const { zip } = await oneWav({}, wav);
    const r = await run(zip, { options: { dropAfterBytes: 1_500_000, drops: 3 } });
    await expectStored(wav, r);
    const resumed = r.server.requests.filter((q) => q.range && !q.range.startsWith('bytes=-'));
    expect(resumed).to.have.length(4); // the first read plus three resumes
    expect(resumed.every((q) => q.ifRange?.startsWith('"v1-'))).to.equal(true);
    expect(r.server.bytesSent).to.equal(r.stats.bytesFetched);
    expect(r.stats.bytesFetched).to.be.at.most(zip.length);
  });

  it('gives up with DownloadFailed after the allowed number of resumes', async () => {
    const { zip } = await oneWav({}, makeWav({ seconds: 200, sampleRate: 16000 }));
    const r = await run(zip, { options: { dropAfterBytes: 100_000, drops: 10 } });
    expect(r.error?.name).to.equal(ErrorNames.DownloadFailed);
    expect(r.error?.message).to.match(/3 resumes did not finish it/);
    expect(await objectExists(s3, bucket, Bucket.recordingKey('DG-2024-000001', 'CALL-1'))).to.equal(false);
  });

  it('notices the export changing between a drop and the resume (If-Range)', async () => {
    const { zip } = await oneWav({}, makeWav({ seconds: 200, sampleRate: 16000 }));
    const server = await serve(zip, { dropAfterBytes: 1_000_000 });
    const changed = Buffer.from(zip);
    changed.writeUInt8(changed.readUInt8(40) ^ 0xff, 40);
    const origin = `http://127.0.0.1:${server.port}`;
    const d = deps([origin]);
    const first = d.http;
    // Swap the file as soon as the first ranged read starts.
    const watch = setInterval(() => server.requests.length >= 2 && (server.setContent(changed), clearInterval(watch)), 1);
    const error = await downloadRecording(task(server.url), { ...d, http: first }, new AbortController().signal).then(
      () => undefined,
      (e: Error) => e,
    );
    clearInterval(watch);
    expect(error?.name).to.equal(ErrorNames.DownloadFailed);
    expect(error?.message).to.match(/changed on OCP/);
  });

  it('refuses zip slip before downloading the recording', async () => {
    const zip = renameEntry(
      await makeZip([
        { name: 'CALL-1.wav', data: makeWav({ seconds: 60 }) },
        { name: 'a/bb/cc/evil.sh', data: Buffer.from('x') },
      ]),
      'a/bb/cc/evil.sh',
      'a/../../evil.sh',
    );
    const r = await run(zip);
    expect(r.error?.name).to.equal(ErrorNames.ArchiveInvalid);
    expect(r.server.requests).to.have.length(1); // only the directory was read
  });

  it('refuses a zip bomb by its declared ratio without inflating it', async () => {
    const zip = await makeZip([{ name: 'CALL-1.wav', data: Buffer.alloc(32 * MiB), compress: true }]);
    const r = await run(zip);
    expect(r.error?.name).to.equal(ErrorNames.ArchiveInvalid);
    expect(r.error?.message).to.match(/zip bomb/);
    expect(r.server.requests).to.have.length(1);
  });

  it('stops a recording that inflates past its declared size, and aborts the multipart upload', async () => {
    const wav = makeWav({ seconds: 400, sampleRate: 16000 });
    const zip = patchDeclaredSize(await makeZip([{ name: 'CALL-1.wav', data: wav, compress: true }]), 6 * MiB);
    const r = await run(zip);
    expect(r.error?.name).to.equal(ErrorNames.ArchiveInvalid);
    expect(r.error?.message).to.match(/inflates past/);
    await expectUploadAborted();
  });

  it('refuses archives and recordings over the size limits as TooLarge', async () => {
    const { zip } = await oneWav({}, makeWav({ seconds: 60 }));
    const overArchive = await run(zip, { limits: { maxArchiveBytes: 100_000 } });
    expect(overArchive.error?.name).to.equal(ErrorNames.TooLarge);
    expect(overArchive.error?.message).to.match(/MAX_ARCHIVE_BYTES/);
    const overRecording = await run(zip, { limits: { maxUncompressedBytes: 100_000 } });
    expect(overRecording.error?.name).to.equal(ErrorNames.TooLarge);
  });

  it('refuses a recording that is not a WAV file', async () => {
    const r = await run(await makeZip([{ name: 'CALL-1.wav', data: Buffer.from('<html>this export expired</html>') }]));
    expect(r.error?.name).to.equal(ErrorNames.ArchiveInvalid);
    expect(r.error?.message).to.match(/not a WAV/);
  });

  it('refuses hosts that are not allowed before connecting, and redirects to them', async () => {
    const { zip } = await oneWav();
    const server = await serve(zip);
    const d = deps(['https://ocp.example.com']);
    const refused = await downloadRecording(task(server.url), d, new AbortController().signal).catch((e: Error) => e);
    expect((refused as Error).name).to.equal(ErrorNames.UrlNotAllowed);
    expect(server.requests).to.have.length(0);

    const redirector = await serve(zip, { redirectTo: 'http://169.254.169.254/latest/meta-data/' });
    const viaRedirect = await downloadRecording(task(redirector.url), deps([`http://127.0.0.1:${redirector.port}`]), new AbortController().signal).catch((e: Error) => e);
    expect((viaRedirect as Error).name).to.equal(ErrorNames.UrlNotAllowed);
    expect(redirector.requests).to.have.length(1);
  });

  it('follows a redirect to another allowed origin', async () => {
    const { zip, wav } = await oneWav();
    const target = await serve(zip);
    const redirector = await serve(zip, { redirectTo: target.url });
    const d = deps([`http://127.0.0.1:${redirector.port}`, `http://127.0.0.1:${target.port}`]);
    const result = await downloadRecording(task(redirector.url), d, new AbortController().signal);
    expect(result.sha256).to.equal(createHash('sha256').update(wav).digest('hex'));
  });

  it('fails clearly when OCP ignores Range requests', async () => {
    const { zip } = await oneWav();
    const r = await run(zip, { options: { noRanges: true } });
    expect(r.error?.name).to.equal(ErrorNames.DownloadFailed);
    expect(r.error?.message).to.match(/Range support/);
  });

  it('aborts mid-download when told to: the multipart upload is aborted and no object is left', async () => {
    const wav = makeWav({ seconds: 600, sampleRate: 16000 }); // 19 MB
    const { zip } = await oneWav({}, wav);
    const controller = new AbortController();
    const pending = run(zip, { options: { bytesPerSecond: 40 * MiB }, signal: controller.signal });
    while (!sent.some((c) => c.name === 'UploadPartCommand')) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new TaskGoneError('TaskTimedOut'));
    const r = await pending;
    expect(r.error).to.be.instanceOf(TaskGoneError);
    expect(r.stats.bytesFetched).to.be.below(zip.length);
    await expectUploadAborted();
  });

  async function expectUploadAborted() {
    const created = sent.find((c) => c.name === 'CreateMultipartUploadCommand');
    expect(created?.uploadId, 'a multipart upload was started').to.be.a('string');
    expect(sent.some((c) => c.name === 'AbortMultipartUploadCommand' && c.uploadId === created!.uploadId)).to.equal(true);
    expect(sent.some((c) => c.name === 'CompleteMultipartUploadCommand')).to.equal(false);
    const key = Bucket.recordingKey('DG-2024-000001', 'CALL-1');
    expect(await objectExists(s3, bucket, key)).to.equal(false);
    // The server agrees: the upload id no longer exists.
    const late = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created!.uploadId, PartNumber: 9, Body: Buffer.alloc(1) })).catch((e: Error) => e);
    expect((late as Error).name).to.equal('NoSuchUpload');
  }
});
