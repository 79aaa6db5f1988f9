import { expect } from 'chai';
import { rejectionOf } from '../support/rejection.ts';
import {
  SFNClient,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  GetExecutionHistoryCommand,
  StopExecutionCommand,
  SendTaskSuccessCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsApi, type StepFunctionsApi } from '../../local/sfn-api/server.ts';
import { lambdaResolver } from '../../local/integrations/lambda.ts';
import type { StepFunctionsEngine } from '../../local/engine/types.ts';
import { localAws } from '../support/services.ts';
import { createEngine, virtualClock } from './engine-fixture.ts';

const roleArn = 'arn:aws:iam::000000000000:role/local-sfn';

describe('Step Functions API (client-sfn over HTTP against the local engine)', function () {
  this.timeout(20_000);
  let engine: StepFunctionsEngine;
  let api: StepFunctionsApi;
  let sfn: SFNClient;
  /** Task tokens handed to the `awaitCallback` function, newest last. */
  const tokens: string[] = [];
  let tokenArrived: (() => void) | undefined;

  before(async () => {
    engine = await createEngine({
      clock: virtualClock(),
      resolvers: [
        lambdaResolver({
          functions: {
            awaitCallback: async (event: { token: string }) => {
              tokens.push(event.token);
              tokenArrived?.();
              return {};
            },
          },
        }),
      ],
    });
    api = await startStepFunctionsApi({ engine });
    sfn = new SFNClient({ ...localAws, endpoint: api.endpoint, maxAttempts: 1 });
  });
  after(async () => {
    sfn.destroy();
    await api.stop();
    await engine.close();
  });

  let counter = 0;
  async function machine(definition: object, name = `m${++counter}-${Date.now()}`): Promise<string> {
    const out = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn }));
    return out.stateMachineArn!;
  }
  async function finished(executionArn: string) {
    await engine.waitForExecution(executionArn);
    return sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  /** Starts an execution that stops on a callback task and resolves with its token once issued. */
  async function startCallback(stateMachineArn: string, name?: string) {
    const arrived = new Promise<void>((r) => (tokenArrived = r));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, ...(name ? { name } : {}), input: '{"n":1}' }));
    await arrived;
    return { executionArn: executionArn!, token: tokens.at(-1)! };
  }

  const passMachine = {
    StartAt: 'Hello',
    States: { Hello: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hi {}', $.who)" }, End: true } },
  };
  const callbackMachine = (extra: object = {}) => ({
    StartAt: 'Callback',
    States: {
      Callback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: 'awaitCallback', Payload: { 'token.$': '$$.Task.Token' } },
        ...extra,
        End: true,
      },
    },
  });

  describe('state machines', () => {
    it('CreateStateMachine then DescribeStateMachine returns the definition, role and dates', async () => {
      const name = `describe-${Date.now()}`;
      const created = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(passMachine), roleArn }));
      expect(created.stateMachineArn).to.match(new RegExp(`^arn:aws:states:[a-z0-9-]+:\\d{12}:stateMachine:${name}$`));
      expect(created.creationDate).to.be.instanceOf(Date);
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
      expect(described.name).to.equal(name);
      expect(JSON.parse(described.definition!)).to.deep.equal(passMachine);
      expect(described.roleArn).to.equal(roleArn);
      expect(described.type).to.equal('STANDARD');
      expect(described.status).to.equal('ACTIVE');
      expect(described.creationDate?.getTime()).to.equal(created.creationDate?.getTime());
    });

    it('CreateStateMachine is idempotent for the same definition and role, StateMachineAlreadyExists otherwise', async () => {
      const name = `idem-${Date.now()}`;
      const first = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(passMachine), roleArn }));
      const again = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(passMachine), roleArn }));
      expect(again.stateMachineArn).to.equal(first.stateMachineArn);
      expect(again.creationDate?.getTime()).to.equal(first.creationDate?.getTime());
      const other = { ...passMachine, Comment: 'changed' };
      const clash = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(other), roleArn })));
      expect(clash.name).to.equal('StateMachineAlreadyExists');
    });

    it('rejects a bad definition, a bad name, a missing role and EXPRESS with AWS error codes', async () => {
      const bad = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"Nope","States":{}}', roleArn })));
      expect(bad.name).to.equal('InvalidDefinition');
      expect(bad.$metadata?.httpStatusCode).to.equal(400);
      const badName = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: JSON.stringify(passMachine), roleArn })));
      expect(badName.name).to.equal('InvalidName');
      const noRole = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new CreateStateMachineCommand({ name: 'norole', definition: JSON.stringify(passMachine) } as never)),
      );
      expect(noRole.name).to.equal('ValidationException');
      expect(noRole.message).to.contain("'roleArn'");
      const express = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new CreateStateMachineCommand({ name: 'fast', definition: JSON.stringify(passMachine), roleArn, type: 'EXPRESS' })),
      );
      expect(express.name).to.equal('ValidationException');
    });

    it('DescribeStateMachine: malformed ARN is InvalidArn, unknown machine is StateMachineDoesNotExist', async () => {
      const malformed = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })));
      expect(malformed.name).to.equal('InvalidArn');
      const wrongType = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:execution:a:b' })),
      );
      expect(wrongType.name).to.equal('InvalidArn');
      const missing = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:ghost' })),
      );
      expect(missing.name).to.equal('StateMachineDoesNotExist');
    });
  });

  describe('executions', () => {
    it('StartExecution runs the machine; DescribeExecution reports output and dates', async () => {
      const stateMachineArn = await machine(passMachine);
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first', input: '{"who":"ana"}' }));
      expect(started.executionArn).to.equal(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:first`);
      expect(started.startDate).to.be.instanceOf(Date);
      const done = await finished(started.executionArn!);
      expect(done.status).to.equal('SUCCEEDED');
      expect(JSON.parse(done.output!)).to.deep.equal({ greeting: 'hi ana' });
      expect(JSON.parse(done.input!)).to.deep.equal({ who: 'ana' });
      expect(done.name).to.equal('first');
      expect(done.stateMachineArn).to.equal(stateMachineArn);
      expect(done.stopDate!.getTime()).to.be.at.least(done.startDate!.getTime());
      const lean = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn, includedData: 'METADATA_ONLY' }));
      expect(lean.status).to.equal('SUCCEEDED');
      expect(lean.input).to.equal(undefined);
      expect(lean.output).to.equal(undefined);
      expect(lean.inputDetails?.included).to.equal(false);
    });

    it('StartExecution is idempotent for a running execution with the same name and input, ExecutionAlreadyExists otherwise', async () => {
      const stateMachineArn = await machine(callbackMachine());
      const { executionArn, token } = await startCallback(stateMachineArn, 'once');
      const again = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"n":1}' }));
      expect(again.executionArn).to.equal(executionArn);
      const clash = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"n":2}' })));
      expect(clash.name).to.equal('ExecutionAlreadyExists');
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      await finished(executionArn);
      // Once closed, even the same input may not reuse the name.
      const closed = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"n":1}' })));
      expect(closed.name).to.equal('ExecutionAlreadyExists');
    });

    it('StartExecution rejects invalid input, names and ARNs', async () => {
      const stateMachineArn = await machine(passMachine);
      const input = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{not json' })));
      expect(input.name).to.equal('InvalidExecutionInput');
      const name = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a/b' })));
      expect(name.name).to.equal('InvalidName');
      const arn = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:::nope' })));
      expect(arn.name).to.equal('InvalidArn');
      const ghost = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:ghost' })),
      );
      expect(ghost.name).to.equal('StateMachineDoesNotExist');
    });

    it('DescribeExecution: unknown execution is ExecutionDoesNotExist, malformed ARN is InvalidArn', async () => {
      const missing = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:ghost:none' })),
      );
      expect(missing.name).to.equal('ExecutionDoesNotExist');
      const malformed = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:x' })));
      expect(malformed.name).to.equal('InvalidArn');
    });

    it('ListExecutions filters by status, lists newest first and pages with nextToken', async () => {
      const stateMachineArn = await machine(passMachine);
      const arns: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `e${i}`, input: '{"who":"p"}' }));
        await finished(executionArn!);
        arns.push(executionArn!);
      }
      const pages: string[][] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken }));
        pages.push(page.executions!.map((e) => e.executionArn!));
        expect(page.executions!.every((e) => e.status === 'SUCCEEDED' && e.startDate instanceof Date)).to.equal(true);
        nextToken = page.nextToken;
      } while (nextToken);
      expect(pages.map((p) => p.length)).to.deep.equal([2, 2, 1]);
      // Newest first (started at the same virtual instant, the later one still comes first).
      expect(pages.flat()).to.deep.equal([...arns].reverse());

      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
      expect(running.executions).to.deep.equal([]);
      const badToken = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken: 'bm9wZQ' })));
      expect(badToken.name).to.equal('InvalidToken');
    });

    it('StopExecution aborts a running execution with the given error and cause', async () => {
      const stateMachineArn = await machine(callbackMachine());
      const { executionArn } = await startCallback(stateMachineArn);
      const stopped = await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator.Stop', cause: 'no longer needed' }));
      expect(stopped.stopDate).to.be.instanceOf(Date);
      const done = await finished(executionArn);
      expect(done.status).to.equal('ABORTED');
      expect(done.error).to.equal('Operator.Stop');
      expect(done.cause).to.equal('no longer needed');
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
      expect(history.events?.[0]?.type).to.equal('ExecutionAborted');
    });
  });

  describe('GetExecutionHistory', () => {
    let executionArn: string;
    let all: HistoryEvent[];
    before(async () => {
      const stateMachineArn = await machine({
        StartAt: 'A',
        States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Wait', Seconds: 3600, Next: 'C' }, C: { Type: 'Succeed' } },
      });
      ({ executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"k":"v"}' })));
      await finished(executionArn);
      all = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
    });

    it('lists AWS event types with sequential ids and previousEventId links', () => {
      expect(all.map((e) => e.type)).to.deep.equal([
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        'WaitStateEntered',
        'WaitStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      expect(all.map((e) => e.id)).to.deep.equal(all.map((_, i) => i + 1));
      expect(all[0]!.previousEventId).to.equal(0);
      for (const e of all.slice(1)) expect(e.previousEventId).to.equal(e.id! - 1);
      expect(all.every((e) => e.timestamp instanceof Date)).to.equal(true);
      // The virtual clock jumped an hour for the Wait.
      expect(all[4]!.timestamp!.getTime() - all[3]!.timestamp!.getTime()).to.equal(3_600_000);
      expect(JSON.parse(all[0]!.executionStartedEventDetails!.input!)).to.deep.equal({ k: 'v' });
      expect(all[1]!.stateEnteredEventDetails?.name).to.equal('A');
    });

    it('pages forwards and backwards with maxResults and nextToken', async () => {
      const collect = async (reverseOrder: boolean) => {
        const ids: number[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder, nextToken }));
          expect(page.events!.length).to.be.at.most(3);
          ids.push(...page.events!.map((e) => e.id!));
          nextToken = page.nextToken;
        } while (nextToken);
        return ids;
      };
      expect(await collect(false)).to.deep.equal(all.map((e) => e.id));
      expect(await collect(true)).to.deep.equal(all.map((e) => e.id).reverse());
      const forward = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
      const misuse = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
        sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true, nextToken: forward.nextToken })),
      );
      expect(misuse.name).to.equal('InvalidToken');
    });

    it('leaves out input and output with includeExecutionData: false', async () => {
      const lean = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }))).events!;
      expect(lean.map((e) => e.type)).to.deep.equal(all.map((e) => e.type));
      expect(lean[0]!.executionStartedEventDetails?.input).to.equal(undefined);
      expect(lean.at(-1)!.executionSucceededEventDetails?.output).to.equal(undefined);
    });
  });

  describe('task tokens', () => {
    it('SendTaskSuccess completes the waiting task with the output', async () => {
      const stateMachineArn = await machine(callbackMachine());
      const { executionArn, token } = await startCallback(stateMachineArn);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"stored":"s3://b/k"}' }));
      const done = await finished(executionArn);
      expect(done.status).to.equal('SUCCEEDED');
      expect(JSON.parse(done.output!)).to.deep.equal({ stored: 's3://b/k' });
      // The task is closed now: a late callback is TaskTimedOut, as AWS answers.
      const late = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
      expect(late.name).to.equal('TaskTimedOut');
    });

    it('SendTaskFailure fails the task with the error and cause', async () => {
      const stateMachineArn = await machine(callbackMachine());
      const { executionArn, token } = await startCallback(stateMachineArn);
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'DownloadFailed', cause: 'archive was empty' }));
      const done = await finished(executionArn);
      expect(done.status).to.equal('FAILED');
      expect(done.error).to.equal('DownloadFailed');
      expect(done.cause).to.equal('archive was empty');
    });

    it('a task past its HeartbeatSeconds times out, and later callbacks get TaskTimedOut', async () => {
      const stateMachineArn = await machine(callbackMachine({ HeartbeatSeconds: 60 }));
      const { executionArn, token } = await startCallback(stateMachineArn);
      // The virtual clock jumps to the heartbeat deadline as soon as the engine is idle.
      const done = await finished(executionArn);
      expect(done.status).to.equal('FAILED');
      expect(done.error).to.equal('States.HeartbeatTimeout');
      const heartbeat = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
      expect(heartbeat.name).to.equal('TaskTimedOut');
    });

    it('a malformed token is InvalidToken, a token never issued is TaskDoesNotExist', async () => {
      const malformed = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })));
      expect(malformed.name).to.equal('InvalidToken');
      const foreign = `${Buffer.from('arn:aws:states:us-east-1:000000000000:execution:ghost:none').toString('base64url')}.${'0'.repeat(32)}`;
      const unknown = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new SendTaskFailureCommand({ taskToken: foreign })));
      expect(unknown.name).to.equal('TaskDoesNotExist');
    });

    it('SendTaskSuccess with output that is not JSON is InvalidOutput and leaves the task waiting', async () => {
      const stateMachineArn = await machine(callbackMachine());
      const { executionArn, token } = await startCallback(stateMachineArn);
      const bad = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })));
      expect(bad.name).to.equal('InvalidOutput');
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).to.equal('RUNNING');
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"fine"' }));
      expect((await finished(executionArn)).output).to.equal('"fine"');
    });
  });

  describe('wire protocol', () => {
    async function raw(target: string | undefined, body: string) {
      const res = await fetch(api.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
        body,
      });
      return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
    }

    it('answers malformed JSON and missing members with ValidationException', async () => {
      const malformed = await raw('AWSStepFunctions.DescribeExecution', '{"executionArn":');
      expect(malformed.status).to.equal(400);
      expect(malformed.body.__type).to.equal('ValidationException');
      const missing = await raw('AWSStepFunctions.StartExecution', '{}');
      expect(missing.body).to.deep.equal({
        __type: 'ValidationException',
        message: "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
      });
    });

    it('enforces the 256 KiB input limit and the page-size bound as AWS constraints', async () => {
      const stateMachineArn = await machine(passMachine);
      const big = JSON.stringify({ blob: 'x'.repeat(262_144) });
      const tooBig = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new StartExecutionCommand({ stateMachineArn, input: big })));
      expect(tooBig.name).to.equal('ValidationException');
      expect(tooBig.message).to.contain("at 'input'").and.to.contain('262144');
      const page = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1001 })));
      expect(page.name).to.equal('ValidationException');
      expect(page.message).to.contain("at 'maxResults'");
      const huge = await raw('AWSStepFunctions.StartExecution', JSON.stringify({ stateMachineArn, input: JSON.stringify('y'.repeat(2_000_000)) }));
      expect(huge.status).to.equal(400);
      expect(huge.body.__type).to.equal('ValidationException');
    });

    it('answers an unknown or missing action with UnknownOperationException', async () => {
      const unknown = await raw('AWSStepFunctions.DeleteEverything', '{}');
      expect(unknown.status).to.equal(400);
      expect(unknown.body.__type).to.equal('UnknownOperationException');
      expect((await raw(undefined, '{}')).body.__type).to.equal('UnknownOperationException');
    });

    it('sends dates as epoch seconds in AWS JSON 1.0', async () => {
      const stateMachineArn = await machine(passMachine);
      const res = await raw('AWSStepFunctions.DescribeStateMachine', JSON.stringify({ stateMachineArn }));
      expect(res.status).to.equal(200);
      expect(res.type).to.equal('application/x-amz-json-1.0');
      expect(res.body.creationDate).to.be.a('number');
      // Seconds, not milliseconds: a date in this century.
      expect(res.body.creationDate as number).to.be.within(946_684_800, 4_102_444_800);
    });
  });
});
