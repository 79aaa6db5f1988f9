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
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly tuning: UploadTuning,
  ) {}

  /** Uploads the stream; when the stream fails, lib-storage aborts the multipart upload before this rejects. */
  async upload(key: string, body: Readable, metadata: Record<string, string>): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'audio/wav', Metadata: encode(metadata) },
      partSize: this.tuning.partSizeBytes,
      queueSize: this.tuning.queueSize,
      leavePartsOnError: false,
    });
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
