/**
 * The worker's side of `.waitForTaskToken`: success, failure and heartbeats for one task token.
 * Step Functions' TaskTimedOut, TaskDoesNotExist and InvalidToken all mean nobody is waiting any
 * more; they become TaskGoneError so the caller stops work instead of retrying.
 */
import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DownloadResult } from '../../runtime/contracts.ts';
import { TaskGoneError } from './errors.ts';

const goneErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
/** SendTaskFailure limits: error 256 characters, cause 32,768. */
const maxError = 256;
const maxCause = 32_768;

export class TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  async heartbeat(taskToken: string): Promise<void> {
    await this.call(() => this.sfn.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  async succeed(taskToken: string, result: DownloadResult): Promise<void> {
    const output = JSON.stringify(DownloadResult.parse(result));
    await this.call(() => this.sfn.send(new SendTaskSuccessCommand({ taskToken, output })));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.call(() => this.sfn.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, maxError), cause: cause.slice(0, maxCause) })));
  }

  private async call(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (err) {
      const name = (err as Error).name;
      if (goneErrors.has(name)) throw new TaskGoneError(name);
      throw err;
    }
  }
}
