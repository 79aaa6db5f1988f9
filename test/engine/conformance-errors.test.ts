/**
 * Conformance, "Errors", "Retrying after an error" and "Fallback states": error matching order,
 * retry timing on the virtual clock, MaxAttempts 0, MaxDelaySeconds, jitter, catch output.
 */
import { expect } from 'chai';
import { TaskFailure, type HistoryEvent, type TaskHandler } from '../../local/engine/index.ts';
import { harness, LAMBDA, T0 } from './harness.ts';

const SVC = 'arn:aws:states:::lambda:invoke';

/** A handler that fails with the given errors in turn, then succeeds with the attempt number. */
function failing(errors: string[]): { handler: TaskHandler; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    handler: async (req) => {
      calls.push(req.clock.now());
      const e = errors[calls.length - 1];
      if (e) throw new TaskFailure(e, `attempt ${calls.length} failed with ${e}`);
      return { attempt: calls.length };
    },
  };
}

function task(extra: object): object {
  return { StartAt: 'T', States: { T: { Type: 'Task', Resource: SVC, ...extra, End: true }, Recovery: { Type: 'Pass', End: true } } };
}

function offsets(calls: number[]): number[] {
  return calls.map((t) => (t - T0) / 1000);
}

describe('engine conformance: errors, retry and catch', () => {
  it('retries on the spec schedule: IntervalSeconds 3, BackoffRate 1.5 -> 3 s then 4.5 s', async () => {
    const f = failing(['States.Timeout', 'States.Timeout']);
    const r = await harness({ [SVC]: f.handler }).run(task({ Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }] }));
    expect(r.desc.status).to.equal('SUCCEEDED');
    expect(offsets(f.calls)).to.deep.equal([0, 3, 7.5]);
  });

  it('keeps a separate attempt count per Retrier and stops when the matching one is exhausted (spec example)', async () => {
    const f = failing(['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB']);
    const r = await harness({ [SVC]: f.handler }).run(
      task({
        Retry: [
          { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 },
          { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
        ],
      }),
    );
    // ErrorA: +1 s, ErrorB: +2 s, ErrorC: +5 s, then ErrorB finds its Retrier used up.
    expect(offsets(f.calls)).to.deep.equal([0, 1, 3, 8]);
    expect(r.desc.status).to.equal('FAILED');
    expect(r.desc.error).to.equal('ErrorB');
  });

  it('MaxAttempts 0 never retries; the first matching Retrier wins even if a later one would retry', async () => {
    const f = failing(['Boom']);
    const r = await harness({ [SVC]: f.handler }).run(
      task({ Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'], MaxAttempts: 5 }] }),
    );
    expect(f.calls).to.have.length(1);
    expect(r.desc.error).to.equal('Boom');
  });

  it('defaults to 3 attempts at 1 s, 2 s, 4 s; MaxDelaySeconds caps the backoff', async () => {
    const f = failing(['E', 'E', 'E', 'E']);
    await harness({ [SVC]: f.handler }).run(task({ Retry: [{ ErrorEquals: ['E'] }] }));
    expect(offsets(f.calls)).to.deep.equal([0, 1, 3, 7]);
    const g = failing(['E', 'E', 'E', 'E']);
    await harness({ [SVC]: g.handler }).run(task({ Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 3, MaxDelaySeconds: 20 }] }));
    expect(offsets(g.calls)).to.deep.equal([0, 10, 30, 50]);
  });

  it('JitterStrategy FULL scales each interval by the random source', async () => {
    const f = failing(['E', 'E']);
    await harness({ [SVC]: f.handler }, { random: () => 0.25 }).run(task({ Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 8, JitterStrategy: 'FULL' }] }));
    expect(offsets(f.calls)).to.deep.equal([0, 2, 6]);
  });

  it('$$.State.RetryCount counts the retries', async () => {
    const seen: unknown[] = [];
    const h = harness({
      [SVC]: async (req) => {
        seen.push((req.parameters as { n: number }).n);
        if (seen.length < 3) throw new TaskFailure('E', 'again');
        return 'ok';
      },
    });
    await h.run(task({ Parameters: { 'n.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['E'] }] }));
    expect(seen).to.deep.equal([0, 1, 2]);
  });

  it('Catch puts {Error, Cause} at its ResultPath and goes to its Next (spec example)', async () => {
    const r = await harness({
      [SVC]: async () => {
        throw new TaskFailure('java.lang.Exception', 'something broke');
      },
    }).run(
      task({
        Catch: [
          { ErrorEquals: ['java.lang.Exception'], ResultPath: '$.error-info', Next: 'Recovery' },
          { ErrorEquals: ['States.ALL'], Next: 'Recovery' },
        ],
      }),
      { foo: 'bar' },
    );
    expect(r.entered).to.deep.equal(['T', 'Recovery']);
    expect(r.output).to.deep.equal({ foo: 'bar', 'error-info': { Error: 'java.lang.Exception', Cause: 'something broke' } });
  });

  it('an ordinary thrown error becomes Error = its name, Cause = its message', async () => {
    class OCPAPIError extends Error {
      override name = 'OCPAPIError';
    }
    const r = await harness({
      [SVC]: async () => {
        throw new OCPAPIError('export API answered 500');
      },
    }).run(task({ Catch: [{ ErrorEquals: ['OCPAPIError'], Next: 'Recovery' }] }));
    expect(r.output).to.deep.equal({ Error: 'OCPAPIError', Cause: 'export API answered 500' });
  });

  it('States.TaskFailed matches any error except States.Timeout', async () => {
    const h = harness({
      [SVC]: async () => {
        throw new TaskFailure('Custom', 'x');
      },
      [LAMBDA]: (req) => req.clock.sleep(5000).then(() => 'late'),
    });
    const caught = await h.run(task({ Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Recovery' }] }));
    expect(caught.desc.status).to.equal('SUCCEEDED');
    const timedOut = await h.run({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'R' }], End: true }, R: { Type: 'Pass', End: true } },
    });
    expect(timedOut.desc.error).to.equal('States.Timeout');
  });

  it('States.ALL does not catch States.Runtime', async () => {
    const r = await harness().run({
      StartAt: 'C',
      States: {
        C: { Type: 'Parallel', Branches: [{ StartAt: 'P', States: { P: { Type: 'Pass', OutputPath: '$.none', End: true } } }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'R' }], End: true },
        R: { Type: 'Pass', End: true },
      },
    });
    expect(r.desc.error).to.equal('States.Runtime');
  });

  it('a Fail state ends the execution with its Error and Cause (ErrorPath/CausePath too)', async () => {
    const h = harness();
    const a = await h.run({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'ErrorA', Cause: 'Kaiju attack' } } });
    expect([a.desc.status, a.desc.error, a.desc.cause]).to.deep.equal(['FAILED', 'ErrorA', 'Kaiju attack']);
    const b = await h.run({ StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('code {}', $.c)" } } }, { e: 'Dyn', c: 7 });
    expect([b.desc.error, b.desc.cause]).to.deep.equal(['Dyn', 'code 7']);
    expect(b.history.map((e: HistoryEvent) => e.type)).to.deep.equal(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('records TaskScheduled/Started/Failed per attempt with AWS detail names', async () => {
    const f = failing(['E']);
    const r = await harness({ [SVC]: f.handler }).run(task({ Retry: [{ ErrorEquals: ['E'] }] }));
    const types = r.history.map((e) => e.type);
    expect(types).to.deep.equal([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = r.history[4]!.taskFailedEventDetails as Record<string, string>;
    expect(failed).to.include({ resourceType: 'lambda', resource: 'invoke', error: 'E' });
    expect(r.history.every((e, i) => e.id === i + 1 && e.previousEventId === i)).to.equal(true);
  });
});
