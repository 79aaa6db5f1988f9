/**
 * A message that fails its schema would only bounce until redrive; it goes to the input DLQ at once,
 * body unchanged, with the reason and its origin as message attributes a person can read.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** SQS message attribute values are limited by the message size; the reason is for people, keep it short. */
const MaxReasonLength = 2000;

export async function sendToInputDlq(
  sqs: Pick<SQSClient, 'send'>,
  dlqUrl: string,
  record: SQSRecord,
  reason: string,
  rejectedAt: string,
): Promise<string> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  const out = await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body.length > 0 ? record.body : '(empty body)',
      MessageAttributes: {
        failureReason: text(reason.length > MaxReasonLength ? `${reason.slice(0, MaxReasonLength - 1)}…` : reason),
        sourceMessageId: text(record.messageId),
        sourceQueueArn: text(record.eventSourceARN || 'unknown'),
        rejectedAt: text(rejectedAt),
        rejectedBy: text('trigger'),
      },
    }),
  );
  if (!out.MessageId) throw new Error(`SendMessage to the input DLQ ${dlqUrl} returned no MessageId`);
  return out.MessageId;
}
