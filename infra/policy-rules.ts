/**
 * Organisation rules in the style of Pulumi CrossGuard policies, as plain functions over the
 * resources a program registers (type + resolved inputs). The tests run them over every resource
 * of both stacks under mocks; a policy pack could run the same functions at `pulumi preview`.
 */

export interface ReviewedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  resource: string;
  message: string;
}

/** Checks one resource at a time (CrossGuard's ResourceValidationPolicy). */
export interface ResourceRule {
  name: string;
  description: string;
  validateResource(resource: ReviewedResource): string[];
}

/** Checks relations between resources (CrossGuard's StackValidationPolicy). */
export interface StackRule {
  name: string;
  description: string;
  validateStack(resources: ReviewedResource[]): Violation[];
}

const T = {
  bucket: 'aws:s3/bucket:Bucket',
  publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  bucketAcl: 'aws:s3/bucketAcl:BucketAcl',
  table: 'aws:dynamodb/table:Table',
  queue: 'aws:sqs/queue:Queue',
  topic: 'aws:sns/topic:Topic',
  repository: 'aws:ecr/repository:Repository',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  lambda: 'aws:lambda/function:Function',
  stateMachine: 'aws:sfn/stateMachine:StateMachine',
} as const;

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

export const encryptionAtRest: ResourceRule = {
  name: 'encryption-at-rest',
  description: 'Tables, queues, topics and image repositories are encrypted at rest.',
  validateResource(r) {
    const i = r.inputs;
    switch (r.type) {
      case T.table:
        return obj(i.serverSideEncryption).enabled === true ? [] : ['DynamoDB table must set serverSideEncryption.enabled'];
      case T.queue:
        return i.sqsManagedSseEnabled === true || typeof i.kmsMasterKeyId === 'string' ? [] : ['SQS queue must use SSE (sqsManagedSseEnabled or kmsMasterKeyId)'];
      case T.topic:
        return typeof i.kmsMasterKeyId === 'string' ? [] : ['SNS topic must set kmsMasterKeyId'];
      case T.repository: {
        const configs = Array.isArray(i.encryptionConfigurations) ? i.encryptionConfigurations : [];
        return configs.length > 0 ? [] : ['ECR repository must set encryptionConfigurations'];
      }
      default:
        return [];
    }
  },
};

export const logRetentionSet: ResourceRule = {
  name: 'log-retention-set',
  description: 'Every log group expires its events.',
  validateResource(r) {
    if (r.type !== T.logGroup) return [];
    const days = r.inputs.retentionInDays;
    return typeof days === 'number' && days > 0 ? [] : [`log group ${String(r.inputs.name)} must set retentionInDays`];
  },
};

export const tracingOn: ResourceRule = {
  name: 'tracing-on',
  description: 'Lambdas and state machines send traces to X-Ray.',
  validateResource(r) {
    if (r.type === T.lambda) return obj(r.inputs.tracingConfig).mode === 'Active' ? [] : ['Lambda must set tracingConfig.mode Active'];
    if (r.type === T.stateMachine) return obj(r.inputs.tracingConfiguration).enabled === true ? [] : ['state machine must enable tracing'];
    return [];
  },
};

/** The id a bucket's satellite resources (public access block, encryption, policy) point at. */
function bucketIdOf(bucket: ReviewedResource, ids: Map<ReviewedResource, string>): string {
  return ids.get(bucket) ?? String(bucket.inputs.bucket ?? bucket.name);
}

