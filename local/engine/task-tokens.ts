/**
 * Task tokens for `.waitForTaskToken`. A token names its execution so that, even after a restart,
 * a late callback is answered the way AWS answers it: TaskTimedOut for a task that is closed,
 * TaskDoesNotExist for a token this engine never issued, InvalidToken for a malformed one.
 */
import { randomBytes } from 'node:crypto';
import { SfnError } from './types.ts';

export type TokenOutcome = { kind: 'success'; output: unknown } | { kind: 'failure'; error: string; cause: string };

export interface TokenWaiter {
  executionArn: string;
  settle(outcome: TokenOutcome): void;
  heartbeat(): void;
}

const TOKEN_RE = /^([A-Za-z0-9_-]+)\.([0-9a-f]{32})$/;
const MAX_TOKEN_LENGTH = 1024;

export class TaskTokens {
  private readonly open = new Map<string, TokenWaiter>();

  issue(executionArn: string): string {
    return `${Buffer.from(executionArn, 'utf8').toString('base64url')}.${randomBytes(16).toString('hex')}`;
  }

  /** Registers the waiter for a token (again, when an execution resumes after a restart). */
  register(token: string, waiter: TokenWaiter): void {
    this.open.set(token, waiter);
  }

  close(token: string): void {
    this.open.delete(token);
  }

  /** Finds the open task for a callback, or throws the error AWS would return. */
  lookup(token: string, isKnownExecution: (arn: string) => boolean): TokenWaiter {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      throw new SfnError('InvalidToken', 'Invalid Token: the task token must be 1 to 1024 characters');
    const waiter = this.open.get(token);
    if (waiter) return waiter;
    const m = TOKEN_RE.exec(token);
    if (!m) throw new SfnError('InvalidToken', 'Invalid Token: the task token was not issued in this format by Step Functions');
    const arn = Buffer.from(m[1]!, 'base64url').toString('utf8');
    if (isKnownExecution(arn))
      throw new SfnError('TaskTimedOut', 'Task Timed Out: the task for this token has already completed, failed or timed out');
    throw new SfnError('TaskDoesNotExist', 'Task does not exist: no task was issued with this token');
  }
}
