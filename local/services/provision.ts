/**
 * Creates the stateful resources on the local servers from the same definitions the Pulumi
 * components use (system/resources.ts), through the real SDK. Idempotent: re-running finds them.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Table, queueSpecs, resourceName, type QueueSizing, type QueueSpec } from '../../system/resources.ts';

export async function provisionTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: Table.partitionKey, AttributeType: 'S' },
          { AttributeName: Table.sortKey, AttributeType: 'S' },
          { AttributeName: Table.statusIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: Table.statusIndex.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: Table.partitionKey, KeyType: 'HASH' },
          { AttributeName: Table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: Table.statusIndex.name,
            KeySchema: [
              { AttributeName: Table.statusIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: Table.statusIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    return;
  }
  await ddb.send(new DescribeTableCommand({ TableName: tableName }));
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: Table.ttlAttribute, Enabled: true },
    }),
  );
}

export interface ProvisionedQueue {
  url: string;
  arn: string;
  deadLetter?: { url: string; arn: string };
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue for ${name} returned no QueueUrl`);
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = attrs.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes for ${name} returned no QueueArn`);
  return { url: QueueUrl, arn };
}

async function provisionQueue(sqs: SQSClient, prefix: string, spec: QueueSpec): Promise<ProvisionedQueue> {
  const base = {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.messageRetentionSeconds),
  };
  if (!spec.deadLetter) return createQueue(sqs, resourceName(prefix, spec.suffix), base);
  const dlq = await createQueue(sqs, resourceName(prefix, spec.deadLetter.suffix), {
    MessageRetentionPeriod: String(14 * 24 * 3600),
  });
  const main = await createQueue(sqs, resourceName(prefix, spec.suffix), {
    ...base,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: spec.deadLetter.maxReceiveCount }),
  });
  return { ...main, deadLetter: dlq };
}

export async function provisionQueues(
  sqs: SQSClient,
  prefix: string,
  sizing: QueueSizing,
): Promise<Record<'input' | 'worker' | 'failure', ProvisionedQueue>> {
  const specs = queueSpecs(sizing);
  return {
    input: await provisionQueue(sqs, prefix, specs.input),
    worker: await provisionQueue(sqs, prefix, specs.worker),
    failure: await provisionQueue(sqs, prefix, specs.failure),
  };
}

export async function provisionBucket(s3: S3Client, bucketName: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}
