/**
 * A message that fails its schema would only bounce until redrive; it goes to the input DLQ at once,
 * body unchanged, with the reason and its origin as message attributes a person can read.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** SQS message attribute values are limited by the message size; the reason is for people, keep it short. */
const MaxReasonLength = 2000;

/** Characters SQS accepts in bodies and attributes; a reason may quote a hostile body (JSON.parse does). */
const NotSqsText = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function sqsSafeText(value: string, maxLength: number): string {
  const clean = value.replace(NotSqsText, '\uFFFD');
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

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
        failureReason: text(sqsSafeText(reason, MaxReasonLength)),
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
