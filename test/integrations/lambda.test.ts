import { expect } from 'chai';
import type { Context } from 'aws-lambda';
import { TaskFailure, type TaskHandler } from '../../local/engine/types.ts';
import { lambdaResolver, type LambdaHandler } from '../../local/integrations/lambda.ts';
import { projectLambdaFunctions } from '../../local/integrations/project-functions.ts';
import { FunctionNames } from '../../system/functions.ts';
import { VirtualClock } from '../../local/engine/index.ts';
import { taskRequest } from './task-request.ts';

const invoke = 'arn:aws:states:::lambda:invoke';
const arnOf = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

function handlerFor(resolver: ReturnType<typeof lambdaResolver>, resource: string): TaskHandler {
  const handler = resolver.resolve(resource);
  if (!handler) throw new Error(`no handler for ${resource}`);
  return handler;
}

async function failureOf(p: Promise<unknown>): Promise<TaskFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the task to fail').to.be.instanceOf(TaskFailure);
  return err as TaskFailure;
}

describe('Lambda integration (local handlers)', () => {
  it('lambda:invoke passes the Payload through JSON and answers with the optimised result shape', async () => {
    let seen: { event: unknown; context: Context } | undefined;
    const echo: LambdaHandler = async (event, context) => {
      seen = { event, context };
      return { got: event, at: new Date(Date.UTC(2024, 0, 2)), dropped: undefined };
    };
    const resolver = lambdaResolver({ functions: { echo: { handler: echo, timeoutSeconds: 30 } } });
    const result = (await handlerFor(resolver, invoke)(
      taskRequest(invoke, { FunctionName: arnOf('echo'), Payload: { a: 1, nested: { b: [true, null] } } }),
    )) as Record<string, unknown>;

    expect(result.StatusCode).to.equal(200);
    expect(result.ExecutedVersion).to.equal('$LATEST');
    expect(result.Payload).to.deep.equal({ got: { a: 1, nested: { b: [true, null] } }, at: '2024-01-02T00:00:00.000Z' });
    expect(result.SdkHttpMetadata).to.have.property('HttpStatusCode', 200);
    expect(result.SdkResponseMetadata).to.have.property('RequestId').that.is.a('string');

    expect(seen?.context.functionName).to.equal('echo');
    expect(seen?.context.invokedFunctionArn).to.equal(arnOf('echo'));
    expect(seen?.context.awsRequestId).to.equal((result.SdkResponseMetadata as { RequestId: string }).RequestId);
    const remaining = seen!.context.getRemainingTimeInMillis();
    expect(remaining).to.be.greaterThan(0).and.at.most(30_000);
  });

  it('finds a function by name, name:qualifier, partial ARN or full ARN, and reports the executed version', async () => {
    const resolver = lambdaResolver({ functions: { [arnOf('f')]: async () => 'ok' } });
    const run = handlerFor(resolver, invoke);
    for (const FunctionName of ['f', 'f:7', '000000000000:function:f', arnOf('f'), `${arnOf('f')}:live`]) {
      const result = (await run(taskRequest(invoke, { FunctionName }))) as Record<string, unknown>;
      expect(result.Payload, FunctionName).to.equal('ok');
      expect(result.ExecutedVersion, FunctionName).to.equal(FunctionName === 'f:7' ? '7' : '$LATEST');
    }
  });

  it('a plain function ARN Resource answers with the result itself and receives the Parameters as event', async () => {
    const resolver = lambdaResolver({ functions: { add: async (e: { a: number; b: number }) => e.a + e.b } });
    const result = await handlerFor(resolver, arnOf('add'))(taskRequest(arnOf('add'), { a: 2, b: 3 }));
    expect(result).to.equal(5);
  });

  it('an unknown function ARN Resource is not resolved (a load-time error), an unknown FunctionName fails the task', async () => {
    const resolver = lambdaResolver({ functions: { known: async () => 1 } });
    expect(resolver.resolve(arnOf('unknown'))).to.equal(undefined);
    expect(resolver.resolve('arn:aws:states:::sns:publish')).to.equal(undefined);
    const failure = await failureOf(handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'unknown' })));
    expect(failure.error).to.equal('Lambda.ResourceNotFoundException');
    expect(failure.causeText).to.contain(arnOf('unknown'));
  });

  it('a thrown error fails the task with its name and Lambda’s error document as Cause', async () => {
    class OcpError extends Error {
      override name = 'OCPAPIError';
    }
    const resolver = lambdaResolver({
      functions: {
        boom: async () => {
          throw new OcpError('export service answered 500');
        },
        raw: async () => {
          throw 'plain string';
        },
      },
    });
    const failure = await failureOf(handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'boom' })));
    expect(failure.error).to.equal('OCPAPIError');
    const cause = JSON.parse(failure.causeText) as { errorMessage: string; errorType: string; trace: string[] };
    expect(Object.keys(cause)).to.deep.equal(['errorMessage', 'errorType', 'trace']);
    expect(cause.errorMessage).to.equal('export service answered 500');
    expect(cause.errorType).to.equal('OCPAPIError');
    expect(cause.trace[0]).to.contain('export service answered 500');

    const plain = await failureOf(handlerFor(resolver, arnOf('raw'))(taskRequest(arnOf('raw'), {})));
    expect(plain.error).to.equal('string');
    expect(JSON.parse(plain.causeText)).to.deep.equal({ errorMessage: 'plain string', errorType: 'string', trace: [] });
  });

  it('a handler that outlives its timeout fails with Sandbox.Timedout', async () => {
    const resolver = lambdaResolver({ functions: { slow: { handler: () => new Promise(() => undefined), timeoutSeconds: 0.02 } } });
    const failure = await failureOf(handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'slow' })));
    expect(failure.error).to.equal('Sandbox.Timedout');
    expect(JSON.parse(failure.causeText).errorMessage).to.match(/Task timed out after 0\.02 seconds/);
  });

  it('under the virtual clock, real work inside a handler takes no virtual time, so it cannot hit the Lambda timeout', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const resolver = lambdaResolver({
      functions: {
        io: {
          timeoutSeconds: 1,
          handler: async (_e: unknown, context: Context) => {
            await new Promise((r) => setTimeout(r, 30));
            return context.getRemainingTimeInMillis();
          },
        },
      },
    });
    const result = (await handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'io' }, { clock }))) as { Payload: number };
    expect(result.Payload).to.equal(1000);
    expect(clock.now()).to.equal(Date.UTC(2026, 0, 1));
  });

  it('stops waiting when the task is aborted (state timeout or execution stopped)', async () => {
    const resolver = lambdaResolver({ functions: { hang: { handler: () => new Promise(() => undefined), timeoutSeconds: 900 } } });
    const abort = new AbortController();
    const pending = handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'hang' }, { signal: abort.signal }));
    abort.abort(new Error('state timed out'));
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).message).to.equal('state timed out');
  });

  it('loads a lazy handler once, and reports a module that fails to import as Runtime.ImportModuleError', async () => {
    let loads = 0;
    const resolver = lambdaResolver({
      functions: {
        lazy: { load: async () => (loads++, async () => 'loaded') },
        broken: {
          load: async () => {
            throw new Error('Cannot find module runtime/handlers/broken.ts');
          },
        },
      },
    });
    const run = handlerFor(resolver, invoke);
    await run(taskRequest(invoke, { FunctionName: 'lazy' }));
    const second = (await run(taskRequest(invoke, { FunctionName: 'lazy' }))) as { Payload: unknown };
    expect(second.Payload).to.equal('loaded');
    expect(loads).to.equal(1);
    const failure = await failureOf(run(taskRequest(invoke, { FunctionName: 'broken' })));
    expect(failure.error).to.equal('Runtime.ImportModuleError');
    expect(failure.causeText).to.contain('Cannot find module');
  });

  it('InvocationType Event answers 202 at once and runs the handler on its own', async () => {
    let release!: () => void;
    const ran = new Promise<void>((r) => (release = r));
    const resolver = lambdaResolver({ functions: { bg: async () => release() } });
    const result = (await handlerFor(resolver, invoke)(taskRequest(invoke, { FunctionName: 'bg', InvocationType: 'Event' }))) as Record<string, unknown>;
    expect(result.StatusCode).to.equal(202);
    expect(result.Payload).to.equal('');
    await ran;
  });

  it('rejects Parameters without FunctionName as a Lambda service error', async () => {
    const resolver = lambdaResolver({ functions: {} });
    const failure = await failureOf(handlerFor(resolver, invoke)(taskRequest(invoke, { Payload: {} })));
    expect(failure.error).to.equal('Lambda.AWSLambdaException');
    expect(failure.causeText).to.contain('FunctionName');
  });

  it('builds the project’s functions from system/functions.ts under their physical names, with injected handlers', async () => {
    const functions = projectLambdaFunctions({
      physicalName: (name) => `recon-dev-${name}`,
      handlers: { checkExportStatus: async () => ({ status: 'COMPLETED' }) },
      timeoutSeconds: { checkExportStatus: 10 },
    });
    expect(Object.keys(functions)).to.have.members(FunctionNames.map((n) => `recon-dev-${n}`));
    expect(functions['recon-dev-checkExportStatus']?.timeoutSeconds).to.equal(10);
    expect(functions['recon-dev-trigger']?.load).to.be.a('function');
    const resolver = lambdaResolver({ functions });
    const result = (await handlerFor(resolver, invoke)(
      taskRequest(invoke, { FunctionName: arnOf('recon-dev-checkExportStatus'), Payload: {} }),
    )) as { Payload: unknown };
    expect(result.Payload).to.deep.equal({ status: 'COMPLETED' });
  });

  it('imports each real handler module of runtime/handlers on demand', async () => {
    const functions = projectLambdaFunctions();
    for (const name of FunctionNames) {
      const handler = await functions[name]!.load!();
      expect(handler, name).to.be.a('function');
    }
  });
});
