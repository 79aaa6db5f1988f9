/**
 * A streamed S3 multipart upload whose part buffers are reused. Each part is copied once into a
 * buffer from a pool, sent with UploadPart, and the buffer goes back to the pool when S3 has
 * answered; at most `queueSize` parts are in flight and one more is filling.
 *
 * Why not @aws-sdk/lib-storage's Upload: its chunker builds every part with Buffer.concat, a fresh
 * part-sized allocation that outlives two scavenges and so is only reclaimed by a full garbage
 * collection. Under the worker's 128 MiB budget that meant a forced full GC per part, which cost
 * more CPU than everything else the worker does (see bench/download.bench.ts). The S3 calls are the
 * same ones lib-storage makes, through the same SDK client.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface ObjectParams {
  Bucket: string;
  Key: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

/** S3's limits: parts are numbered 1..10,000 and all but the last are at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** Free part buffers, kept for the next part or the next upload: steady memory, no garbage. */
export class PartBufferPool {
  private readonly free: Buffer[] = [];
  /** Buffers ever allocated: bounded by the parts in use at once, not by the bytes uploaded. */
  allocated = 0;

  constructor(readonly partSizeBytes: number) {
    if (partSizeBytes < MIN_PART_BYTES) throw new RangeError(`S3 parts must be at least ${MIN_PART_BYTES} bytes; got ${partSizeBytes}.`);
  }

  acquire(): Buffer {
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
    const reused = this.free.pop();
    if (reused) return reused;
    this.allocated += 1;
    return Buffer.allocUnsafeSlow(this.partSizeBytes);
  }

  release(buffer: Buffer): void {
    this.free.push(buffer);
  }

  /** Buffers currently idle in the pool. */
  get idle(): number {
    return this.free.length;
  }
}

/**
 * Uploads `body` to `params.Key`. A body shorter than one part is sent with a single PutObject.
 * When the body or any request fails, the requests in flight are cancelled and the multipart
 * upload is aborted before this rejects, so no parts are left behind.
 */
export async function uploadMultipart(
  s3: S3Client,
  params: ObjectParams,
  body: AsyncIterable<Buffer>,
  pool: PartBufferPool,
  queueSize: number,
): Promise<void> {
  if (!Number.isInteger(queueSize) || queueSize < 1) throw new RangeError(`queueSize must be a positive integer; got ${queueSize}.`);
  const partSize = pool.partSizeBytes;
  const cancel = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let uploadId: string | undefined;
  let failure: { error: unknown } | undefined;
  // Read through a function: TypeScript does not see the parts' callbacks assign it.
  const failed = () => failure;

  const sendPart = (buffer: Buffer, length: number, partNumber: number): void => {
    const sent = (async () => {
      try {
        uploadId ??= await createUpload();
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId, PartNumber: partNumber, Body: buffer.subarray(0, length) }),
          { abortSignal: cancel.signal },
        );
        if (!ETag) throw new Error(`S3 answered UploadPart ${partNumber} without an ETag.`);
        parts.push({ PartNumber: partNumber, ETag });
        // Only a part S3 has acknowledged gives its buffer back: nothing can still be reading it.
        pool.release(buffer);
      } catch (error) {
        // After a cancel, the parts' AbortErrors are consequences, not the cause.
        if (!cancel.signal.aborted) {
          failure = { error };
          cancel.abort();
        }
      }
    })();
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };

  let creating: Promise<string> | undefined;
  const createUpload = () =>
    (creating ??= s3
      .send(new CreateMultipartUploadCommand({ ...params }), { abortSignal: cancel.signal })
      .then(({ UploadId }) => {
        if (!UploadId) throw new Error('S3 answered CreateMultipartUpload without an UploadId.');
        return UploadId;
      }));

  let buffer = pool.acquire();
  let filled = 0;
  let partNumber = 0;
  const roomInQueue = async () => {
    while (inFlight.size >= queueSize && !failed()) await Promise.race(inFlight);
    const late = failed();
    if (late) throw late.error;
  };
  const nextPartNumber = () => {
    if (++partNumber > MAX_PARTS) throw new RangeError(`The object needs more than ${MAX_PARTS} parts of ${partSize} bytes; raise the part size.`);
    return partNumber;
  };
  try {
    for await (const chunk of body) {
      const early = failed();
      if (early) throw early.error;
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(partSize - filled, chunk.length - offset);
        chunk.copy(buffer, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled < partSize) continue;
        // Backpressure: a full part waits (and the body is not read) until the queue has room,
        // so the next part fills while up to queueSize parts are in flight.
        await roomInQueue();
        sendPart(buffer, filled, nextPartNumber());
        buffer = pool.acquire();
        filled = 0;
      }
    }
    if (partNumber === 0) {
      await s3.send(new PutObjectCommand({ ...params, Body: buffer.subarray(0, filled) }), { abortSignal: cancel.signal });
      pool.release(buffer);
      return;
    }
    // S3 accepts a last part of any size, but not an empty one.
    if (filled > 0) {
      await roomInQueue();
      sendPart(buffer, filled, nextPartNumber());
    }
    else pool.release(buffer);
    await Promise.all(inFlight);
    const last = failed();
    if (last) throw last.error;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    cancel.abort();
    await Promise.all(inFlight);
    const id = uploadId ?? (creating ? await creating.catch(() => undefined) : undefined);
    if (id) await s3.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: id })).catch(() => undefined);
    throw error;
  }
}
