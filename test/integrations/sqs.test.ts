import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TaskFailure } from '../../local/engine/types.ts';
import { sqsResolver } from '../../local/integrations/sqs.ts';
import { localAws, sqsS3Local } from '../support/services.ts';
import { taskRequest } from './task-request.ts';

const resource = 'arn:aws:states:::sqs:sendMessage';

describe('SQS integration (against fauxqs)', function () {
  this.timeout(30_000);
  let client: SQSClient;
  let QueueUrl: string;
  let endpoint: string;

  before(async () => {
    ({ endpoint } = await sqsS3Local());
    client = new SQSClient({ ...localAws, endpoint });
    ({ QueueUrl = '' } = await client.send(new CreateQueueCommand({ QueueName: `h3-sqs-${Date.now()}` })));
  });
  after(() => client.destroy());

  async function receiveOne() {
    const got = await client.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MaxNumberOfMessages: 1 }),
    );
    expect(got.Messages, 'a message on the queue').to.have.length(1);
    return got.Messages![0]!;
  }

  it('JSON-encodes an object MessageBody and answers with MessageId, MD5OfMessageBody and the SDK envelope', async () => {
    const handler = sqsResolver({ client }).resolve(resource)!;
    const body = { taskToken: 'tok', exportJobId: 'EXP-1', nested: [1, 'two'] };
    const result = (await handler(taskRequest(resource, { QueueUrl, MessageBody: body }))) as Record<string, unknown>;
    const message = await receiveOne();
    expect(message.Body).to.equal(JSON.stringify(body));
    expect(result.MessageId).to.equal(message.MessageId);
    expect(result.MD5OfMessageBody).to.equal(createHash('md5').update(JSON.stringify(body)).digest('hex'));
    expect(result.SdkHttpMetadata).to.deep.include({ HttpStatusCode: 200 });
    expect((result.SdkHttpMetadata as { HttpHeaders: Record<string, string> }).HttpHeaders['Content-Type']).to.equal('text/xml');
    expect(result).to.have.property('SdkResponseMetadata');
  });

  it('sends a string MessageBody as is, with message attributes, also for .waitForTaskToken', async () => {
    const handler = sqsResolver({ client }).resolve(resource)!;
    await handler(
      taskRequest(
        resource,
        {
          QueueUrl,
          MessageBody: 'already text',
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'download' },
            raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
          },
        },
        { pattern: 'waitForTaskToken', taskToken: 'tok-2' },
      ),
    );
    const message = await receiveOne();
    expect(message.Body).to.equal('already text');
    expect(message.MessageAttributes?.kind?.StringValue).to.equal('download');
    expect([...(message.MessageAttributes?.raw?.BinaryValue ?? [])]).to.deep.equal([1, 2, 3]);
  });

  it('a queue that does not exist fails the task with an SQS.* error naming the cause', async () => {
    const handler = sqsResolver({ client }).resolve(resource)!;
    const err = await handler(
      taskRequest(resource, { QueueUrl: `${endpoint}/000000000000/no-such-queue-${Date.now()}`, MessageBody: 'x' }),
    ).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TaskFailure);
    const failure = err as TaskFailure;
    expect(failure.error).to.equal('SQS.QueueDoesNotExistException');
    expect(failure.causeText).to.contain('Service: AmazonSQS');
  });

  it('rejects Parameters without QueueUrl or MessageBody and resolves only sendMessage', async () => {
    const resolver = sqsResolver({ client });
    const err = await resolver.resolve(resource)!(taskRequest(resource, { MessageBody: 'x' })).catch((e: unknown) => e);
    expect((err as TaskFailure).error).to.equal('SQS.AmazonSQSException');
    expect((err as TaskFailure).causeText).to.contain('QueueUrl');
    expect(resolver.resolve('arn:aws:states:::sqs:receiveMessage')).to.equal(undefined);
  });
});
