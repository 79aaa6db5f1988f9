import type { Expr } from '../paths.ts';
import { Task } from '../states/task.ts';
import type { ResultProps } from '../states/retryable.ts';
import type { Template } from '../template.ts';
import { arnOf, queueUrl, type QueueRef } from './resource-ref.ts';

export interface SendMessageProps extends ResultProps {
  queue: QueueRef;
  /** An object is sent as its JSON text; a string as is; an Expr is read at run time. */
  messageBody: Template | Expr | string;
  messageGroupId?: string;
}

export function sqsSendMessage(name: string, props: SendMessageProps): Task {
  const { queue, messageBody, messageGroupId, ...rest } = props;
  return new Task(name, {
    ...rest,
    resource: 'arn:aws:states:::sqs:sendMessage',
    parameters: {
      QueueUrl: queueUrl(queue),
      MessageBody: messageBody,
      ...(messageGroupId ? { MessageGroupId: messageGroupId } : {}),
    },
    permissions: [{ actions: ['sqs:SendMessage'], resources: [arnOf(queue)] }],
  });
}
