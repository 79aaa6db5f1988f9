/**
 * Time on the virtual clock: task and heartbeat timeouts fire at the right virtual instants, there is
 * no timeout where AWS has none, the machine's TimeoutSeconds, and the task-token API with AWS's errors.
 */
import { expect } from 'chai';
import type { VirtualClock} from '../../local/engine/index.ts';
import { type Engine, type TaskHandler, type TaskRequest } from '../../local/engine/index.ts';
import { harness, T0 } from './harness.ts';

const NOTIFY = 'arn:aws:states:::lambda:invoke';

interface Worker {
  /** Called with the token once the handler has returned; drives the callback on the virtual clock. */
  (token: string, engine: Engine, clock: VirtualClock): Promise<void>;
}

function callbackMachine(task: object): object {
  return {
    StartAt: 'Notify',
    States: {
      Notify: {
        Type: 'Task',
        Resource: `${NOTIFY}.waitForTaskToken`,
        Parameters: { 'token.$': '$$.Task.Token' },
        ...task,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  };
}

function withWorker(worker: Worker): ReturnType<typeof harness> {
  const handlers: Record<string, TaskHandler> = {};
  const h = harness(handlers);
  handlers[NOTIFY] = async (req: TaskRequest) => {
    void worker(req.taskToken!, h.engine, h.clock).catch(() => {});
    return { queued: true };
  };
  return h;
}

const sleep = (clock: VirtualClock, s: number): Promise<void> => clock.sleep(s * 1000);

describe('engine time: timeouts and heartbeats on the virtual clock', () => {
  it('a six-hour polling run finishes (in milliseconds of real time) at exactly six virtual hours', async () => {
    const r = await harness().run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { n: 0 }, Next: 'Wait' },
        Wait: { Type: 'Wait', Seconds: 300, Next: 'Count' },
        Count: { Type: 'Pass', Assign: { 'n.$': 'States.MathAdd($n, 1)' }, Next: 'More' },
        More: { Type: 'Choice', Choices: [{ Variable: '$n', NumericLessThan: 72, Next: 'Wait' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    expect(r.desc.status).to.equal('SUCCEEDED');
    expect(r.elapsedSeconds).to.equal(6 * 3600);
  });

  it('no heartbeat within HeartbeatSeconds: States.HeartbeatTimeout at exactly that instant', async () => {
    const h = withWorker(async () => {});
    const r = await h.run(callbackMachine({ HeartbeatSeconds: 600, TimeoutSeconds: 18_000 }));
    expect((r.output as { error: { Error: string } }).error.Error).to.equal('States.HeartbeatTimeout');
    expect(r.elapsedSeconds).to.equal(600);
    const timedOut = r.history.find((e) => e.type === 'TaskTimedOut')!;
    expect(timedOut.taskTimedOutEventDetails).to.include({ error: 'States.HeartbeatTimeout' });
    expect(timedOut.timestamp.getTime()).to.equal(T0 + 600_000);
  });

  it('heartbeats keep the task alive; the callback succeeds long after HeartbeatSeconds', async () => {
    const h = withWorker(async (token, engine, clock) => {
      for (let i = 0; i < 5; i++) {
        await sleep(clock, 500);
        engine.sendTaskHeartbeat(token);
      }
      await sleep(clock, 100);
      engine.sendTaskSuccess(token, '{"stored":"s3://b/k"}');
    });
    const r = await h.run(callbackMachine({ HeartbeatSeconds: 600, TimeoutSeconds: 18_000, ResultPath: '$.download' }), { call: 1 });
    expect(r.output).to.deep.equal({ call: 1, download: { stored: 's3://b/k' } });
    expect(r.elapsedSeconds).to.equal(2600);
    expect(r.history.map((e) => e.type).filter((t) => /^Task[A-Z][a-z]+$/.test(t))).to.deep.equal(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
  });

  it('TimeoutSeconds bounds the whole task even with heartbeats (States.Timeout at that instant)', async () => {
    const h = withWorker(async (token, engine, clock) => {
      for (;;) {
        await sleep(clock, 60);
        engine.sendTaskHeartbeat(token);
      }
    });
    const r = await h.run(callbackMachine({ HeartbeatSeconds: 120, TimeoutSeconds: 1000 }));
    expect((r.output as { error: { Error: string } }).error.Error).to.equal('States.Timeout');
    expect(r.elapsedSeconds).to.equal(1000);
  });

  it('TimeoutSecondsPath and HeartbeatSecondsPath read the input', async () => {
    const h = withWorker(async () => {});
    const r = await h.run(callbackMachine({ TimeoutSecondsPath: '$.timeout', HeartbeatSecondsPath: '$.hb' }), { timeout: 50, hb: 20 });
    expect(r.elapsedSeconds).to.equal(20);
    const scheduled = r.history.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails as Record<string, unknown>;
    expect(scheduled).to.include({ timeoutInSeconds: 50, heartbeatInSeconds: 20 });
  });

  it('without TimeoutSeconds a callback task waits as long as it takes (AWS has no default)', async () => {
    const h = withWorker(async (token, engine, clock) => {
      await sleep(clock, 30 * 24 * 3600);
      engine.sendTaskSuccess(token, '"late but fine"');
    });
    const r = await h.run(callbackMachine({}));
    expect(r.output).to.equal('late but fine');
    expect(r.elapsedSeconds).to.equal(30 * 24 * 3600);
  });

  it('a request-response handler that sleeps on req.clock lets TimeoutSeconds fire', async () => {
    let aborted = false;
    const h = harness({
      [NOTIFY]: async (req) => {
        req.signal.addEventListener('abort', () => (aborted = true));
        await req.clock.sleep(120_000);
        return 'too late';
      },
    });
    const r = await h.run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: NOTIFY, TimeoutSeconds: 60, End: true } } });
    expect([r.desc.status, r.desc.error, r.elapsedSeconds]).to.deep.equal(['FAILED', 'States.Timeout', 60]);
    expect(aborted).to.equal(true);
  });

  it('SendTaskFailure fails the task with the given error and cause', async () => {
    const h = withWorker(async (token, engine, clock) => {
      await sleep(clock, 5);
      engine.sendTaskFailure(token, 'DownloadFailed', 'the export URL answered 404');
    });
    const r = await h.run(callbackMachine({}));
    expect((r.output as { error: unknown }).error).to.deep.equal({ Error: 'DownloadFailed', Cause: 'the export URL answered 404' });
  });

  it("the machine's TimeoutSeconds times the execution out at that instant", async () => {
    const r = await harness().run({ TimeoutSeconds: 90, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
    expect([r.desc.status, r.desc.error, r.elapsedSeconds]).to.deep.equal(['TIMED_OUT', 'States.Timeout', 90]);
    expect(r.history.at(-1)!.type).to.equal('ExecutionTimedOut');
  });
});

describe('engine task-token API errors', () => {
  it('answers malformed, unknown and closed tokens as AWS does', async () => {
    let token = '';
    const h = withWorker(async (t, engine, clock) => {
      token = t;
      await sleep(clock, 1);
      expect(() => engine.sendTaskSuccess(t, 'not json')).to.throw().with.property('name', 'InvalidOutput');
      engine.sendTaskSuccess(t, '{}');
    });
    await h.run(callbackMachine({}));
    expect(() => h.engine.sendTaskSuccess('garbage', '{}')).to.throw().with.property('name', 'InvalidToken');
    const foreign = `${Buffer.from('arn:aws:states:us-east-1:123456789012:execution:x:y').toString('base64url')}.${'0'.repeat(32)}`;
    expect(() => h.engine.sendTaskHeartbeat(foreign)).to.throw().with.property('name', 'TaskDoesNotExist');
    expect(() => h.engine.sendTaskSuccess(token, '{}')).to.throw().with.property('name', 'TaskTimedOut');
    expect(() => h.engine.sendTaskFailure(token, 'E')).to.throw().with.property('name', 'TaskTimedOut');
  });
});
