/**
 * An SQS -> Lambda poller that behaves like Lambda's SQS event source mapping, so the trigger
 * handler sees in local mode exactly the batches and retry behaviour it sees on AWS:
 * - batches of up to `batchSize` records, gathered for at most `maximumBatchingWindowSeconds`;
 * - at most `maximumConcurrency` invocations at a time (each poller owns one invocation);
 * - success deletes the batch; a thrown error returns the whole batch; with ReportBatchItemFailures,
 *   `batchItemFailures` returns only those messages, and a malformed response fails the whole batch
 *   (as AWS documents), so the failed messages reappear after their visibility timeout and the
 *   queue's redrive policy moves them to the DLQ after maxReceiveCount receives.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import type { ServiceLog } from './service-log.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | undefined | null>;

export const EventSourceMappingOptions = z
  .object({
    queueUrl: z.url(),
    queueArn: z.string().startsWith('arn:'),
    functionName: z.string().min(1),
    /** Lambda allows 1-10 without a batching window and up to 10,000 with one. */
    batchSize: z.number().int().min(1).max(10_000).default(10),
    maximumBatchingWindowSeconds: z.number().min(0).max(300).default(0),
    /** Lambda's MaximumConcurrency for SQS sources: 2-1000. */
    maximumConcurrency: z.number().int().min(2).max(1000).default(2),
    reportBatchItemFailures: z.boolean().default(true),
    /** Lambda's function timeout: the remaining time the handler's context reports. */
    functionTimeoutSeconds: z.number().positive().default(30),
    /**
     * Lambda leaves a failed message invisible for the rest of its visibility timeout. A sped-up
     * local run may shorten that wait by setting this (seconds, 0 = at once); unset keeps AWS's behaviour.
     */
    retryVisibilitySeconds: z.number().int().min(0).max(43_200).optional(),
    region: z.string().default('us-east-1'),
  })
  .superRefine((o, ctx) => {
    if (o.batchSize > 10 && o.maximumBatchingWindowSeconds < 1)
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: 'a batch size above 10 needs maximumBatchingWindowSeconds of at least 1, as Lambda requires' });
  });
export type EventSourceMappingOptions = z.input<typeof EventSourceMappingOptions>;

export interface EventSourceMappingStats {
  invocations: number;
  recordsDelivered: number;
  recordsSucceeded: number;
  recordsReturned: number;
  handlerErrors: number;
  maxConcurrentSeen: number;
  largestBatch: number;
}

export interface EventSourceMapping {
  stats(): EventSourceMappingStats;
  /** Stops receiving, lets in-flight invocations finish, then resolves. */
  stop(): Promise<void>;
}

/** What an invocation's response means for each record of its batch. */
export function settleBatch(records: readonly SQSRecord[], outcome: { error: unknown } | { response: unknown }, reportBatchItemFailures: boolean): { succeeded: SQSRecord[]; returned: SQSRecord[] } {
  if ('error' in outcome) return { succeeded: [], returned: [...records] };
  if (!reportBatchItemFailures) return { succeeded: [...records], returned: [] };
  const response = outcome.response;
  if (response === undefined || response === null) return { succeeded: [...records], returned: [] };
  const parsed = BatchResponse.safeParse(response);
  // AWS: a response that is not a valid batchItemFailures list counts as a complete batch failure.
  if (!parsed.success) return { succeeded: [], returned: [...records] };
  const failures = parsed.data.batchItemFailures ?? [];
  const ids = new Set(records.map((r) => r.messageId));
  if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) return { succeeded: [], returned: [...records] };
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return { succeeded: records.filter((r) => !failed.has(r.messageId)), returned: records.filter((r) => failed.has(r.messageId)) };
}

