/**
 * The two leases a running task holds: the Step Functions heartbeat (or the state fails with
 * States.HeartbeatTimeout) and the SQS message's visibility (or another worker receives it).
 * Both are renewed at a third of their deadline, so one missed beat still leaves time for another.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TaskGoneError } from './errors.ts';
import type { Logger } from './log.ts';
import type { TaskCallbacks } from './task-callbacks.ts';

export interface Stoppable {
  stop(): void;
}

function every(intervalMs: number, beat: () => Promise<void>): Stoppable {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = async () => {
    await beat();
    if (!stopped) timer = setTimeout(loop, intervalMs);
  };
  timer = setTimeout(loop, intervalMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Sends SendTaskHeartbeat every `intervalMs`; calls onGone once Step Functions no longer knows the token. */
export function keepTaskAlive(args: { callbacks: TaskCallbacks; taskToken: string; intervalMs: number; onGone: (err: TaskGoneError) => void; log: Logger }): Stoppable {
  let gone = false;
  const handle = every(args.intervalMs, async () => {
    if (gone) return;
    try {
      await args.callbacks.heartbeat(args.taskToken);
      args.log.debug('heartbeat sent');
    } catch (err) {
      if (err instanceof TaskGoneError) {
        gone = true;
        args.onGone(err);
      } else {
        args.log.warn('heartbeat failed; will try again', { error: err });
      }
    }
  });
  return handle;
}

/** Keeps the message invisible while the task runs: renews to `leaseSeconds` every third of it. */
export function keepMessageLeased(args: { sqs: SQSClient; queueUrl: string; receiptHandle: string; leaseSeconds: number; log: Logger }): Stoppable {
  return every((args.leaseSeconds * 1000) / 3, async () => {
    try {
      await args.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: args.queueUrl, ReceiptHandle: args.receiptHandle, VisibilityTimeout: args.leaseSeconds }));
    } catch (err) {
      args.log.warn('could not extend the message visibility; another worker may receive it', { error: err });
    }
  });
}
