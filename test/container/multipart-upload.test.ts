import { CreateMultipartUploadCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { MIN_PART_BYTES, PartBufferPool, uploadMultipart } from '../../container/src/multipart-upload.ts';
import { rejectionOf } from '../support/rejection.ts';
import { recordCommands, type SentCommand } from './support/command-log.ts';
import { freshBucket, getObject, localS3, objectExists, openMultipartUploads } from './support/s3.ts';

const MiB = 1024 * 1024;

/** Yields `data` in chunks of uneven sizes, as a socket would. */
async function* chunked(data: Buffer, fail?: { after: number; error: Error }): AsyncGenerator<Buffer> {
  const sizes = [65_536, 1, 16_384, 100_003, 7];
  for (let offset = 0, i = 0; offset < data.length; i++) {
    if (fail && offset >= fail.after) throw fail.error;
    const end = Math.min(offset + sizes[i % sizes.length]!, data.length);
    yield data.subarray(offset, end);
    offset = end;
    if (i % 64 === 0) await new Promise((r) => setImmediate(r));
  }
}

/** The body as `chunked` yields it, counting the bytes the upload has pulled so far. */
function counting(data: Buffer): { body: AsyncGenerator<Buffer>; pulled: () => number } {
  let pulled = 0;
  async function* body() {
    for await (const chunk of chunked(data)) {
      pulled += chunk.length;
      yield chunk;
    }
  }
  return { body: body(), pulled: () => pulled };
}

/** Counts UploadPart requests in flight at once; optionally fails one part number. */
function watchParts(s3: S3Client, failPart?: number): { maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UploadPartCommand') return next(args);
      inFlight += 1;
      max = Math.max(max, inFlight);
      try {
        if ((args.input as { PartNumber?: number }).PartNumber === failPart) throw Object.assign(new Error('injected S3 failure'), { name: 'InternalError' });
        return await next(args);
      } finally {
        inFlight -= 1;
      }
    },
    { step: 'initialize', name: `watchParts${Math.random()}` },
  );
  return { maxInFlight: () => max };
}

