import { expect } from 'chai';
import type { StepFunctionsEngine } from '../../local/engine/index.ts';
import { lambdaResolver } from '../../local/integrations/lambda.ts';
import { createEngine, virtualClock } from '../sfn-api/engine-fixture.ts';

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

class ExportError extends Error {
  override name = 'OCPAPIError';
}

describe('Lambda Tasks in a running machine (engine + local handlers)', () => {
  let engine: StepFunctionsEngine;
  let calls = 0;

  before(async () => {
    engine = await createEngine({
      clock: virtualClock(),
      resolvers: [
        lambdaResolver({
          functions: {
            double: async (e: { n: number }) => ({ n: e.n * 2 }),
            flaky: async () => {
              calls++;
              if (calls < 3) throw new ExportError(`attempt ${calls} refused`);
              return { attempts: calls };
            },
          },
        }),
      ],
    });
  });
  after(() => engine.close());

  async function run(definition: object, input: object) {
    const sm = engine.createStateMachine({ name: `lm-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, definition: JSON.stringify(definition) });
    const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn, input: JSON.stringify(input) });
    const done = await engine.waitForExecution(executionArn);
    return { done, history: engine.getExecutionHistory(executionArn) };
  }

  it('a function ARN Resource gets the state input and returns its result; history uses the LambdaFunction* events', async () => {
    const { done, history } = await run({ StartAt: 'Double', States: { Double: { Type: 'Task', Resource: fnArn('double'), End: true } } }, { n: 21 });
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output!)).to.deep.equal({ n: 42 });
    expect(history.map((e) => e.type)).to.include.members(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded']);
  });

  it('a handler error is retried by its name, and caught by its name with Lambda’s error document as Cause', async () => {
    calls = 0;
    const retried = await run(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Retry: [{ ErrorEquals: ['OCPAPIError'], IntervalSeconds: 5, MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      {},
    );
    expect(retried.done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(retried.done.output!)).to.deep.equal({ attempts: 3 });

    calls = 0;
    const caught = await run(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'flaky' },
            Catch: [{ ErrorEquals: ['OCPAPIError'], ResultPath: '$.error', Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      { call: 'C-1' },
    );
    const output = JSON.parse(caught.done.output!) as { call: string; error: { Error: string; Cause: string } };
    expect(output.call).to.equal('C-1');
    expect(output.error.Error).to.equal('OCPAPIError');
    expect(JSON.parse(output.error.Cause)).to.include({ errorType: 'OCPAPIError', errorMessage: 'attempt 1 refused' });
  });

  it('a machine naming a function that does not exist is rejected when it is created', () => {
    expect(() =>
      engine.createStateMachine({ name: 'ghost-fn', definition: JSON.stringify({ StartAt: 'X', States: { X: { Type: 'Task', Resource: fnArn('ghost'), End: true } } }) }),
    ).to.throw(/ghost/);
  });
});
