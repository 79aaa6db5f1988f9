/**
 * Writes the recording to S3: a multipart upload fed by the stream from reused part buffers
 * ((queueSize + 1) x partSize bytes per upload, see multipart-upload.ts), then the sha256, known
 * only at the end, added to the object's metadata by a server-side copy onto itself (S3 metadata
 * cannot be changed in place).
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
import { PartBufferPool, uploadMultipart } from './multipart-upload.ts';

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

export class RecordingStore {
  private readonly parts: PartBufferPool;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly tuning: UploadTuning,
  ) {
    this.parts = new PartBufferPool(tuning.partSizeBytes);
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

  /** Uploads the stream; when the stream or S3 fails, the multipart upload is aborted before this rejects. */
  async upload(key: string, body: AsyncIterable<Buffer>, metadata: Record<string, string>): Promise<void> {
    await uploadMultipart(this.s3, { Bucket: this.bucket, Key: key, ContentType: 'audio/wav', Metadata: encode(metadata) }, body, this.parts, this.tuning.queueSize);
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
