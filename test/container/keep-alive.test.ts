import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { keepMessageLeased } from '../../container/src/keep-alive.ts';
import { createLogger } from '../../container/src/log.ts';
import { localAws, sqsS3Local } from '../support/services.ts';

describe('container: message lease (fauxqs)', function () {
  this.timeout(20_000);

  it('keeps a message invisible past its visibility timeout while work runs, and lets it go when stopped', async () => {
    const { endpoint } = await sqsS3Local();
    const sqs = new SQSClient({ ...localAws, endpoint });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `lease-${randomUUID().slice(0, 8)}` }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'work' }));
    const receive = (wait = 0) => sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 2, WaitTimeSeconds: wait })).then((r) => r.Messages ?? []);

    const [message] = await receive();
    expect(message?.Body).to.equal('work');
    const lease = keepMessageLeased({ sqs, queueUrl, receiptHandle: message!.ReceiptHandle!, leaseSeconds: 2, log: createLogger({ level: 'error' }) });
    await sleep(3_500); // well past the 2 s visibility timeout it was received with
    expect(await receive()).to.have.length(0);
    lease.stop();
    const again = await receive(4);
    expect(again.map((m) => m.Body)).to.deep.equal(['work']);
  });
});
