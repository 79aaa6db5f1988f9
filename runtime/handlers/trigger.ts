/**
 * SQS batch of pending calls → one Step Functions execution per call. Duplicates are harmless (the
 * execution name is derived from the call), bad messages go to the input DLQ with their reason, and
 * every other failure is reported per message so SQS redelivers only what failed.
 */
import { ExecutionAlreadyExists, InvalidExecutionInput, InvalidName, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { sfnClientFromEnv } from '../aws/sfn.ts';
import { sqsClientFromEnv } from '../aws/sqs.ts';
import { readEnv } from '../env.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { parseInput } from '../lambda/parse-input.ts';
import { processPartialBatch } from '../lambda/partial-batch.ts';
import { callLogger, type Logger } from '../logging/logger.ts';
import { executionName } from '../trigger/execution-name.ts';
import { sendToInputDlq } from '../trigger/input-dlq.ts';
import { executionInput, parseReconciliationMessage } from '../trigger/reconciliation-message.ts';

export interface TriggerDeps {
  logger: Logger;
  sfn: Pick<SFNClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  stateMachineArn: string;
  inputDlqUrl: string;
  concurrency?: number;
  clock?: () => Date;
}

/** Only what the trigger reads; the rest of each record passes through untouched. */
export const TriggerEvent = z.object({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string(), eventSourceARN: z.string().optional() })),
});

export function makeHandler(deps: TriggerDeps) {
  const now = () => (deps.clock?.() ?? new Date()).toISOString();

  async function reject(record: SQSRecord, reason: string, log: Logger): Promise<void> {
    const dlqMessageId = await sendToInputDlq(deps.sqs, deps.inputDlqUrl, record, reason, now());
    log.warn('message can never succeed; sent to the input DLQ', { messageId: record.messageId, reason, dlqMessageId });
  }

  async function startOne(record: SQSRecord): Promise<void> {
    const parsed = parseReconciliationMessage(record.body);
    if (!parsed.ok) return reject(record, parsed.reason, deps.logger);
    const request = parsed.request;
    const name = executionName(request);
    const log = callLogger(deps.logger, request).createChild({ persistentKeys: { messageId: record.messageId, executionName: name } });
    try {
      const out = await deps.sfn.send(
        new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input: executionInput(request) }),
      );
      log.info('execution started', { executionArn: out.executionArn, retryAttempt: request.retryAttempt });
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists) {
        // The name encodes the call, so this is a duplicate delivery of a call already started.
        log.info('execution already exists for this call; duplicate delivery acknowledged');
        return;
      }
      if (err instanceof InvalidName || err instanceof InvalidExecutionInput) {
        return reject(record, `Step Functions rejected the call: ${err.name}: ${err.message}`, log);
      }
      throw err;
    }
  }

  return async (event: unknown, _context?: Context): Promise<SQSBatchResponse> => {
    const { Records } = parseInput(TriggerEvent, event, 'trigger event (SQS batch)');
    return processPartialBatch(Records as unknown as SQSRecord[], startOne, {
      logger: deps.logger,
      ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}),
    });
  };
}

export const handler = lazyHandler(() => {
  const env = readEnv(['stateMachineArn', 'inputDlqUrl']);
  return makeHandler({ logger: loggerFromEnv(), sfn: sfnClientFromEnv(), sqs: sqsClientFromEnv(), stateMachineArn: env.stateMachineArn, inputDlqUrl: env.inputDlqUrl });
});
