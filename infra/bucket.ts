/**
 * The recordings bucket: private, encrypted, TLS only; versioned where config asks (prod) so an
 * overwritten or deleted recording can be recovered.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Bucket } from '../system/resources.ts';

export interface RecordingsBucketArgs {
  /** Start of the bucket's name; AWS appends a unique suffix, since bucket names are global. */
  namePrefix: string;
  versioning: boolean;
  infrequentAccessDays: number;
  noncurrentVersionExpirationDays: number;
  allowDestroy: boolean;
}

export class RecordingsBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** ARN pattern of the objects the worker writes. */
  readonly recordingsArn: pulumi.Output<string>;

  constructor(name: string, args: RecordingsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:storage:RecordingsBucket', name, {}, opts);
    const parent = { parent: this };
    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucketPrefix: `${args.namePrefix}-`, forceDestroy: args.allowDestroy },
      { parent: this, protect: !args.allowDestroy },
    );
    const bucket = this.bucket.id;

    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    // ACLs off: access is decided by IAM and the bucket policy alone.
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }] },
      parent,
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: args.versioning ? 'Enabled' : 'Suspended' } },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: 'recordings-tiering',
            status: 'Enabled',
            filter: { prefix: Bucket.recordingsPrefix },
            transitions: [{ days: args.infrequentAccessDays, storageClass: 'STANDARD_IA' }],
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays },
          },
          {
            // A worker stopped mid-upload leaves parts that are billed until aborted.
            id: 'abort-incomplete-uploads',
            status: 'Enabled',
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket,
        policy: this.bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        ),
      },
      parent,
    );

    this.name = this.bucket.id;
    this.arn = this.bucket.arn;
    this.recordingsArn = pulumi.interpolate`${this.bucket.arn}/${Bucket.recordingsPrefix}*`;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
