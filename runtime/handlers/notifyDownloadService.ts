/**
 * Invoked with .waitForTaskToken: keeps the task token with the record (so a stuck download can be
 * answered by hand or by a recovery job), then queues the download task for the worker and returns.
 * The record is written first: a queued task whose token nobody stored could not be recovered.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DownloadTask, NotifyDownloadInput, NotifyDownloadOutput } from '../contracts.ts';
import { sqsClientFromEnv } from '../aws/sqs.ts';
import { storeFromEnv } from '../aws/store-from-env.ts';
import { readEnv } from '../env.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { stepHandler, type StepDeps } from '../lambda/step-handler.ts';
import type { ReconciliationStore } from '../store/reconciliation-store.ts';

export interface NotifyDownloadDeps extends StepDeps {
  store: ReconciliationStore;
  sqs: Pick<SQSClient, 'send'>;
  workerQueueUrl: string;
}

export const makeHandler = stepHandler({
  name: 'notifyDownloadService',
  input: NotifyDownloadInput,
  output: NotifyDownloadOutput,
  async run(input, deps: NotifyDownloadDeps, log) {
    const w = await deps.store.recordDownloadRequested({
      dialogGroupId: input.dialogGroupId,
      executionId: input.executionId,
      exportJobId: input.exportJobId,
      taskToken: input.taskToken,
    });
    const task = DownloadTask.parse({
      taskToken: input.taskToken,
      exportJobId: input.exportJobId,
      dialogGroupId: input.dialogGroupId,
      callId: input.callId,
      downloadUrl: input.downloadUrl,
      executionId: input.executionId,
      ...(input.fileSize !== undefined ? { expectedSizeBytes: input.fileSize } : {}),
    });
    const sent = await deps.sqs.send(new SendMessageCommand({ QueueUrl: deps.workerQueueUrl, MessageBody: JSON.stringify(task) }));
    if (!sent.MessageId) throw new Error(`SendMessage to ${deps.workerQueueUrl} returned no MessageId; the download task may not be queued.`);
    log.info('download task queued', { messageId: sent.MessageId, record: w.outcome });
    return { messageId: sent.MessageId };
  },
});

export const handler = lazyHandler(() => {
  const env = readEnv(['workerQueueUrl']);
  return makeHandler({ logger: loggerFromEnv(), store: storeFromEnv(), sqs: sqsClientFromEnv(), workerQueueUrl: env.workerQueueUrl });
});