export const noPublicBucket: StackRule = {
  name: 'no-public-bucket',
  description: 'Every bucket blocks all public access and grants nothing to everyone.',
  validateStack(resources) {
    const violations: Violation[] = [];
    const blocks = resources.filter((r) => r.type === T.publicAccessBlock);
    for (const bucket of resources.filter((r) => r.type === T.bucket)) {
      const id = bucketIdOf(bucket, bucketIds(resources));
      const block = blocks.find((b) => b.inputs.bucket === id);
      const flags = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
      const off = block ? flags.filter((f) => block.inputs[f] !== true) : flags;
      if (off.length > 0) violations.push({ policy: this.name, resource: bucket.name, message: `bucket must block public access (${off.join(', ')} not set)` });
    }
    for (const acl of resources.filter((r) => r.type === T.bucketAcl))
      if (/public/.test(String(acl.inputs.acl ?? ''))) violations.push({ policy: this.name, resource: acl.name, message: `public ACL ${String(acl.inputs.acl)}` });
    for (const policy of resources.filter((r) => r.type === T.bucketPolicy)) {
      const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: { Effect: string; Principal?: unknown }[] };
      for (const s of doc.Statement)
        if (s.Effect === 'Allow' && (s.Principal === '*' || obj(s.Principal).AWS === '*'))
          violations.push({ policy: this.name, resource: policy.name, message: 'bucket policy allows everyone' });
    }
    return violations;
  },
};

export const bucketEncryptedAndTlsOnly: StackRule = {
  name: 'bucket-encrypted-tls-only',
  description: 'Every bucket has default encryption and a policy refusing plain HTTP.',
  validateStack(resources) {
    const violations: Violation[] = [];
    const ids = bucketIds(resources);
    for (const bucket of resources.filter((r) => r.type === T.bucket)) {
      const id = bucketIdOf(bucket, ids);
      const encryption = resources.find((r) => r.type === T.bucketEncryption && r.inputs.bucket === id);
      const rules = Array.isArray(encryption?.inputs.rules) ? (encryption.inputs.rules as unknown[]) : [];
      const algorithm = obj(obj(rules[0]).applyServerSideEncryptionByDefault).sseAlgorithm;
      if (algorithm !== 'AES256' && algorithm !== 'aws:kms')
        violations.push({ policy: this.name, resource: bucket.name, message: 'bucket must have default server-side encryption' });
      const tlsOnly = resources.some((r) => {
        if (r.type !== T.bucketPolicy || r.inputs.bucket !== id) return false;
        const doc = JSON.parse(String(r.inputs.policy)) as { Statement: { Effect: string; Condition?: Record<string, Record<string, unknown>> }[] };
        return doc.Statement.some((s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false');
      });
      if (!tlsOnly) violations.push({ policy: this.name, resource: bucket.name, message: 'bucket policy must deny requests without TLS (aws:SecureTransport false)' });
    }
    return violations;
  },
};

/**
 * Under the engine a bucket's satellites receive its id; a review of registered resources only
 * sees inputs, so the id is taken from `bucket`, then from what the satellites point at when
 * there is a single bucket.
 */
function bucketIds(resources: ReviewedResource[]): Map<ReviewedResource, string> {
  const buckets = resources.filter((r) => r.type === T.bucket);
  const ids = new Map<ReviewedResource, string>();
  const pointedAt = new Set(resources.filter((r) => r.type === T.publicAccessBlock || r.type === T.bucketEncryption).map((r) => String(r.inputs.bucket)));
  for (const b of buckets) {
    if (typeof b.inputs.bucket === 'string') ids.set(b, b.inputs.bucket);
    else if (typeof b.inputs.bucketPrefix === 'string') {
      const match = [...pointedAt].find((id) => id.startsWith(String(b.inputs.bucketPrefix)));
      if (match) ids.set(b, match);
    }
  }
  return ids;
}

export const ResourceRules: ResourceRule[] = [encryptionAtRest, logRetentionSet, tracingOn];
export const StackRules: StackRule[] = [noPublicBucket, bucketEncryptedAndTlsOnly];

/** Every violation of every rule, CrossGuard style: empty means the stack passes. */
export function reviewStack(resources: ReviewedResource[]): Violation[] {
  const violations: Violation[] = [];
  for (const r of resources)
    for (const rule of ResourceRules)
      for (const message of rule.validateResource(r)) violations.push({ policy: rule.name, resource: `${r.type}::${r.name}`, message });
  for (const rule of StackRules) violations.push(...rule.validateStack(resources));
  return violations;
}
