/**
 * Writes the recording to S3: a lib-storage multipart upload fed by the stream (at most
 * partSize x queueSize bytes buffered), then the sha256, known only at the end, added to the
 * object's metadata by a server-side copy onto itself (S3 metadata cannot be changed in place).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  AbortMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { getHeapStatistics } from 'node:v8';

export interface UploadTuning {
  partSizeBytes: number;
  queueSize: number;
}

/** Object metadata keys (x-amz-meta-*). Values are URI-encoded because S3 metadata must be ASCII. */
export const MetadataKeys = {
  sha256: 'sha256',
  exportJobId: 'source-export-job-id',
  dialogGroupId: 'dialog-group-id',
  callId: 'call-id',
} as const;

/** CopyObject copies at most 5 GiB; larger objects are copied part by part. */
const COPY_OBJECT_LIMIT = 5 * 1024 ** 3;
const COPY_PART_BYTES = 1024 ** 3;
/**
 * Parts' worth of buffer memory, beyond the queueSize parts being sent, tolerated before a full
 * collection: the part being assembled and the stream chunks it is assembled from.
 */
const GC_SLACK_PARTS = 2;

export class RecordingStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly tuning: UploadTuning,
  ) {
    // SigV4 otherwise hashes every part body with SHA-256 to sign it, a second full pass over the
    // recording next to the worker's own sha256. Parts go over TLS to S3, and the object's
    // integrity is the worker's sha256, so parts are sent with an unsigned payload (as the SDK
    // itself does for streamed bodies).
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (context.commandName === 'UploadPartCommand' && request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 'recordingStoreUnsignedParts', override: true },
    );
  }

  /** Uploads the stream; when the stream fails, lib-storage aborts the multipart upload before this rejects. */
  async upload(key: string, body: Readable, metadata: Record<string, string>): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'audio/wav', Metadata: encode(metadata) },
      partSize: this.tuning.partSizeBytes,
      queueSize: this.tuning.queueSize,
      leavePartsOnError: false,
    });
    // Each part is a fresh 5 MiB+ buffer (lib-storage concatenates the stream's chunks into it), and
    // V8 only collects such buffers on its own once external memory has grown by 64 MiB: half the
    // worker's budget. When the runtime exposes gc (the image runs node --expose-gc), collect as
    // each part completes. A minor collection visits only the young generation and frees the
    // buffers still there; the ones already promoted need a full collection, which takes 5-25 ms
    // with the SDK's heap (--trace-gc) and, run after every part, was most of the worker's CPU
    // time. So a full one runs only once buffer memory exceeds what the parts in flight explain.
    // (With several uploads at once, the others' buffers count too: that only collects sooner.)
    const collect = globalThis.gc;
    if (collect) {
      const allowance = this.tuning.partSizeBytes * (this.tuning.queueSize + GC_SLACK_PARTS);
      const baseline = getHeapStatistics().external_memory;
      upload.on('httpUploadProgress', () => {
        if (getHeapStatistics().external_memory - baseline > allowance) collect({ type: 'major' });
        else collect({ type: 'minor' });
      });
    }
    await upload.done();
  }

  /** Replaces the object's metadata without moving its bytes through the worker. */
  async replaceMetadata(key: string, sizeBytes: number, metadata: Record<string, string>): Promise<void> {
    const common = { Bucket: this.bucket, Key: key, ContentType: 'audio/wav', Metadata: encode(metadata) };
    const source = `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    if (sizeBytes <= COPY_OBJECT_LIMIT) {
      await this.s3.send(new CopyObjectCommand({ ...common, CopySource: source, MetadataDirective: 'REPLACE' }));
      return;
    }
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand(common));
    try {
      const parts = [];
      for (let start = 0, n = 1; start < sizeBytes; start += COPY_PART_BYTES, n++) {
        const end = Math.min(start + COPY_PART_BYTES, sizeBytes) - 1;
        const r = await this.s3.send(
          new UploadPartCopyCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}` }),
        );
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

function encode(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, encodeURIComponent(v)]));
}
