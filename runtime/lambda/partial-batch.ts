/**
 * SQS partial batch responses, in one place: each record is handled on its own, a record that throws
 * is reported in `batchItemFailures` (SQS redelivers only those), and nothing one record does can
 * fail the others. Requires ReportBatchItemFailures on the event source mapping (infra/ sets it).
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { errorSummary } from './step-handler.ts';
import type { Logger } from '../logging/logger.ts';

export interface BatchOptions {
  /** Records handled at once; SQS batches are small, but a Lambda's sockets are not unlimited. */
  concurrency?: number;
  logger: Logger;
}

export async function processPartialBatch(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
  options: BatchOptions,
): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++]!;
      try {
        await handle(record);
      } catch (err) {
        failures.push(record.messageId);
        options.logger.error('message failed; SQS will deliver it again', { messageId: record.messageId, error: errorSummary(err) });
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 5, records.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  // SQS wants them in batch order: it keeps the rest of a FIFO group behind the first failure.
  const order = new Map(records.map((r, i) => [r.messageId, i]));
  failures.sort((a, b) => order.get(a)! - order.get(b)!);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
