/**
 * Differential tests: the same machines on this engine and on aws-local-stepfunctions, comparing the
 * output and the sequence of states entered. Only features that library implements correctly are
 * used (no Assign, no explicit ResultPath "$", no task tokens, no timeouts); its Wait and Retry
 * pauses are overridden to zero so neither side waits real time.
 */
import { expect } from 'chai';
import { StateMachine } from 'aws-local-stepfunctions';
import { type TaskHandler } from '../../local/engine/index.ts';
import { harness } from './harness.ts';

type Work = (state: string, input: unknown, attempt: number) => unknown;

const fnArn = (state: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${state}`;

class WorkError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Every state name in the definition, recursively, by type. */
function statesOf(def: Record<string, unknown>, type: string, out: string[] = []): string[] {
  for (const [name, s] of Object.entries(def.States as Record<string, Record<string, unknown>>)) {
    if (s.Type === type) out.push(name);
    for (const b of (s.Branches as Record<string, unknown>[] | undefined) ?? []) statesOf(b, type, out);
    const proc = (s.ItemProcessor ?? s.Iterator) as Record<string, unknown> | undefined;
    if (proc) statesOf(proc, type, out);
  }
  return out;
}

function counter(work: Work): (state: string, input: unknown) => unknown {
  const attempts = new Map<string, number>();
  return (state, input) => {
    const n = (attempts.get(state) ?? 0) + 1;
    attempts.set(state, n);
    return work(state, input, n);
  };
}

async function onLibrary(def: Record<string, unknown>, input: unknown, work: Work): Promise<{ output?: unknown; error?: string; entered: string[] }> {
  const call = counter(work);
  const tasks = Object.fromEntries(statesOf(def, 'Task').map((s) => [s, async (i: unknown) => call(s, i)]));
  const waits = Object.fromEntries(statesOf(def, 'Wait').map((s) => [s, 0]));
  const retries = Object.fromEntries([...statesOf(def, 'Task'), ...statesOf(def, 'Parallel'), ...statesOf(def, 'Map')].map((s) => [s, 0]));
  const sm = new StateMachine(def as never, { validationOptions: { checkArn: false } });
  const exec = sm.run(input as never, { overrides: { taskResourceLocalHandlers: tasks as never, waitTimeOverrides: waits, retryIntervalOverrides: retries } });
  const entered: string[] = [];
  const collect = (async () => {
    for await (const ev of exec.eventLogs) {
      if (ev.type === 'StateEntered') entered.push(ev.state.name);
      if (ev.type === 'ExecutionSucceeded' || ev.type === 'ExecutionFailed' || ev.type === 'ExecutionAborted') break;
    }
  })();
  try {
    const output = await exec.result;
    await collect;
    return { output, entered };
  } catch (e) {
    await collect;
    // The library wraps the ASL error in an ExecutionError; the ASL error is its cause.
    const err = e as { name?: string; cause?: { name?: string } };
    return { error: err.cause?.name ?? err.name, entered };
  }
}

async function onOurs(def: Record<string, unknown>, input: unknown, work: Work): Promise<{ output?: unknown; error?: string; entered: string[] }> {
  const call = counter(work);
  const handlers: Record<string, TaskHandler> = {};
  for (const s of statesOf(def, 'Task')) handlers[fnArn(s)] = async (req) => call(req.stateName, req.parameters);
  const r = await harness(handlers).run(def, input);
  return r.desc.status === 'SUCCEEDED' ? { output: r.output, entered: r.entered } : { error: r.desc.error, entered: r.entered };
}

function task(name: string, extra: object = {}): Record<string, unknown> {
  return { Type: 'Task', Resource: fnArn(name), ...extra };
}

const cases: { title: string; def: Record<string, unknown>; inputs: unknown[]; work: Work; ordered?: boolean }[] = [
  {
    title: 'data flow: InputPath, Parameters, ResultSelector, ResultPath, OutputPath',
    def: {
      StartAt: 'Create',
      States: {
        Create: task('Create', { InputPath: '$.call', Parameters: { 'id.$': '$.id', fixed: 1 }, ResultSelector: { 'job.$': '$.jobId' }, ResultPath: '$.created', Next: 'Shape' }),
        Shape: { Type: 'Pass', Parameters: { 'job.$': '$.created.job', 'call.$': '$.call', 'tag.$': "States.Format('job-{}', $.created.job)" }, Next: 'Out' },
        Out: { Type: 'Pass', OutputPath: '$.job', End: true },
      },
    },
    inputs: [{ call: { id: 'C-1' } }, { call: { id: 'C-2', more: [1, 2] } }],
    work: (_s, input) => ({ jobId: `JOB-${(input as { id: string }).id}`, ignored: true }),
  },
  {
    title: 'polling loop: Wait, Task, Choice until COMPLETED or the poll limit',
    def: {
      StartAt: 'Init',
      States: {
        // The input carries polls: 0 because the library mishandles a falsy Pass Result under a ResultPath.
        Init: { Type: 'Pass', Next: 'Wait' },
        Wait: { Type: 'Wait', Seconds: 300, Next: 'Check' },
        Check: task('Check', { Parameters: { 'polls.$': '$.polls', 'doneAt.$': '$.doneAt' }, ResultPath: '$.check', Next: 'Count' }),
        Count: { Type: 'Pass', Parameters: { 'polls.$': '$.check.polls', 'doneAt.$': '$.doneAt', 'status.$': '$.check.status' }, Next: 'Route' },
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.status', StringEquals: 'COMPLETED', Next: 'Done' },
            { And: [{ Variable: '$.status', StringEquals: 'IN_PROGRESS' }, { Variable: '$.polls', NumericLessThan: 4 }], Next: 'Wait' },
          ],
          Default: 'GaveUp',
        },
        Done: { Type: 'Succeed' },
        GaveUp: { Type: 'Fail', Error: 'MaxPolls', Cause: 'still exporting' },
      },
    },
    inputs: [{ polls: 0, doneAt: 1 }, { polls: 0, doneAt: 3 }, { polls: 0, doneAt: 9 }],
    work: (_s, input) => {
      const { polls, doneAt } = input as { polls: number; doneAt: number };
      return { polls: polls + 1, status: polls + 1 >= doneAt ? 'COMPLETED' : 'IN_PROGRESS' };
    },
  },
  {
    title: 'retry then catch: error names, ErrorEquals order, catch output',
    def: {
      StartAt: 'Flaky',
      States: {
        Flaky: task('Flaky', {
          Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 2, MaxAttempts: 2 }],
          Catch: [
            { ErrorEquals: ['Fatal'], ResultPath: '$.error', Next: 'Record' },
            { ErrorEquals: ['States.ALL'], ResultPath: '$.other', Next: 'Record' },
          ],
          ResultPath: '$.result',
          Next: 'Record',
        }),
        Record: { Type: 'Pass', End: true },
      },
    },
    inputs: [{ fail: ['Throttled'] }, { fail: ['Throttled', 'Throttled', 'Throttled'] }, { fail: ['Throttled', 'Fatal'] }, { fail: [] }],
    work: (_s, input, attempt) => {
      const e = (input as { fail: string[] }).fail[attempt - 1];
      if (e) throw new WorkError(e, `attempt ${attempt}`);
      return { attempt };
    },
  },
  {
    title: 'Map with ItemsPath, ItemSelector and a task per item',
    def: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemSelector: { 'value.$': '$$.Map.Item.Value', 'owner.$': '$.owner' },
          Iterator: { StartAt: 'Double', States: { Double: task('Double', { End: true }) } },
          ResultPath: '$.doubled',
          End: true,
        },
      },
    },
    inputs: [{ owner: 'a', items: [1, 2, 3] }, { owner: 'b', items: [] }],
    work: (_s, input) => ({ owner: (input as { owner: string }).owner, v: (input as { value: number }).value * 2 }),
  },
  {
    title: 'Parallel branches with a failing branch caught on the Parallel',
    def: {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: task('Left', { End: true }) } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', Parameters: { 'r.$': '$.n' }, End: true } } },
          ],
          ResultSelector: { 'left.$': '$[0]', 'right.$': '$[1].r' },
          Catch: [{ ErrorEquals: ['LeftBroke'], ResultPath: '$.caught', Next: 'Caught' }],
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
        Caught: { Type: 'Pass', End: true },
      },
    },
    inputs: [{ n: 1 }, { n: 2, breakLeft: true }],
    ordered: false,
    work: (_s, input) => {
      if ((input as { breakLeft?: boolean }).breakLeft) throw new WorkError('LeftBroke', 'left branch failed');
      return 'left';
    },
  },
];

describe('engine differential: same machines on aws-local-stepfunctions', () => {
  for (const c of cases) {
    for (const input of c.inputs) {
      it(`${c.title} :: ${JSON.stringify(input)}`, async () => {
        const theirs = await onLibrary(c.def, input, c.work);
        const ours = await onOurs(c.def, input, c.work);
        expect(ours.error).to.equal(theirs.error);
        expect(ours.output).to.deep.equal(theirs.output);
        if (c.ordered === false) expect([...ours.entered].sort()).to.deep.equal([...theirs.entered].sort());
        else expect(ours.entered).to.deep.equal(theirs.entered);
      });
    }
  }
});