const BatchResponse = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string().nullable().optional() })).optional(),
});

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function lambdaContext(functionName: string, region: string, timeoutMs: number, requestId: string): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (): never => {
    throw new Error('The callback-style context methods are not supported: return a promise from the handler.');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Starts polling `queueUrl` and invoking `handler` until `stop()`. */
export function startEventSourceMapping(sqs: SQSClient, handler: SqsHandler, rawOptions: EventSourceMappingOptions, log: ServiceLog): EventSourceMapping {
  const options = EventSourceMappingOptions.parse(rawOptions);
  const stats: EventSourceMappingStats = { invocations: 0, recordsDelivered: 0, recordsSucceeded: 0, recordsReturned: 0, handlerErrors: 0, maxConcurrentSeen: 0, largestBatch: 0 };
  const stopping = new AbortController();
  let running = 0;
  let requestSeq = 0;

  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return out.Messages ?? [];
  }

  /** Gathers one batch: the first receive long-polls; then more only while the window is open. */
  async function gatherBatch(): Promise<Message[]> {
    const batch = await receive(options.batchSize, 1);
    if (batch.length === 0 || options.maximumBatchingWindowSeconds === 0) return batch;
    const windowEnds = Date.now() + options.maximumBatchingWindowSeconds * 1000;
    while (batch.length < options.batchSize && Date.now() < windowEnds && !stopping.signal.aborted) {
      const waitSeconds = Math.min(1, Math.floor((windowEnds - Date.now()) / 1000));
      const more = await receive(options.batchSize - batch.length, waitSeconds);
      batch.push(...more);
      if (more.length === 0 && waitSeconds === 0) await new Promise((r) => setTimeout(r, 50));
    }
    return batch;
  }

  async function invoke(messages: Message[]): Promise<void> {
    const records = messages.map((m) => toRecord(m, options.queueArn, options.region));
    const requestId = `local-${process.pid}-${++requestSeq}`;
    running += 1;
    stats.invocations += 1;
    stats.recordsDelivered += records.length;
    stats.maxConcurrentSeen = Math.max(stats.maxConcurrentSeen, running);
    stats.largestBatch = Math.max(stats.largestBatch, records.length);
    let outcome: { error: unknown } | { response: unknown };
    try {
      outcome = { response: await handler({ Records: records }, lambdaContext(options.functionName, options.region, options.functionTimeoutSeconds * 1000, requestId)) };
    } catch (error) {
      stats.handlerErrors += 1;
      log.log('error', 'handler threw: the whole batch returns to the queue', { functionName: options.functionName, requestId, records: records.length, error: (error as Error).name, cause: (error as Error).message });
      outcome = { error };
    } finally {
      running -= 1;
    }
    const { succeeded, returned } = settleBatch(records, outcome, options.reportBatchItemFailures);
    stats.recordsSucceeded += succeeded.length;
    stats.recordsReturned += returned.length;
    if (succeeded.length > 0) await deleteRecords(succeeded);
    if (returned.length > 0) {
      log.log('warn', 'records returned to the queue', { functionName: options.functionName, requestId, messageIds: returned.map((r) => r.messageId) });
      if (options.retryVisibilitySeconds !== undefined) await shortenVisibility(returned, options.retryVisibilitySeconds);
    }
  }

  async function deleteRecords(records: SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })) }));
      for (const failed of out.Failed ?? []) log.log('warn', 'delete failed; the message will be delivered again', { functionName: options.functionName, code: failed.Code, reason: failed.Message });
    }
  }

  async function shortenVisibility(records: SQSRecord[], seconds: number): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds })) }));
    }
  }

  async function poller(index: number): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const batch = await gatherBatch();
        if (batch.length > 0) await invoke(batch);
      } catch (error) {
        if (stopping.signal.aborted) return;
        log.log('error', 'poller error; retrying in 1 s', { functionName: options.functionName, poller: index, error: (error as Error).name, cause: (error as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  const pollers = Array.from({ length: options.maximumConcurrency }, (_, i) => poller(i));
  log.log('info', 'event source mapping started', { functionName: options.functionName, queueUrl: options.queueUrl, batchSize: options.batchSize, maximumConcurrency: options.maximumConcurrency });

  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopping.abort();
      await Promise.all(pollers);
    },
  };
}
