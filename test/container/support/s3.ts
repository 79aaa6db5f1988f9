/** S3 helpers for the worker's tests, against fauxqs (the shared local SQS+S3 server). */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { localAws, sqsS3Local } from '../../support/services.ts';

export async function localS3(): Promise<S3Client> {
  const { endpoint } = await sqsS3Local();
  return new S3Client({ ...localAws, endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
}

export async function freshBucket(s3: S3Client): Promise<string> {
  const bucket = `rec-${randomUUID().slice(0, 8)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function getObject(s3: S3Client, bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await r.Body!.transformToByteArray()), metadata: r.Metadata ?? {} };
}

export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return false;
    throw err;
  }
}

export async function openMultipartUploads(s3: S3Client, bucket: string): Promise<number> {
  const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return r.Uploads?.length ?? 0;
}
