import { expect } from 'chai';
import fc from 'fast-check';
import { CreateStateMachineCommand, ListExecutionsCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Engine, VirtualClock } from '../../local/engine/index.ts';
import { startStepFunctionsApi, type StepFunctionsApi } from '../../local/sfn-api/server.ts';
import { makeHandler, type TriggerDeps } from '../../runtime/handlers/trigger.ts';
import { createLogger } from '../../runtime/logging/logger.ts';
import { executionName } from '../../runtime/trigger/execution-name.ts';
import { parseReconciliationMessage } from '../../runtime/trigger/reconciliation-message.ts';
import { localAws, sqsS3Local } from '../support/services.ts';
import { hostileId } from './hostile-ids.ts';
import { sqsEvent, sqsRecord } from './sqs-records.ts';

const roleArn = 'arn:aws:iam::000000000000:role/local-sfn';
/** Succeeds at once with its input: the trigger only cares that executions start, once. */
const passMachine = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };

describe('trigger handler (local Step Functions API + fauxqs)', function () {
  this.timeout(30_000);
  let engine: Engine;
  let api: StepFunctionsApi;
  let sfn: SFNClient;
  let sqs: SQSClient;
  let dlqUrl: string;
  let n = 0;

  before(async () => {
    engine = new Engine({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), resolvers: [] });
    api = await startStepFunctionsApi({ engine });
    sfn = new SFNClient({ ...localAws, endpoint: api.endpoint, maxAttempts: 1 });
    sqs = new SQSClient({ ...localAws, endpoint: (await sqsS3Local()).endpoint });
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `trigger-dlq-${process.pid}-${Date.now()}` }))).QueueUrl!;
  });
  after(async () => {
    sfn.destroy();
    sqs.destroy();
    await api.stop();
    await engine.close();
  });

  async function newMachine(): Promise<string> {
    const out = await sfn.send(
      new CreateStateMachineCommand({ name: `trigger-${++n}-${Date.now()}`, definition: JSON.stringify(passMachine), roleArn }),
    );
    return out.stateMachineArn!;
  }

  function trigger(stateMachineArn: string, overrides: Partial<TriggerDeps> = {}) {
    return makeHandler({ logger: createLogger({ logLevel: 'SILENT' }), sfn, sqs, stateMachineArn, inputDlqUrl: dlqUrl, ...overrides });
  }

  async function executions(stateMachineArn: string) {
    const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return out.executions ?? [];
  }

  async function drainDlq() {
    const all = [];
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
      );
      if (!out.Messages?.length) return all;
      all.push(...out.Messages);
    }
  }

  const body = (dialogGroupId: string, callId: string, retryAttempt = 0) => JSON.stringify({ dialogGroupId, callId, retryAttempt });

  it('starts one execution per call, named from the call, with the parsed message as input', async () => {
    const arn = await newMachine();
    const res = await trigger(arn)(sqsEvent(sqsRecord(body('DG-1', 'C-1')), sqsRecord(body('DG-2', 'C-2', 1))));
    expect(res.batchItemFailures).to.deep.equal([]);
    const names = (await executions(arn)).map((e) => e.name).sort();
    expect(names).to.deep.equal(
      [executionName({ dialogGroupId: 'DG-1', callId: 'C-1', retryAttempt: 0 }), executionName({ dialogGroupId: 'DG-2', callId: 'C-2', retryAttempt: 1 })].sort(),
    );
    const first = (await executions(arn)).find((e) => e.name?.startsWith('DG-1'))!;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    expect(JSON.parse(described.input!)).to.deep.equal({ dialogGroupId: 'DG-1', callId: 'C-1', retryAttempt: 0, source: 'RECONCILIATION_QUEUE' });
  });

  it('acknowledges duplicate deliveries without starting a second execution', async () => {
    const arn = await newMachine();
    const handle = trigger(arn);
    const dup = body('DG-dup', 'C-dup');
    const first = await handle(sqsEvent(sqsRecord(dup), sqsRecord(dup)));
    const later = await handle(sqsEvent(sqsRecord(JSON.stringify({ callId: 'C-dup', dialogGroupId: 'DG-dup', source: 'RECONCILIATION_QUEUE' }))));
    expect(first.batchItemFailures).to.deep.equal([]);
    expect(later.batchItemFailures).to.deep.equal([]);
    expect(await executions(arn)).to.have.length(1);
  });

  it('sends messages that fail their schema to the input DLQ with the reason, and acks them', async () => {
    const arn = await newMachine();
    await drainDlq();
    const bad = sqsRecord('{"dialogGroupId":"DG-bad"}');
    const notJson = sqsRecord('not json at all');
    const res = await trigger(arn)(sqsEvent(bad, sqsRecord(body('DG-ok', 'C-ok')), notJson));
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(await executions(arn)).to.have.length(1);
    const dead = await drainDlq();
    expect(dead.map((m) => m.Body).sort()).to.deep.equal(['not json at all', '{"dialogGroupId":"DG-bad"}']);
    const reasonOf = (id: string) => dead.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === id)?.MessageAttributes?.failureReason?.StringValue;
    expect(reasonOf(bad.messageId)).to.contain('callId');
    expect(reasonOf(notJson.messageId)).to.contain('not JSON');
  });

  it('reports a bad message as a batch item failure when the DLQ cannot take it, so redrive still lands it', async () => {
    const arn = await newMachine();
    const bad = sqsRecord('{}');
    const good = sqsRecord(body('DG-x', 'C-x'));
    const res = await trigger(arn, { inputDlqUrl: `${dlqUrl}-does-not-exist` })(sqsEvent(bad, good));
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: bad.messageId }]);
    expect(await executions(arn)).to.have.length(1);
  });

  it('reports only the messages whose execution could not start', async () => {
    const missing = 'arn:aws:states:us-east-1:000000000000:stateMachine:does-not-exist';
    await drainDlq();
    const a = sqsRecord(body('DG-a', 'C-a'));
    const b = sqsRecord(body('DG-b', 'C-b'));
    const res = await trigger(missing)(sqsEvent(a, sqsRecord('[]'), b));
    expect(res.batchItemFailures).to.deep.equal([{ itemIdentifier: a.messageId }, { itemIdentifier: b.messageId }]);
    expect(await drainDlq()).to.have.length(1);
  });

  it('rejects an event that is not an SQS batch with InvalidInputError', async () => {
    const arn = await newMachine();
    let err: Error | undefined;
    try {
      await trigger(arn)({ Records: [{ body: 'x' }] });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).to.equal('InvalidInputError');
    expect(err?.message).to.contain('Records.0.messageId');
  });

  it('never crashes the batch: valid calls start once, bad messages reach the DLQ or are reported for redrive', async () => {
    const arn = await newMachine();
    const handle = trigger(arn);
    await drainDlq();
    // Only bodies SQS (per the AWS spec) can deliver. fauxqs is stricter than AWS: it refuses
    // supplementary-plane characters (emoji) in bodies and attributes, so a bad message carrying
    // them cannot be copied to the DLQ locally and must come back as a batch item failure instead.
    const deliverable = (b: string) => b.length > 0 && !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(b);
    const message = fc
      .oneof(
        fc.record({ dialogGroupId: hostileId, callId: hostileId, retryAttempt: fc.nat({ max: 3 }) }).map((m) => JSON.stringify(m)),
        fc.string({ unit: 'grapheme' }),
        fc.json(),
      )
      .filter(deliverable);
    const expectedNames = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), async (bodies) => {
        const records = bodies.map((b) => sqsRecord(b));
        const res = await handle(sqsEvent(...records));
        const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
        const dead = new Set((await drainDlq()).map((m) => m.MessageAttributes?.sourceMessageId?.StringValue));
        for (const r of records) {
          const parsed = parseReconciliationMessage(r.body);
          if (parsed.ok) {
            expect(failed.has(r.messageId), `valid message ${r.body} was reported failed`).to.equal(false);
            expectedNames.add(executionName(parsed.request));
          } else {
            expect(dead.has(r.messageId) || failed.has(r.messageId), `bad message ${r.body} vanished`).to.equal(true);
            expect(dead.has(r.messageId) && failed.has(r.messageId), 'reported twice').to.equal(false);
          }
        }
        const names = (await executions(arn)).map((e) => e.name);
        expect(new Set(names)).to.deep.equal(expectedNames);
        expect(names.length, 'one execution per call').to.equal(expectedNames.size);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  });
});
