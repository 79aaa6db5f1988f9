import { expect } from 'chai';
import { bucketEncryptedAndTlsOnly, encryptionAtRest, logRetentionSet, noPublicBucket, reviewStack, tracingOn, type ReviewedResource } from '../../infra/policy-rules.ts';
import { stackRun } from './support/program.ts';

const review = (resources: { type: string; name: string; inputs: Record<string, unknown> }[]) => reviewStack(resources);

describe('infra: CrossGuard-style policy rules', () => {
  for (const stack of ['dev', 'prod'] as const)
    it(`finds no violation in any of the ${stack} stack's resources`, async function () {
      this.timeout(60_000);
      const run = await stackRun(stack);
      expect(run.resources.length).to.be.above(50);
      expect(review(run.resources)).to.deep.equal([]);
    });

  it('flags a log group without retention', () => {
    expect(logRetentionSet.validateResource({ type: 'aws:cloudwatch/logGroup:LogGroup', name: 'g', inputs: { name: '/x' } })).to.deep.equal(['log group /x must set retentionInDays']);
  });

  it('flags unencrypted tables, queues, topics and repositories', () => {
    const r = (type: string): ReviewedResource => ({ type, name: 'x', inputs: {} });
    for (const type of ['aws:dynamodb/table:Table', 'aws:sqs/queue:Queue', 'aws:sns/topic:Topic', 'aws:ecr/repository:Repository'])
      expect(encryptionAtRest.validateResource(r(type)), type).to.have.length(1);
    expect(encryptionAtRest.validateResource({ type: 'aws:sqs/queue:Queue', name: 'q', inputs: { sqsManagedSseEnabled: true } })).to.deep.equal([]);
  });

  it('flags untraced Lambdas and state machines', () => {
    expect(tracingOn.validateResource({ type: 'aws:lambda/function:Function', name: 'f', inputs: { tracingConfig: { mode: 'PassThrough' } } })).to.have.length(1);
    expect(tracingOn.validateResource({ type: 'aws:sfn/stateMachine:StateMachine', name: 's', inputs: {} })).to.have.length(1);
  });

  it('flags a bucket without a full public access block, a public ACL and a policy open to everyone', () => {
    const bucket = { type: 'aws:s3/bucket:Bucket', name: 'b', inputs: { bucket: 'b1' } };
    const halfBlock = { type: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', name: 'pab', inputs: { bucket: 'b1', blockPublicAcls: true, blockPublicPolicy: true } };
    const acl = { type: 'aws:s3/bucketAcl:BucketAcl', name: 'acl', inputs: { bucket: 'b1', acl: 'public-read' } };
    const policy = { type: 'aws:s3/bucketPolicy:BucketPolicy', name: 'p', inputs: { bucket: 'b1', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }) } };
    const violations = noPublicBucket.validateStack([bucket, halfBlock, acl, policy]);
    expect(violations.map((v) => v.message)).to.deep.equal([
      'bucket must block public access (ignorePublicAcls, restrictPublicBuckets not set)',
      'public ACL public-read',
      'bucket policy allows everyone',
    ]);
  });

  it('flags a bucket without default encryption or a TLS-only policy', () => {
    const violations = bucketEncryptedAndTlsOnly.validateStack([{ type: 'aws:s3/bucket:Bucket', name: 'b', inputs: { bucket: 'b1' } }]);
    expect(violations.map((v) => v.message)).to.deep.equal([
      'bucket must have default server-side encryption',
      'bucket policy must deny requests without TLS (aws:SecureTransport false)',
    ]);
  });
});
