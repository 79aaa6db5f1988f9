import { expect } from 'chai';
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import { dynamoDbLocal, sqsS3Local, localAws } from '../support/services.ts';
import { provisionTable, provisionQueues, provisionBucket } from '../../local/services/provision.ts';
import { Table } from '../../system/resources.ts';

describe('provisioning from the shared resource definitions', function () {
  this.timeout(60_000);

  it('creates the table with its keys and StatusIndex GSI, idempotently', async () => {
    const ddb = new DynamoDBClient({ ...localAws, endpoint: (await dynamoDbLocal()).endpoint });
    const name = `prov-${Date.now()}`;
    await provisionTable(ddb, name);
    await provisionTable(ddb, name);
    const { Table: t } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    expect(t?.KeySchema?.map((k) => k.AttributeName)).to.deep.equal([Table.partitionKey, Table.sortKey]);
    const gsi = t?.GlobalSecondaryIndexes?.find((g) => g.IndexName === Table.statusIndex.name);
    expect(gsi?.KeySchema?.map((k) => k.AttributeName)).to.deep.equal(['reconciliationStatus', 'lastUpdated']);
  });

  it('creates queues with redrive to their dead-letter queues, and the bucket', async () => {
    const { endpoint } = await sqsS3Local();
    const sqs = new SQSClient({ ...localAws, endpoint });
    const prefix = `prov${Date.now()}`;
    const q = await provisionQueues(sqs, prefix, { triggerTimeoutSeconds: 30, workerVisibilitySeconds: 120 });
    expect(q.input.url).to.contain(`${prefix}-input`);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.input.url, AttributeNames: ['All'] }));
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).to.deep.equal({ deadLetterTargetArn: q.input.deadLetter?.arn, maxReceiveCount: 5 });
    expect(attrs.Attributes?.VisibilityTimeout).to.equal('180');
    expect(q.failure.deadLetter).to.equal(undefined);

    const s3 = new S3Client({ ...localAws, endpoint, forcePathStyle: true });
    await provisionBucket(s3, `${prefix}-recordings`);
    await provisionBucket(s3, `${prefix}-recordings`);
    await s3.send(new HeadBucketCommand({ Bucket: `${prefix}-recordings` }));
  });
});
