import { expect } from 'chai';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { settleBatch, startEventSourceMapping, type EventSourceMapping } from '../../local/mode/sqs-event-source.ts';
import { createServiceLog } from '../../local/mode/service-log.ts';
import { localAws, sqsS3Local } from '../support/services.ts';

const log = createServiceLog(undefined);

function record(messageId: string): SQSRecord {
  return { messageId } as SQSRecord;
}

async function queueWithDlq(sqs: SQSClient, name: string, maxReceiveCount: number): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
    }),
  );
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: main.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url: main.QueueUrl!, arn, dlqUrl: dlq.QueueUrl! };
}

async function sendBodies(sqs: SQSClient, url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b, n) => ({ Id: String(n), MessageBody: b })) }));
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function drain(sqs: SQSClient, url: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!got.Messages?.length) return out;
    out.push(...got.Messages.map((m) => m.Body ?? ''));
  }
}

describe('SQS event source mapping (local Lambda poller against fauxqs)', function () {
  this.timeout(30_000);
  let sqs: SQSClient;
  let mapping: EventSourceMapping | undefined;

  before(async () => {
    sqs = new SQSClient({ ...localAws, endpoint: (await sqsS3Local()).endpoint });
  });
  afterEach(async () => {
    await mapping?.stop();
    mapping = undefined;
  });

  describe('settleBatch', () => {
    const records = [record('a'), record('b'), record('c')];
    it('deletes everything on success with no failures reported', () => {
      expect(settleBatch(records, { response: { batchItemFailures: [] } }, true).succeeded).to.have.length(3);
      expect(settleBatch(records, { response: undefined }, true).succeeded).to.have.length(3);
    });
    it('returns only the reported items', () => {
      const r = settleBatch(records, { response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true);
      expect(r.succeeded.map((x) => x.messageId)).to.deep.equal(['a', 'c']);
      expect(r.returned.map((x) => x.messageId)).to.deep.equal(['b']);
    });
    it('treats an unknown or empty identifier as a failure of the whole batch, as AWS does', () => {
      expect(settleBatch(records, { response: { batchItemFailures: [{ itemIdentifier: 'zzz' }] } }, true).returned).to.have.length(3);
      expect(settleBatch(records, { response: { batchItemFailures: [{ itemIdentifier: '' }] } }, true).returned).to.have.length(3);
      expect(settleBatch(records, { response: { batchItemFailures: 'nope' } }, true).returned).to.have.length(3);
    });
    it('returns the whole batch when the handler threw', () => {
      expect(settleBatch(records, { error: new Error('x') }, true).returned).to.have.length(3);
    });
    it('ignores batchItemFailures when ReportBatchItemFailures is off', () => {
      expect(settleBatch(records, { response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, false).succeeded).to.have.length(3);
    });
  });

  it('delivers every message once in batches no larger than batchSize', async () => {
    const q = await queueWithDlq(sqs, `esm-batch-${Date.now()}`, 3);
    const bodies = Array.from({ length: 35 }, (_, i) => `m${i}`);
    await sendBodies(sqs, q.url, bodies);
    const seen: string[] = [];
    const sizes: number[] = [];
    mapping = startEventSourceMapping(
      sqs,
      async (event: SQSEvent) => {
        sizes.push(event.Records.length);
        seen.push(...event.Records.map((r) => r.body));
        expect(event.Records[0]?.eventSource).to.equal('aws:sqs');
        expect(event.Records[0]?.eventSourceARN).to.equal(q.arn);
      },
      { queueUrl: q.url, queueArn: q.arn, functionName: 'trigger', batchSize: 10, maximumBatchingWindowSeconds: 1 },
      log,
    );
    await until(() => seen.length >= 35, 'all 35 messages');
    expect([...seen].sort()).to.deep.equal([...bodies].sort());
    expect(Math.max(...sizes)).to.be.at.most(10);
    expect(mapping.stats().recordsSucceeded).to.equal(35);
    expect(await drain(sqs, q.url)).to.deep.equal([]);
  });

  it('gathers several receives into one batch while the batching window is open', async () => {
    const q = await queueWithDlq(sqs, `esm-window-${Date.now()}`, 3);
    await sendBodies(sqs, q.url, Array.from({ length: 25 }, (_, i) => `w${i}`));
    const sizes: number[] = [];
    mapping = startEventSourceMapping(
      sqs,
      async (event: SQSEvent) => {
        sizes.push(event.Records.length);
      },
      { queueUrl: q.url, queueArn: q.arn, functionName: 'trigger', batchSize: 25, maximumBatchingWindowSeconds: 2 },
      log,
    );
    await until(() => sizes.reduce((a, b) => a + b, 0) >= 25, 'all 25 messages');
    // One ReceiveMessage returns at most 10, so a batch above 10 proves the window gathered more.
    expect(Math.max(...sizes)).to.be.greaterThan(10);
    expect(Math.max(...sizes)).to.be.at.most(25);
  });

  it('refuses a batch size above 10 without a batching window, as Lambda does', () => {
    expect(() => startEventSourceMapping(sqs, async () => undefined, { queueUrl: 'http://127.0.0.1:1/q', queueArn: 'arn:aws:sqs:us-east-1:0:q', functionName: 'f', batchSize: 20 }, log)).to.throw(/maximumBatchingWindowSeconds/);
  });

  it('returns only batchItemFailures to the queue; redrive moves them to the DLQ after maxReceiveCount', async () => {
    const q = await queueWithDlq(sqs, `esm-partial-${Date.now()}`, 2);
    await sendBodies(sqs, q.url, ['ok-1', 'bad-1', 'ok-2', 'bad-2']);
    const attempts = new Map<string, number>();
    mapping = startEventSourceMapping(
      sqs,
      async (event: SQSEvent): Promise<SQSBatchResponse> => {
        for (const r of event.Records) attempts.set(r.body, (attempts.get(r.body) ?? 0) + 1);
        return { batchItemFailures: event.Records.filter((r) => r.body.startsWith('bad')).map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { queueUrl: q.url, queueArn: q.arn, functionName: 'trigger', batchSize: 10, retryVisibilitySeconds: 0 },
      log,
    );
    let dlq: string[] = [];
    await until(async () => {
      dlq.push(...(await drain(sqs, q.dlqUrl)));
      return dlq.length >= 2;
    }, 'both bad messages in the DLQ');
    dlq = dlq.sort();
    expect(dlq).to.deep.equal(['bad-1', 'bad-2']);
    expect(attempts.get('ok-1')).to.equal(1);
    expect(attempts.get('ok-2')).to.equal(1);
    expect(attempts.get('bad-1')).to.equal(2);
    expect(attempts.get('bad-2')).to.equal(2);
  });

  it('returns the whole batch when the handler throws, and the retry carries the receive count', async () => {
    const q = await queueWithDlq(sqs, `esm-throw-${Date.now()}`, 5);
    await sendBodies(sqs, q.url, ['x']);
    const receiveCounts: string[] = [];
    mapping = startEventSourceMapping(
      sqs,
      async (event: SQSEvent) => {
        receiveCounts.push(event.Records[0]!.attributes.ApproximateReceiveCount);
        if (receiveCounts.length === 1) throw new Error('first attempt fails');
      },
      { queueUrl: q.url, queueArn: q.arn, functionName: 'trigger', retryVisibilitySeconds: 0 },
      log,
    );
    await until(() => mapping!.stats().recordsSucceeded === 1, 'the retried message to succeed');
    expect(receiveCounts).to.deep.equal(['1', '2']);
    expect(mapping.stats().handlerErrors).to.equal(1);
  });

  it('never runs more invocations at once than maximumConcurrency', async () => {
    const q = await queueWithDlq(sqs, `esm-conc-${Date.now()}`, 3);
    await sendBodies(sqs, q.url, Array.from({ length: 12 }, (_, i) => `c${i}`));
    let active = 0;
    let peak = 0;
    let done = 0;
    mapping = startEventSourceMapping(
      sqs,
      async (event: SQSEvent) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 30));
        active -= 1;
        done += event.Records.length;
      },
      { queueUrl: q.url, queueArn: q.arn, functionName: 'trigger', batchSize: 1, maximumConcurrency: 3 },
      log,
    );
    await until(() => done === 12, 'all 12 single-record batches');
    expect(peak).to.be.at.most(3);
    expect(mapping.stats().maxConcurrentSeen).to.be.at.most(3);
    expect(mapping.stats().largestBatch).to.equal(1);
  });
});
