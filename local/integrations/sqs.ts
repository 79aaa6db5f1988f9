/**
 * `arn:aws:states:::sqs:sendMessage` (and `.waitForTaskToken`): sends through a real SQSClient
 * (fauxqs in local mode). A MessageBody that is not a string is JSON-encoded, as Step Functions
 * does; the result is SQS's response plus the SDK envelope.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { TaskHandler, TaskRequest, TaskResolver } from '../engine/types.ts';
import { sdkOutputToJson } from './attribute-values.ts';
import { whileHoldingClock } from './hold-clock.ts';
import { sdkEnvelope } from './sdk-metadata.ts';
import { SqsNaming, invalidParameters, serviceTaskFailure } from './service-errors.ts';

const resourcePattern = /^arn:aws[a-z-]*:states:::sqs:sendMessage$/;

const MessageAttribute = z.strictObject({
  DataType: z.string().min(1),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});

// The fields Step Functions passes to SendMessage; a strict object names any other.
const SendMessageParameters = z.strictObject({
  QueueUrl: z.string().min(1),
  MessageBody: z.unknown().refine((v) => v !== undefined && v !== null, 'MessageBody is required'),
  DelaySeconds: z.number().int().min(0).max(900).optional(),
  MessageAttributes: z.record(z.string(), MessageAttribute).optional(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
});

export interface SqsResolverOptions {
  client: SQSClient;
}

export function sqsResolver(options: SqsResolverOptions): TaskResolver {
  return {
    resolve(resource) {
      return resourcePattern.test(resource) ? sendMessage(options.client) : undefined;
    },
  };
}

function sendMessage(client: SQSClient): TaskHandler {
  return async (req: TaskRequest) => {
    const parsed = SendMessageParameters.safeParse(req.parameters);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'Parameters'}: ${i.message}`).join('; ');
      throw invalidParameters(SqsNaming, `Invalid sendMessage Parameters in state '${req.stateName}': ${problems}`);
    }
    const { MessageBody, MessageAttributes, ...rest } = parsed.data;
    const command = new SendMessageCommand({
      ...rest,
      MessageBody: typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody),
      ...(MessageAttributes
        ? {
            MessageAttributes: Object.fromEntries(
              Object.entries(MessageAttributes).map(([name, a]) => [
                name,
                {
                  DataType: a.DataType,
                  ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}),
                  // ASL carries binary as base64 text; the SDK wants bytes.
                  ...(a.BinaryValue !== undefined ? { BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : {}),
                },
              ]),
            ),
          }
        : {}),
    });
    const output = await whileHoldingClock(req.clock, () =>
      client.send(command, { abortSignal: req.signal }).catch((err: unknown) => {
        if (req.signal.aborted) throw err;
        throw serviceTaskFailure(SqsNaming, err);
      }),
    );
    const body = sdkOutputToJson(output) as Record<string, unknown>;
    // Step Functions reaches SQS through the Java SDK v1's query protocol, hence the XML content type.
    return { ...body, ...sdkEnvelope(output.$metadata.requestId, 'text/xml', output.$metadata.httpStatusCode) };
  };
}
