/**
 * Consumes the worker queue. Each of `concurrency` slots long-polls for one message and works on it
 * until done, so one long recording never holds other slots idle (sqs-consumer processes a batch
 * and waits for all of it before polling again, which a mix of 5 MB and 5 GB downloads makes slow).
 *
 * A message ends in exactly one of these ways:
 * - done: SendTaskSuccess or SendTaskFailure, then deleted;
 * - the token is gone (TaskTimedOut / TaskDoesNotExist): work stopped, upload aborted, deleted;
 * - malformed: reported (and failed in Step Functions if it carries a token), moved to the DLQ;
 * - shutdown: abandoned and made visible again at once for another worker;
 * - the callback itself could not be sent: left to reappear after its visibility timeout.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DownloadTask, type DownloadResult } from '../../runtime/contracts.ts';
import { ErrorNames, NamedError } from '../../runtime/errors.ts';
import { ShutdownError, TaskGoneError } from './errors.ts';
import { keepMessageLeased, keepTaskAlive } from './keep-alive.ts';
import type { Logger } from './log.ts';
import type { TaskCallbacks } from './task-callbacks.ts';

export type ProcessTask = (task: DownloadTask, signal: AbortSignal, log: Logger) => Promise<DownloadResult>;

export interface QueueWorkerOptions {
  sqs: SQSClient;
  callbacks: TaskCallbacks;
  queueUrl: string;
  /** Where malformed messages go; found from the queue's redrive policy when absent. */
  deadLetterQueueUrl?: string;
  concurrency: number;
  visibilitySeconds: number;
  heartbeatIntervalMs: number;
  /** How long stop() lets work in flight finish before abandoning it. */
  stopTimeoutMs: number;
  /**
   * Long-poll wait. Never longer than the stop timeout: a poll cut short by the client may still
   * take a message on the server side and hide it until its visibility timeout, so on SIGTERM the
   * worker lets its polls end by themselves, within the stop timeout, and releases what they bring.
   */
  waitTimeSeconds?: number;
  process: ProcessTask;
  log: Logger;
}

export type WorkerState = 'starting' | 'running' | 'stopping' | 'stopped';

export class QueueWorker {
  private state: WorkerState = 'starting';
  /** Receipts to make visible again once no poll of this worker is pending. */
  private readonly toRelease: string[] = [];
  /** Work in progress, by message id: aborted with ShutdownError when the stop timeout runs out. */
  private readonly inFlight = new Map<string, AbortController>();
  private slots: Promise<void>[] = [];
  private dlqUrl: string | undefined;
  private lastActivity = Date.now();

  constructor(private readonly o: QueueWorkerOptions) {}

  async start(): Promise<void> {
    this.dlqUrl = this.o.deadLetterQueueUrl ?? (await this.findDeadLetterQueue());
    if (!this.dlqUrl) this.o.log.warn('the worker queue has no dead-letter queue: malformed messages will be logged and deleted');
    this.state = 'running';
    this.slots = Array.from({ length: this.o.concurrency }, (_, i) => this.slot(i));
    this.o.log.info('worker started', { concurrency: this.o.concurrency });
  }

  status(): { state: WorkerState; inFlight: number; lastActivity: number } {
    return { state: this.state, inFlight: this.inFlight.size, lastActivity: this.lastActivity };
  }

