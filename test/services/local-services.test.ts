import { expect } from 'chai';
import { DynamoDBClient, CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { dynamoDbLocal, sqsS3Local, localAws } from '../support/services.ts';

describe('local AWS-compatible servers', function () {
  this.timeout(60_000);

  it('DynamoDB Local answers the real SDK on loopback', async () => {
    const { endpoint } = await dynamoDbLocal();
    expect(endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ddb = new DynamoDBClient({ ...localAws, endpoint });
    const name = `probe-${Date.now()}`;
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
      }),
    );
    const tables = await ddb.send(new ListTablesCommand({}));
    expect(tables.TableNames).to.include(name);
  });

  it('fauxqs serves SQS and path-style S3 on loopback', async () => {
    const { endpoint } = await sqsS3Local();
    const sqs = new SQSClient({ ...localAws, endpoint });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `probe-${Date.now()}` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"hello":1}' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]?.Body).to.equal('{"hello":1}');

    const s3 = new S3Client({ ...localAws, endpoint, forcePathStyle: true });
    const Bucket = `probe-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.txt', Body: 'bytes' }));
    const obj = await s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.txt' }));
    expect(await obj.Body?.transformToString()).to.equal('bytes');
  });
});