describe('container: multipart upload with reused part buffers (local S3)', function () {
  this.timeout(30_000);
  let s3: S3Client;
  let bucket: string;
  let sent: SentCommand[];

  beforeEach(async () => {
    s3 = await localS3();
    sent = recordCommands(s3);
    bucket = await freshBucket(s3);
    sent.length = 0;
  });

  const params = (Key: string) => ({ Bucket: bucket, Key, ContentType: 'audio/wav', Metadata: { 'call-id': 'CALL-1' } });

  it('stores the exact bytes over several parts, with its content type and metadata, never more parts in flight than the queue allows', async () => {
    const data = randomBytes(4 * MIN_PART_BYTES + 12_345);
    const watch = watchParts(s3);
    const pool = new PartBufferPool(MIN_PART_BYTES);
    await uploadMultipart(s3, params('a.wav'), chunked(data), pool, 2);

    const stored = await getObject(s3, bucket, 'a.wav');
    expect(stored.body.equals(data), 'stored bytes equal the source').to.equal(true);
    expect(stored.metadata).to.deep.equal({ 'call-id': 'CALL-1' });
    expect(sent.filter((c) => c.name === 'UploadPartCommand')).to.have.length(5);
    expect(sent.filter((c) => c.name === 'CompleteMultipartUploadCommand')).to.have.length(1);
    expect(watch.maxInFlight()).to.equal(2);
    expect(await openMultipartUploads(s3, bucket)).to.equal(0);
  });

  it('reuses its buffers: memory is bounded by the queue, not by the size or number of uploads', async () => {
    const pool = new PartBufferPool(MIN_PART_BYTES);
    const first = randomBytes(6 * MIN_PART_BYTES);
    const second = randomBytes(3 * MIN_PART_BYTES + 1);
    await uploadMultipart(s3, params('first.wav'), chunked(first), pool, 1);
    expect(pool.allocated).to.equal(2);
    await uploadMultipart(s3, params('second.wav'), chunked(second), pool, 1);
    expect(pool.allocated, 'no new buffers for the second upload').to.equal(2);
    expect(pool.idle).to.equal(2);
    // A reused buffer that was still being sent would corrupt an earlier part: check both objects.
    expect((await getObject(s3, bucket, 'first.wav')).body.equals(first)).to.equal(true);
    expect((await getObject(s3, bucket, 'second.wav')).body.equals(second)).to.equal(true);
  });

  it('fills the next part while one is in flight, and reads no further until the queue has room', async () => {
    const data = randomBytes(4 * MIN_PART_BYTES);
    const source = counting(data);
    const pulledWhilePartOneWasSent: number[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand' || (args.input as { PartNumber?: number }).PartNumber !== 1) return next(args);
        await new Promise((r) => setTimeout(r, 150));
        pulledWhilePartOneWasSent.push(source.pulled());
        return next(args);
      },
      { step: 'initialize', name: 'slowPartOne' },
    );
    await uploadMultipart(s3, params('overlap.wav'), source.body, new PartBufferPool(MIN_PART_BYTES), 1);
    // Part 2 was filled during part 1's upload, and part 3 not started: one in flight, one filling.
    expect(pulledWhilePartOneWasSent[0]).to.be.at.least(2 * MIN_PART_BYTES);
    expect(pulledWhilePartOneWasSent[0]).to.be.below(2 * MIN_PART_BYTES + 200_000);
    expect((await getObject(s3, bucket, 'overlap.wav')).body.equals(data)).to.equal(true);
  });

  it('sends a body smaller than one part with a single PutObject, an empty one included', async () => {
    const small = randomBytes(MiB);
    const pool = new PartBufferPool(MIN_PART_BYTES);
    await uploadMultipart(s3, params('small.wav'), chunked(small), pool, 2);
    await uploadMultipart(s3, params('empty.wav'), chunked(Buffer.alloc(0)), pool, 2);
    expect(sent.map((c) => c.name)).to.deep.equal([PutObjectCommand.name, PutObjectCommand.name]);
    expect((await getObject(s3, bucket, 'small.wav')).body.equals(small)).to.equal(true);
    expect((await getObject(s3, bucket, 'empty.wav')).body.length).to.equal(0);
  });

  it('completes a body of exactly one part as a one-part upload (no empty last part)', async () => {
    const data = randomBytes(MIN_PART_BYTES);
    await uploadMultipart(s3, params('one.wav'), chunked(data), new PartBufferPool(MIN_PART_BYTES), 2);
    expect(sent.filter((c) => c.name === 'UploadPartCommand')).to.have.length(1);
    expect((await getObject(s3, bucket, 'one.wav')).body.equals(data)).to.equal(true);
  });

  it('when the body fails, rejects with its error and aborts the upload: no object, no open upload', async () => {
    const cause = Object.assign(new Error('the archive is corrupt'), { name: 'ArchiveInvalid' });
    const data = randomBytes(3 * MIN_PART_BYTES);
    const error = await rejectionOf(uploadMultipart(s3, params('bad.wav'), chunked(data, { after: 2 * MIN_PART_BYTES + 10, error: cause }), new PartBufferPool(MIN_PART_BYTES), 2));
    expect(error).to.equal(cause);
    const created = sent.find((c) => c.name === CreateMultipartUploadCommand.name);
    expect(sent.some((c) => c.name === 'AbortMultipartUploadCommand' && c.uploadId === created?.uploadId)).to.equal(true);
    expect(sent.some((c) => c.name === 'CompleteMultipartUploadCommand')).to.equal(false);
    expect(await objectExists(s3, bucket, 'bad.wav')).to.equal(false);
    expect(await openMultipartUploads(s3, bucket)).to.equal(0);
  });

  it('when S3 rejects a part, stops reading, rejects with S3\'s error (not the cancellation of the other parts) and aborts', async () => {
    watchParts(s3, 2);
    const data = randomBytes(8 * MIN_PART_BYTES);
    const source = counting(data);
    const error = await rejectionOf(uploadMultipart(s3, params('s3-fails.wav'), source.body, new PartBufferPool(MIN_PART_BYTES), 2));
    expect((error as Error).message).to.equal('injected S3 failure');
    expect(source.pulled(), 'the body was not read to the end').to.be.below(data.length);
    expect(sent.some((c) => c.name === 'AbortMultipartUploadCommand')).to.equal(true);
    expect(await objectExists(s3, bucket, 's3-fails.wav')).to.equal(false);
    expect(await openMultipartUploads(s3, bucket)).to.equal(0);
  });

  it('refuses settings S3 or the queue cannot work with', async () => {
    expect(() => new PartBufferPool(MIN_PART_BYTES - 1)).to.throw(RangeError, /at least 5242880 bytes/);
    const error = await rejectionOf(uploadMultipart(s3, params('x.wav'), chunked(Buffer.alloc(1)), new PartBufferPool(MIN_PART_BYTES), 0));
    expect((error as Error).message).to.match(/queueSize must be a positive integer; got 0/);
  });
});
