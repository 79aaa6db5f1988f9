/**
 * Conformance, Amazon States Language "Input and Output Processing" and "Paths": the specification's
 * own examples for InputPath, Parameters, ResultSelector, ResultPath, OutputPath and the context object.
 */
import { expect } from 'chai';
import type { TaskRequest } from '../../local/engine/index.ts';
import { harness, LAMBDA, single, T0 } from './harness.ts';

const add = async (req: TaskRequest): Promise<unknown> => {
  const p = req.parameters as { val1: number; val2: number };
  return p.val1 + p.val2;
};

describe('engine conformance: input and output processing', () => {
  it('InputPath selects the numbers, ResultPath places the sum beside them (spec example)', async () => {
    const h = harness({ [LAMBDA]: add });
    const r = await h.run(single({ Type: 'Task', Resource: LAMBDA, InputPath: '$.numbers', ResultPath: '$.sum', OutputPath: '$' }), {
      title: 'Numbers to add',
      numbers: { val1: 3, val2: 4 },
    });
    expect(r.output).to.deep.equal({ title: 'Numbers to add', numbers: { val1: 3, val2: 4 }, sum: 7 });
  });

  it('Parameters builds nested objects from paths, including a slice (spec example)', async () => {
    const h = harness();
    const r = await h.run(
      single({ Type: 'Pass', Parameters: { flagged: true, parts: { 'first.$': '$.vals[0]', 'last3.$': '$.vals[-3:]' } } }),
      { flagged: 7, vals: [0, 10, 20, 30, 40, 50] },
    );
    expect(r.output).to.deep.equal({ flagged: true, parts: { first: 0, last3: [30, 40, 50] } });
  });

  it('ResultSelector reshapes the raw result before ResultPath (spec example)', async () => {
    const emr = 'arn:aws:states:::elasticmapreduce:createCluster';
    const h = harness({
      [emr]: async () => ({
        resourceType: 'elasticmapreduce',
        resource: 'createCluster.sync',
        output: { SdkHttpMetadata: { HttpStatusCode: 200 }, ClusterId: 'AKIAIOSFODNN7EXAMPLE' },
      }),
    });
    const r = await h.run(
      single({ Type: 'Task', Resource: emr, ResultSelector: { 'ClusterId.$': '$.output.ClusterId', 'ResourceType.$': '$.resourceType' }, ResultPath: '$.EMROutput' }),
      { keep: 1 },
    );
    expect(r.output).to.deep.equal({ keep: 1, EMROutput: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', ResourceType: 'elasticmapreduce' } });
  });

  describe('ResultPath', () => {
    const input = { master: { detail: [1, 2, 3] } };
    const pass = (resultPath: string | null, result: unknown = 'Hello'): object => single({ Type: 'Pass', Result: result, ResultPath: resultPath });

    it('"$" (and absent) replaces the input with the result', async () => {
      const h = harness();
      expect((await h.run(pass('$'), input)).output).to.equal('Hello');
      expect((await h.run(single({ Type: 'Pass', Result: 'Hello' }), input)).output).to.equal('Hello');
    });

    it('null discards the result and passes the input through', async () => {
      expect((await harness().run(pass(null), input)).output).to.deep.equal(input);
    });

    it('replaces an existing node (spec: $.master.detail)', async () => {
      expect((await harness().run(pass('$.master.detail'), input)).output).to.deep.equal({ master: { detail: 'Hello' } });
    });

    it('creates missing intermediate objects (spec: $.master.result.sum)', async () => {
      expect((await harness().run(pass('$.master.result.sum', 6), input)).output).to.deep.equal({ master: { detail: [1, 2, 3], result: { sum: 6 } } });
    });

    it('fails with States.ResultPathMatchFailure when the input is not an object', async () => {
      const r = await harness().run(pass('$.x'), 'just a string');
      expect(r.desc.status).to.equal('FAILED');
      expect(r.desc.error).to.equal('States.ResultPathMatchFailure');
    });

    it('does not mutate data shared with other branches', async () => {
      const r = await harness().run(
        single({
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Result: 1, ResultPath: '$.shared.a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
        }),
        { shared: { x: 0 } },
      );
      expect(r.output).to.deep.equal([{ shared: { x: 0, a: 1 } }, { shared: { x: 0 } }]);
    });
  });

  it('InputPath null gives {} and OutputPath null gives {}', async () => {
    const h = harness();
    expect((await h.run(single({ Type: 'Pass', InputPath: null }), { a: 1 })).output).to.deep.equal({});
    expect((await h.run(single({ Type: 'Pass', OutputPath: null }), { a: 1 })).output).to.deep.equal({});
  });

  it('OutputPath selects from the combined output', async () => {
    const r = await harness().run(single({ Type: 'Pass', Result: { b: 2 }, ResultPath: '$.r', OutputPath: '$.r.b' }), { a: 1 });
    expect(r.output).to.equal(2);
  });

  it('a missing InputPath/OutputPath node is States.Runtime, which no Catch can handle', async () => {
    const r = await harness().run({
      StartAt: 'S',
      States: {
        S: { Type: 'Pass', InputPath: '$.missing', Next: 'End' },
        End: { Type: 'Succeed' },
      },
    });
    expect(r.desc.error).to.equal('States.Runtime');
  });

  it('a Parameters path that selects nothing is States.ParameterPathFailure and can be caught', async () => {
    const r = await harness().run({
      StartAt: 'S',
      States: {
        S: { Type: 'Parallel', Branches: [{ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'x.$': '$.nope' }, End: true } } }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true },
        C: { Type: 'Pass', End: true },
      },
    });
    expect(r.desc.status).to.equal('SUCCEEDED');
    expect((r.output as { Error: string }).Error).to.equal('States.ParameterPathFailure');
  });

  it('full JSONPath in Parameters (filter, wildcard) falls back to a complete evaluator', async () => {
    const r = await harness().run(single({ Type: 'Pass', Parameters: { 'big.$': '$.jar[?(@.a >= 5)]', 'all.$': '$.jar[*].a' } }), {
      jar: [{ a: 1 }, { a: 5 }, { a: 2 }, { a: 7 }],
    });
    expect(r.output).to.deep.equal({ big: [{ a: 5 }, { a: 7 }], all: [1, 5, 2, 7] });
  });

  it('the context object carries Execution, State and StateMachine', async () => {
    const h = harness();
    const r = await h.run(
      single({
        Type: 'Pass',
        Parameters: {
          'id.$': '$$.Execution.Id',
          'name.$': '$$.Execution.Name',
          'input.$': '$$.Execution.Input',
          'start.$': '$$.Execution.StartTime',
          'role.$': '$$.Execution.RoleArn',
          'state.$': '$$.State.Name',
          'entered.$': '$$.State.EnteredTime',
          'retry.$': '$$.State.RetryCount',
          'sm.$': '$$.StateMachine.Name',
          'smId.$': '$$.StateMachine.Id',
        },
      }),
      { q: 1 },
      'exec-ctx',
    );
    const o = r.output as Record<string, unknown>;
    expect(o.id).to.equal(r.desc.executionArn);
    expect(o.name).to.equal('exec-ctx');
    expect(o.input).to.deep.equal({ q: 1 });
    expect(o.start).to.equal(new Date(T0).toISOString());
    expect(o.role).to.be.a('string').and.match(/^arn:aws:iam::/);
    expect(o.state).to.equal('S');
    expect(o.entered).to.equal(new Date(T0).toISOString());
    expect(o.retry).to.equal(0);
    expect(o.smId).to.equal(r.desc.stateMachineArn);
    expect(String(o.smId).endsWith(`:${String(o.sm)}`)).to.equal(true);
  });

  it('a payload over 256 KiB fails the execution with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    const big = 'x'.repeat(270_000);
    const r = await harness({ [LAMBDA]: async () => big }).run({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true }, C: { Type: 'Succeed' } },
    });
    expect(r.desc.status).to.equal('FAILED');
    expect(r.desc.error).to.equal('States.DataLimitExceeded');
  });
});
