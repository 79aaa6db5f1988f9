/**
 * Reads back what a run left behind, only through the AWS APIs a person would use against the
 * printed endpoints: the table's records, the executions and their histories, the stored objects,
 * and the queues. The summary, the e2e test and the chaos invariants all judge from this.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

/** The record fields local mode reads; other attributes pass through untouched. */
export const ObservedRecord = z.looseObject({
  PK: z.string(),
  SK: z.string(),
  dialogGroupId: z.string().optional(),
  callId: z.string().optional(),
  reconciliationStatus: z.string().optional(),
  exportJobStatus: z.string().optional(),
  exportJobId: z.string().optional(),
  failureReason: z.string().optional(),
  errorDetails: z.string().optional(),
  sfExecutionId: z.string().optional(),
  metadata: z.string().optional(),
});
export type ObservedRecord = z.infer<typeof ObservedRecord>;

export async function scanRecords(ddb: DynamoDBClient, tableName: string): Promise<ObservedRecord[]> {
  const doc = DynamoDBDocumentClient.from(ddb);
  const out: ObservedRecord[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const parsed = ObservedRecord.safeParse(item);
      if (!parsed.success) throw new Error(`Record in ${tableName} does not have the expected shape: ${parsed.error.message}`);
      out.push(parsed.data);
    }
  }
  return out;
}

export interface ObservedExecution {
  executionArn: string;
  name: string;
  status: string;
  startMs: number;
  stopMs?: number;
  statesEntered?: number;
  /** Names of the states entered, in order. */
  statePath?: string[];
}

/** Every execution of the machine; with `histories`, also the states each finished one entered. */
export async function listExecutions(sfn: SFNClient, stateMachineArn: string, histories: boolean): Promise<ObservedExecution[]> {
  const out: ObservedExecution[] = [];
  for await (const page of paginateListExecutions({ client: sfn, pageSize: 1000 }, { stateMachineArn })) {
    for (const e of page.executions ?? []) {
      out.push({
        executionArn: e.executionArn!,
        name: e.name!,
        status: e.status!,
        startMs: e.startDate?.getTime() ?? Number.NaN,
        ...(e.stopDate ? { stopMs: e.stopDate.getTime() } : {}),
      });
    }
  }
  if (histories) {
    for (const e of out) {
      if (e.status === 'RUNNING') continue;
      e.statePath = await statesEntered(sfn, e.executionArn);
      e.statesEntered = e.statePath.length;
    }
  }
  return out;
}

export async function statesEntered(sfn: SFNClient, executionArn: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }));
    for (const ev of page.events ?? []) {
      if (ev.type?.endsWith('StateEntered')) names.push(ev.stateEnteredEventDetails?.name ?? '?');
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

export interface StoredObject {
  key: string;
  size: number;
}

export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0 });
  }
  return out;
}

/** sha256 of an object's bytes, streamed. */
export async function objectSha256(s3: S3Client, bucket: string, key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of got.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/**
 * Reads every message on a queue without deleting it: each is hidden while the loop runs (so it is
 * seen once), then made visible again. Use when nothing else consumes the queue (DLQs, end of a run).
 */
export async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<{ body: string; attributes: Record<string, string> }[]> {
  const out: { body: string; attributes: Record<string, string> }[] = [];
  const handles: string[] = [];
  try {
    for (;;) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }));
      if (!got.Messages?.length) return out;
      for (const m of got.Messages) {
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) if (v.StringValue !== undefined) attributes[k] = v.StringValue;
        out.push({ body: m.Body ?? '', attributes });
        if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
      }
    }
  } finally {
    for (let i = 0; i < handles.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: handles.slice(i, i + 10).map((h, n) => ({ Id: String(n), ReceiptHandle: h, VisibilityTimeout: 0 })) }),
      );
    }
  }
}
