/**
 * The kill-and-restart proof: the CLI runs in a child process with a data folder; it is SIGKILLed
 * while an execution waits, a new process on the same folder resumes the execution, and it
 * finishes with the right output and a history without gaps or repeats.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  SFNClient} from '@aws-sdk/client-sfn';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localAws, sqsS3Local } from '../support/services.ts';
import { kill, started, startCli, until } from './cli-process.ts';

const roleArn = 'arn:aws:iam::000000000000:role/local-sfn';

async function history(sfn: SFNClient, executionArn: string) {
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events;
}

describe('kill -9 and restart of the local Step Functions process', function () {
  this.timeout(60_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'h3-sfn-restart-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map(kill));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes an execution killed during a Wait and finishes it with the right output and history', async () => {
    const first = await startCli(dataDir);
    expect(first.resumed).to.equal(0);
    const { stateMachineArn } = await first.sfn.send(
      new CreateStateMachineCommand({
        name: 'waiter',
        roleArn,
        definition: JSON.stringify({
          StartAt: 'Prepare',
          States: {
            Prepare: { Type: 'Pass', Result: { prepared: true }, ResultPath: '$.prep', Next: 'Hold' },
            Hold: { Type: 'Wait', Seconds: 3, Next: 'Finish' },
            Finish: { Type: 'Pass', Parameters: { 'call.$': '$.call', 'prep.$': '$.prep', finished: true }, End: true },
          },
        }),
      }),
    );
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'long', input: '{"call":"CALL-1"}' }));
    await until(async () => ((await history(first.sfn, executionArn!)).some((e) => e.type === 'WaitStateEntered') ? true : undefined), 'the Wait to start');
    await kill(first);

    const second = await startCli(dataDir);
    expect(second.resumed).to.equal(1);
    const done = await until(async () => {
      const d = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to finish');
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output!)).to.deep.equal({ call: 'CALL-1', prep: { prepared: true }, finished: true });

    const events = await history(second.sfn, executionArn!);
    expect(events.map((e) => e.type)).to.deep.equal([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).to.deep.equal(events.map((_, i) => i + 1));
    // The Wait lasted its three seconds across the restart, not more than once.
    const entered = events[3]!.timestamp!.getTime();
    const exited = events[4]!.timestamp!.getTime();
    expect(exited - entered).to.be.at.least(3000);
  });

  it('keeps a task token valid across the restart: the new process accepts the callback', async () => {
    const { endpoint: sqsEndpoint } = await sqsS3Local();
    const sqs = new SQSClient({ ...localAws, endpoint: sqsEndpoint });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `h3-restart-${Date.now()}` }));
    const first = await startCli(dataDir, ['--sqs-endpoint', sqsEndpoint]);
    const { stateMachineArn } = await first.sfn.send(
      new CreateStateMachineCommand({
        name: 'callback',
        roleArn,
        definition: JSON.stringify({
          StartAt: 'Notify',
          States: {
            Notify: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: { QueueUrl, MessageBody: { 'token.$': '$$.Task.Token', 'call.$': '$.call' } },
              ResultPath: '$.worker',
              End: true,
            },
          },
        }),
      }),
    );
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"call":"CALL-2"}' }));
    const message = await until(async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }));
      return got.Messages?.[0];
    }, 'the worker message', 20);
    const { token } = JSON.parse(message.Body!) as { token: string };
    // Kill once the engine has recorded the hand-off (TaskSubmitted), i.e. while it waits for the callback.
    await until(async () => ((await history(first.sfn, executionArn!)).some((e) => e.type === 'TaskSubmitted') ? true : undefined), 'the task to be submitted');
    await kill(first);

    const second = await startCli(dataDir, ['--sqs-endpoint', sqsEndpoint]);
    expect(second.resumed).to.equal(1);
    await second.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"stored":"s3://b/CALL-2.wav"}' }));
    const done = await until(async () => {
      const d = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to finish');
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output!)).to.deep.equal({ call: 'CALL-2', worker: { stored: 's3://b/CALL-2.wav' } });
    const types = (await history(second.sfn, executionArn!)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskScheduled')).to.have.length(1, 'the message was sent once, not again on resume');
    expect(types.at(-1)).to.equal('ExecutionSucceeded');
    sqs.destroy();
  });
});
