/**
 * Variables (JSONPath): what `$` means inside Assign for each kind of state, that a block sees the
 * variables as they were when the state started, Choice-rule and Catch Assign, and Parallel/Map scoping.
 */
import { expect } from 'chai';
import { TaskFailure } from '../../local/engine/index.ts';
import { harness } from './harness.ts';

const SVC = 'arn:aws:states:::lambda:invoke';

describe('engine conformance: variables', () => {
  it('in a Task, `$` in Assign is the result after ResultSelector, and variables are read with `$name`', async () => {
    const h = harness({ [SVC]: async () => ({ Payload: { exportJobId: 'JOB-1', extra: true } }) });
    const r = await h.run({
      StartAt: 'Create',
      States: {
        Create: {
          Type: 'Task',
          Resource: SVC,
          ResultSelector: { 'jobId.$': '$.Payload.exportJobId' },
          Assign: { 'job.$': '$.jobId', polls: 0, 'inputWas.$': '$$.Execution.Input.call' },
          ResultPath: null,
          Next: 'Use',
        },
        Use: { Type: 'Pass', Parameters: { 'job.$': '$job', 'polls.$': '$polls', 'call.$': '$inputWas' }, End: true },
      },
    }, { call: 'C-1' });
    expect(r.output).to.deep.equal({ job: 'JOB-1', polls: 0, call: 'C-1' });
  });

  it('in a Pass, `$` is the result (Result or Parameters), else the effective input', async () => {
    const r = await harness().run({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { r: 1 }, Assign: { 'fromResult.$': '$.r' }, ResultPath: null, Next: 'B' },
        B: { Type: 'Pass', InputPath: '$.inner', Assign: { 'fromInput.$': '$.v' }, Next: 'C' },
        C: { Type: 'Pass', Parameters: { 'both.$': 'States.Array($fromResult, $fromInput)' }, End: true },
      },
    }, { inner: { v: 'x' } });
    expect(r.output).to.deep.equal({ both: [1, 'x'] });
  });

  it('an Assign block sees the values from before the state, so a swap works', async () => {
    const r = await harness().run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { a: 1, b: 2 }, Next: 'Swap' },
        Swap: { Type: 'Pass', Assign: { 'a.$': '$b', 'b.$': '$a' }, Next: 'Out' },
        Out: { Type: 'Pass', Parameters: { 'a.$': '$a', 'b.$': '$b' }, End: true },
      },
    });
    expect(r.output).to.deep.equal({ a: 2, b: 1 });
    const swap = r.history.find((e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'Swap')!;
    // AWS records the assigned values as JSON text.
    expect((swap.stateExitedEventDetails as { assignedVariables: unknown }).assignedVariables).to.deep.equal({ a: '2', b: '1' });
  });

  it('a Choice rule Assign applies when its rule matches, with `$` the Choice input', async () => {
    const r = await harness().run({
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Assign: { seen: 'state' },
          Choices: [
            { Variable: '$.status', StringEquals: 'FAILED', Assign: { 'why.$': '$.reason', seen: 'rule' }, Next: 'Out' },
          ],
          Default: 'Out',
        },
        Out: { Type: 'Pass', Parameters: { 'why.$': '$why', 'seen.$': '$seen' }, End: true },
      },
    }, { status: 'FAILED', reason: 'export failed' });
    expect(r.output).to.deep.equal({ why: 'export failed', seen: 'rule' });
  });

  it('a Catch Assign sees `$` as the error output and the state Assign does not run', async () => {
    const h = harness({ [SVC]: async () => { throw new TaskFailure('OCPAPIError', 'down'); } });
    const r = await h.run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { count: 1 }, Next: 'T' },
        T: {
          Type: 'Task',
          Resource: SVC,
          Assign: { count: 100 },
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Assign: { 'failure.$': '$.Error', 'count.$': 'States.MathAdd($count, 1)' }, Next: 'Out' }],
          End: true,
        },
        Out: { Type: 'Pass', Parameters: { 'failure.$': '$failure', 'count.$': '$count', 'err.$': '$.err.Cause' }, End: true },
      },
    });
    expect(r.output).to.deep.equal({ failure: 'OCPAPIError', count: 2, err: 'down' });
  });

  it('Parallel branches read outer variables; what they assign stays inside; the Parallel Assign sees the branch results', async () => {
    const r = await harness().run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { outer: 'o' }, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'B1', States: { B1: { Type: 'Pass', Assign: { inner: 'i1' }, Next: 'B1b' }, B1b: { Type: 'Pass', Parameters: { 'outer.$': '$outer', 'inner.$': '$inner' }, End: true } } },
            { StartAt: 'B2', States: { B2: { Type: 'Pass', Parameters: { 'outer.$': '$outer' }, End: true } } },
          ],
          Assign: { 'first.$': '$[0].inner' },
          Next: 'After',
        },
        After: { Type: 'Pass', Parameters: { 'first.$': '$first', 'outer.$': '$outer', 'branches.$': '$' }, End: true },
      },
    });
    expect(r.output).to.deep.equal({ first: 'i1', outer: 'o', branches: [{ outer: 'o', inner: 'i1' }, { outer: 'o' }] });
    const leaked = await harness().run({
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', Assign: { inner: 1 }, End: true } } }], Next: 'After' },
        After: { Type: 'Pass', Parameters: { 'inner.$': '$inner' }, End: true },
      },
    });
    expect(leaked.desc.error).to.equal('States.ParameterPathFailure');
  });

  it('Map iterations see outer variables', async () => {
    const r = await harness().run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { prefix: 'item-' }, Next: 'M' },
        M: { Type: 'Map', ItemProcessor: { StartAt: 'F', States: { F: { Type: 'Pass', Parameters: { 'v.$': "States.Format('{}{}', $prefix, $)" }, End: true } } }, End: true },
      },
    }, [1, 2]);
    expect(r.output).to.deep.equal([{ v: 'item-1' }, { v: 'item-2' }]);
  });

  it('Choice rules and Wait SecondsPath read variables', async () => {
    const r = await harness().run({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { polls: 3, delay: 30 }, Next: 'W' },
        W: { Type: 'Wait', SecondsPath: '$delay', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$polls', NumericLessThan: 6, Next: 'Under' }], Default: 'Over' },
        Under: { Type: 'Succeed' },
        Over: { Type: 'Succeed' },
      },
    });
    expect(r.entered).to.deep.equal(['Init', 'W', 'C', 'Under']);
    expect(r.elapsedSeconds).to.equal(30);
  });
});