  /**
   * Stops polling, lets work finish for up to stopTimeoutMs, abandons what is left, waits for the
   * last polls to return, then makes every unfinished message visible again at once.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.o.log.info('worker stopping', { inFlight: this.inFlight.size, stopTimeoutMs: this.o.stopTimeoutMs });
    const all = Promise.all(this.slots);
    const finished = await Promise.race([all.then(() => true), sleep(this.o.stopTimeoutMs, false, { ref: false })]);
    if (!finished) {
      for (const controller of this.inFlight.values()) controller.abort(new ShutdownError());
      await all;
    }
    await Promise.all(
      this.toRelease.splice(0).map((receipt) =>
        this.o.sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: receipt, VisibilityTimeout: 0 }))
          .catch((e) => this.o.log.error('could not release a message; it reappears after its visibility timeout', { error: e })),
      ),
    );
    this.state = 'stopped';
    this.o.log.info('worker stopped');
  }

  private get waitTimeSeconds(): number {
    return this.o.waitTimeSeconds ?? Math.min(20, Math.max(1, Math.floor(this.o.stopTimeoutMs / 1000) - 1));
  }

  private async slot(index: number): Promise<void> {
    let failures = 0;
    while (this.state === 'running') {
      let messages: Message[] = [];
      try {
        const r = await this.o.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.o.queueUrl,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: this.waitTimeSeconds,
            VisibilityTimeout: this.o.visibilitySeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        messages = r.Messages ?? [];
        if (this.state !== 'running') {
          // Received while stopping: another worker should have it.
          for (const m of messages) this.toRelease.push(m.ReceiptHandle!);
          break;
        }
        failures = 0;
        this.lastActivity = Date.now();
      } catch (err) {
        if (this.state !== 'running') break;
        failures += 1;
        this.o.log.error('receiving from the worker queue failed', { slot: index, error: err });
        await sleep(Math.min(5_000, 500 * 2 ** failures));
        continue;
      }
      for (const m of messages) await this.handle(m);
    }
  }

  private async handle(message: Message): Promise<void> {
    const id = message.MessageId ?? 'unknown';
    const receipt = message.ReceiptHandle!;
    const parsed = parseTask(message.Body);
    if (!parsed.ok) return this.rejectMalformed(message, parsed.reason, parsed.taskToken);
    const task = parsed.task;
    const log = this.o.log.child({ messageId: id, exportJobId: task.exportJobId, dialogGroupId: task.dialogGroupId, callId: task.callId });
    // One heartbeat before any work: a redelivered message whose task is already over is dropped
    // without downloading a byte.
    try {
      await this.o.callbacks.heartbeat(task.taskToken);
    } catch (err) {
      if (err instanceof TaskGoneError) return this.settleFailure(err, task, message.ReceiptHandle!, log);
      log.warn('first heartbeat failed; starting anyway', { error: err });
    }
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    const lease = keepMessageLeased({ sqs: this.o.sqs, queueUrl: this.o.queueUrl, receiptHandle: receipt, leaseSeconds: this.o.visibilitySeconds, log });
    const beats = keepTaskAlive({
      callbacks: this.o.callbacks,
      taskToken: task.taskToken,
      intervalMs: this.o.heartbeatIntervalMs,
      onGone: (err) => controller.abort(err),
      log,
    });
    const started = Date.now();
    log.info('download task started', { receiveCount: message.Attributes?.ApproximateReceiveCount });
    try {
      const result = await this.o.process(task, controller.signal, log);
      beats.stop();
      await this.o.callbacks.succeed(task.taskToken, result);
      log.info('download task succeeded', { key: result.key, sizeBytes: result.sizeBytes, ms: Date.now() - started });
      await this.delete(receipt, log);
    } catch (caught) {
      beats.stop();
      const err = controller.signal.aborted ? controller.signal.reason : caught;
      await this.settleFailure(err, task, receipt, log);
    } finally {
      beats.stop();
      lease.stop();
      this.inFlight.delete(id);
      this.lastActivity = Date.now();
    }
  }

  private async settleFailure(err: unknown, task: DownloadTask, receipt: string, log: Logger): Promise<void> {
    if (err instanceof TaskGoneError) {
      log.warn('Step Functions no longer waits for this task; work stopped and the message deleted', { reason: err.sfnError });
      await this.delete(receipt, log);
      return;
    }
    if (err instanceof ShutdownError) {
      log.warn('download abandoned for shutdown; the message is released for another worker');
      this.toRelease.push(receipt);
      return;
    }
    const named =
      err instanceof NamedError
        ? err
        : new NamedError(ErrorNames.DownloadFailed, `The download worker hit an unexpected error: ${(err as Error)?.message ?? String(err)}. The workflow may retry.`);
    log.error('download task failed', { error: named.name, cause: named.message });
    try {
      await this.o.callbacks.fail(task.taskToken, named.name, named.message);
      await this.delete(receipt, log);
    } catch (e) {
      if (e instanceof TaskGoneError) {
        await this.delete(receipt, log);
        return;
      }
      log.error('could not report the failure to Step Functions; the message will be retried after its visibility timeout', { error: e });
    }
  }

  private async rejectMalformed(message: Message, reason: string, taskToken: string | undefined): Promise<void> {
    const log = this.o.log.child({ messageId: message.MessageId });
    log.error('malformed worker message: moved to the dead-letter queue, not retried', { reason, deadLetterQueue: this.dlqUrl ?? 'none', body: this.dlqUrl ? undefined : message.Body?.slice(0, 4096) });
    if (taskToken) {
      // Otherwise the workflow would wait for its full download timeout.
      await this.o.callbacks
        .fail(taskToken, ErrorNames.DownloadFailed, `The worker could not use the download task message: ${reason}. Check notifyDownloadService's output.`)
        .catch((e) => log.warn('could not fail the task for the malformed message', { error: e }));
    }
    try {
      if (this.dlqUrl) {
        await this.o.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.dlqUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: { rejectedBecause: { DataType: 'String', StringValue: reason.slice(0, 1024) } },
          }),
        );
      }
      await this.delete(message.ReceiptHandle!, log);
    } catch (e) {
      log.error('could not move the malformed message; the queue redrive policy will move it', { error: e });
    }
  }

  private async delete(receipt: string, log: Logger): Promise<void> {
    await this.o.sqs
      .send(new DeleteMessageCommand({ QueueUrl: this.o.queueUrl, ReceiptHandle: receipt }))
      .catch((e) => log.error('could not delete the message; it may be processed again (the S3 key is deterministic)', { error: e }));
  }

  private async findDeadLetterQueue(): Promise<string | undefined> {
    const r = await this.o.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.o.queueUrl, AttributeNames: ['RedrivePolicy'] }));
    const policy = r.Attributes?.RedrivePolicy;
    if (!policy) return undefined;
    const arn = String((JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '');
    const [, , , , account, name] = arn.split(':');
    if (!name) return undefined;
    const q = await this.o.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
    return q.QueueUrl;
  }
}

type Parsed = { ok: true; task: DownloadTask } | { ok: false; reason: string; taskToken: string | undefined };

function parseTask(body: string | undefined): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'the body is not JSON', taskToken: undefined };
  }
  const r = DownloadTask.safeParse(json);
  if (r.success) return { ok: true, task: r.data };
  const token = (json as { taskToken?: unknown } | null)?.taskToken;
  return {
    ok: false,
    reason: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    taskToken: typeof token === 'string' && token.length > 0 ? token : undefined,
  };
}
