import { expect } from 'chai';
import { queueSpecs, Table } from '../../system/resources.ts';
import { specialSecretSig, specialSigKey } from '@pulumi/pulumi/runtime/rpc.js';
import { one, ofType, stackRun, TestToken, type ProgramRun } from './support/program.ts';

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: table, queues and bucket (${stack})`, () => {
    let run: ProgramRun;
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it('creates the table with the shared keys, StatusIndex, TTL, on-demand billing and SSE', () => {
      const t = one(run, 'aws:dynamodb/table:Table', 'records-table').inputs;
      expect(t.name).to.equal(`audio-reconciliation-${stack}-reconciliations`);
      expect(t.hashKey).to.equal(Table.partitionKey);
      expect(t.rangeKey).to.equal(Table.sortKey);
      expect(t.billingMode).to.equal('PAY_PER_REQUEST');
      expect(t.globalSecondaryIndexes).to.deep.equal([
        { name: 'StatusIndex', hashKey: 'reconciliationStatus', rangeKey: 'lastUpdated', projectionType: 'ALL' },
      ]);
      expect(t.attributes).to.deep.include.members([
        { name: 'PK', type: 'S' }, { name: 'SK', type: 'S' }, { name: 'reconciliationStatus', type: 'S' }, { name: 'lastUpdated', type: 'S' },
      ]);
      expect(t.ttl).to.deep.equal({ attributeName: 'TTL', enabled: true });
      expect(t.serverSideEncryption).to.deep.equal({ enabled: true });
    });

    it('redrives the input and worker queues to their own DLQs, with SSE and TLS-only policies', () => {
      const queues = ofType(run, 'aws:sqs/queue:Queue');
      expect(queues.map((q) => q.inputs.name).sort()).to.deep.equal(
        ['failure-dlq', 'input', 'input-dlq', 'worker', 'worker-dlq'].map((s) => `audio-reconciliation-${stack}-${s}`),
      );
      for (const q of queues) expect(q.inputs.sqsManagedSseEnabled, String(q.inputs.name)).to.equal(true);
      const arn = (name: string) => one(run, 'aws:sqs/queue:Queue', name).state.arn;
      const redrive = (name: string) => JSON.parse(String(one(run, 'aws:sqs/queue:Queue', name).inputs.redrivePolicy));
      expect(redrive('queues-input')).to.deep.equal({ deadLetterTargetArn: arn('queues-input-dlq'), maxReceiveCount: 5 });
      expect(redrive('queues-worker')).to.deep.equal({ deadLetterTargetArn: arn('queues-worker-dlq'), maxReceiveCount: 3 });
      expect(one(run, 'aws:sqs/queue:Queue', 'queues-failure-dlq').inputs.redrivePolicy).to.equal(undefined);
      const policies = ofType(run, 'aws:sqs/queuePolicy:QueuePolicy');
      expect(policies).to.have.length(5);
      for (const p of policies) {
        const [statement] = JSON.parse(String(p.inputs.policy)).Statement;
        expect(statement).to.deep.include({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      }
    });

    it('sizes visibility timeouts from the consumers: 6x the trigger timeout, the worker lease from config', () => {
      const lambda = one(run, 'aws:lambda/function:Function', 'trigger-function').inputs;
      const worker = one(run, 'aws:sqs/queue:Queue', 'queues-worker').inputs;
      const specs = queueSpecs({ triggerTimeoutSeconds: Number(lambda.timeout), workerVisibilitySeconds: Number(worker.visibilityTimeoutSeconds) });
      expect(one(run, 'aws:sqs/queue:Queue', 'queues-input').inputs.visibilityTimeoutSeconds).to.equal(specs.input.visibilityTimeoutSeconds);
      expect(specs.input.visibilityTimeoutSeconds).to.be.at.least(6 * Number(lambda.timeout));
      expect(worker.visibilityTimeoutSeconds).to.equal(600);
    });

    it('keeps the bucket private, encrypted, TLS-only, with a lifecycle for recordings and stale uploads', () => {
      const bucket = one(run, 'aws:s3/bucket:Bucket', 'recordings-bucket');
      const id = bucket.state.bucket;
      expect(one(run, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', 'recordings-public-access').inputs).to.deep.equal({
        bucket: id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
      });
      const sse = one(run, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'recordings-encryption').inputs;
      expect(sse.bucket).to.equal(id);
      expect((sse.rules as { applyServerSideEncryptionByDefault: unknown }[])[0]!.applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: 'AES256' });
      const policy = JSON.parse(String(one(run, 'aws:s3/bucketPolicy:BucketPolicy', 'recordings-tls-only').inputs.policy));
      expect(policy.Statement[0].Resource).to.deep.equal([bucket.state.arn, `${String(bucket.state.arn)}/*`]);
      const rules = one(run, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'recordings-lifecycle').inputs.rules as Record<string, unknown>[];
      expect(rules.map((r) => r.id)).to.deep.equal(['recordings-tiering', 'abort-incomplete-uploads']);
      expect(rules[1]!.abortIncompleteMultipartUpload).to.deep.equal({ daysAfterInitiation: 1 });
      expect(one(run, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls', 'recordings-ownership').inputs.rule).to.deep.equal({ objectOwnership: 'BucketOwnerEnforced' });
    });

    it('stores the OCP token from the secret config in Secrets Manager, still marked secret', () => {
      const version = one(run, 'aws:secretsmanager/secretVersion:SecretVersion', 'ocp-token-value').inputs;
      // Still wrapped as a secret when it reaches the engine, so it is stored encrypted in state.
      expect(version.secretString).to.deep.equal({ [specialSigKey]: specialSecretSig, value: TestToken });
      expect(one(run, 'aws:secretsmanager/secret:Secret', 'ocp-token-secret').inputs.name).to.equal(`audio-reconciliation-${stack}/ocp-api-token`);
    });
  });
}
