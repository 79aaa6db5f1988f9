/**
 * Conformance, state types: Choice (the specification's example rules), Wait (all four forms on the
 * virtual clock), Parallel and Map (the specification's examples, concurrency, failure handling),
 * and the definition checks that happen when a machine is created.
 */
import { expect } from 'chai';
import { TaskFailure, type TaskHandler } from '../../local/engine/index.ts';
import { harness, single, T0 } from './harness.ts';

const SVC = 'arn:aws:states:::lambda:invoke';

describe('engine conformance: Choice', () => {
  const machine = {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [
          { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
          {
            And: [
              { Variable: '$.value', IsPresent: true },
              { Variable: '$.value', IsNumeric: true },
              { Variable: '$.value', NumericGreaterThanEquals: 20 },
              { Variable: '$.value', NumericLessThan: 30 },
            ],
            Next: 'ValueInTwenties',
          },
          { Variable: '$.rating', NumericGreaterThanPath: '$.auditThreshold', Next: 'StartAudit' },
          { Variable: '$.name', StringMatches: 'log-*.txt', Next: 'LogFile' },
          { Variable: '$.when', TimestampLessThan: '2016-03-14T01:59:00Z', Next: 'Old' },
        ],
        Default: 'RecordEvent',
      },
      Public: { Type: 'Succeed' },
      ValueInTwenties: { Type: 'Succeed' },
      StartAudit: { Type: 'Succeed' },
      LogFile: { Type: 'Succeed' },
      Old: { Type: 'Succeed' },
      RecordEvent: { Type: 'Succeed' },
    },
  };
  const cases: [unknown, string][] = [
    [{ type: 'Public' }, 'Public'],
    [{ type: 'Private', value: 22 }, 'ValueInTwenties'],
    [{ type: 'Private', value: '22', rating: 53, auditThreshold: 50 }, 'StartAudit'],
    [{ type: 'Private', value: 35, rating: 40, auditThreshold: 50, name: 'log-2024.txt' }, 'LogFile'],
    [{ type: 'Private', rating: 1, auditThreshold: 50, name: 'log-2024.csv', when: '2015-01-01T00:00:00Z' }, 'Old'],
    [{ type: 'Private', rating: 1, auditThreshold: 50, name: 'x', when: 'not a timestamp' }, 'RecordEvent'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, async () => {
      const r = await harness().run(machine, input);
      expect(r.entered).to.deep.equal(['Route', expected]);
    });
  }

  it('with no match and no Default fails with States.NoChoiceMatched', async () => {
    const r = await harness().run({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'D' }] }, D: { Type: 'Succeed' } } }, { x: false });
    expect(r.desc.error).to.equal('States.NoChoiceMatched');
  });

  it('comparing a missing Variable is States.Runtime', async () => {
    const r = await harness().run({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'a', Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } });
    expect(r.desc.error).to.equal('States.Runtime');
  });
});

describe('engine conformance: Wait', () => {
  const wait = (w: object): object => ({ StartAt: 'W', States: { W: { Type: 'Wait', ...w, Next: 'Done' }, Done: { Type: 'Succeed' } } });

  it('Seconds and SecondsPath wait that long on the virtual clock', async () => {
    const h = harness();
    expect((await h.run(wait({ Seconds: 10 }))).elapsedSeconds).to.equal(10);
    expect((await h.run(wait({ SecondsPath: '$.s' }), { s: 21_600 })).elapsedSeconds).to.equal(21_600);
  });

  it('Timestamp and TimestampPath wait until the instant (immediately when it is past)', async () => {
    const h = harness();
    expect((await h.run(wait({ Timestamp: '2026-01-01T01:00:00Z' }))).elapsedSeconds).to.equal(3600);
    expect((await h.run(wait({ TimestampPath: '$.t' }), { t: '2026-01-01T03:00:00Z' })).desc.stopDate!.getTime()).to.equal(T0 + 3 * 3600_000);
    const past = await h.run(wait({ Timestamp: '2016-03-14T01:59:00Z' }));
    expect(past.desc.status).to.equal('SUCCEEDED');
  });

  it('a SecondsPath that is not a non-negative integer is States.Runtime', async () => {
    const r = await harness().run(wait({ SecondsPath: '$.s' }), { s: 'soon' });
    expect(r.desc.error).to.equal('States.Runtime');
  });
});

describe('engine conformance: Parallel', () => {
  it('runs every branch on the same input and outputs their results in branch order (spec example)', async () => {
    const h = harness({
      [SVC]: async (req) => {
        const p = req.parameters as { what: string; who: string };
        await req.clock.sleep(p.what === 'address' ? 2000 : 1000);
        return `${p.what} of ${p.who}`;
      },
    });
    const branch = (what: string): object => ({
      StartAt: `Lookup${what}`,
      States: { [`Lookup${what}`]: { Type: 'Task', Resource: SVC, Parameters: { what, 'who.$': '$.who' }, End: true } },
    });
    const r = await h.run(
      { StartAt: 'LookupCustomerInfo', States: { LookupCustomerInfo: { Type: 'Parallel', Branches: [branch('address'), branch('phone')], ResultPath: '$.info', End: true } } },
      { who: 'Ana' },
    );
    expect(r.output).to.deep.equal({ who: 'Ana', info: ['address of Ana', 'phone of Ana'] });
    expect(r.elapsedSeconds).to.equal(2);
    expect(r.history.map((e) => e.type)).to.include.members(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited']);
  });

  it('a failing branch stops the others and the Parallel fails with that branch error', async () => {
    let slowFinished = false;
    const h = harness({
      [SVC]: async (req) => {
        if ((req.parameters as { n: number }).n === 1) throw new TaskFailure('BranchBoom', 'first branch broke');
        await req.clock.sleep(60_000, req.signal);
        slowFinished = true;
        return 'slow';
      },
    });
    const b = (n: number): object => ({ StartAt: `B${n}`, States: { [`B${n}`]: { Type: 'Task', Resource: SVC, Parameters: { n }, End: true } } });
    const r = await h.run({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', Branches: [b(1), b(2)], Catch: [{ ErrorEquals: ['BranchBoom'], ResultPath: '$.err', Next: 'Handled' }], End: true }, Handled: { Type: 'Succeed' } },
    });
    expect(r.entered).to.deep.equal(['P', 'B1', 'B2', 'Handled']);
    expect((r.output as { err: { Error: string } }).err.Error).to.equal('BranchBoom');
    expect(slowFinished).to.equal(false);
    expect(r.elapsedSeconds).to.equal(0);
    expect(r.history.map((e) => e.type)).to.include('ParallelStateFailed');
  });
});

describe('engine conformance: Map', () => {
  it('iterates ItemsPath with ItemSelector and $$.Map.Item (spec example)', async () => {
    const input = {
      'ship-date': '2016-03-14T01:59:00Z',
      detail: {
        'delivery-partner': 'UQS',
        shipped: [
          { prod: 'R31', 'dest-code': 9511, quantity: 1344 },
          { prod: 'S39', 'dest-code': 9511, quantity: 40 },
        ],
      },
    };
    const r = await harness().run(
      single({
        Type: 'Map',
        ItemsPath: '$.detail.shipped',
        ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'courier.$': '$.detail.delivery-partner', 'index.$': '$$.Map.Item.Index' },
        MaxConcurrency: 0,
        ItemProcessor: { StartAt: 'Ship', States: { Ship: { Type: 'Pass', End: true } } },
        ResultPath: '$.detail.shipped',
      }),
      input,
    );
    expect((r.output as typeof input).detail.shipped).to.deep.equal([
      { parcel: input.detail.shipped[0], courier: 'UQS', index: 0 },
      { parcel: input.detail.shipped[1], courier: 'UQS', index: 1 },
    ]);
    expect(r.history.filter((e) => e.type === 'MapIterationStarted')).to.have.length(2);
    expect(r.history.find((e) => e.type === 'MapStateStarted')!.mapStateStartedEventDetails).to.deep.equal({ length: 2 });
  });

  it('MaxConcurrency bounds how many iterations run at once', async () => {
    let running = 0;
    let peak = 0;
    const work: TaskHandler = async (req) => {
      running++;
      peak = Math.max(peak, running);
      await req.clock.sleep(1000);
      running--;
      return req.parameters;
    };
    const machine = (max: number): object =>
      single({ Type: 'Map', MaxConcurrency: max, ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: SVC, End: true } } } });
    const h = harness({ [SVC]: work });
    const r = await h.run(machine(2), [1, 2, 3, 4, 5]);
    expect(r.output).to.deep.equal([1, 2, 3, 4, 5]);
    expect(peak).to.equal(2);
    expect(r.elapsedSeconds).to.equal(3);
    peak = 0;
    expect((await h.run(machine(0), [1, 2, 3, 4, 5])).elapsedSeconds).to.equal(1);
    expect(peak).to.equal(5);
  });

  it('an iteration failure fails the Map unless ToleratedFailureCount allows it', async () => {
    const proc = { StartAt: 'Check', States: { Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'Bad' }], Default: 'Good' }, Bad: { Type: 'Fail', Error: 'TooBig', Cause: 'item over 2' }, Good: { Type: 'Succeed' } } };
    const h = harness();
    const strict = await h.run(single({ Type: 'Map', ItemProcessor: proc }), [1, 2, 3]);
    expect(strict.desc.error).to.equal('TooBig');
    const tolerant = await h.run(single({ Type: 'Map', ItemProcessor: proc, ToleratedFailureCount: 1 }), [1, 2, 3]);
    expect(tolerant.output).to.deep.equal([1, 2, { Error: 'TooBig', Cause: 'item over 2' }]);
    const exceeded = await h.run(single({ Type: 'Map', ItemProcessor: proc, ToleratedFailurePercentage: 10 }), [1, 3, 4]);
    expect(exceeded.desc.error).to.equal('States.ExceedToleratedFailureThreshold');
  });

  it('an ItemsPath that is not an array is States.Runtime', async () => {
    const r = await harness().run(single({ Type: 'Map', ItemsPath: '$.x', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }), { x: 1 });
    expect(r.desc.error).to.equal('States.Runtime');
  });
});

describe('engine definition checks (InvalidDefinition when the machine is created)', () => {
  const bad: [string, object, RegExp][] = [
    ['unknown Next', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }, /'A'.*Nowhere/],
    ['missing StartAt state', { StartAt: 'X', States: { A: { Type: 'Pass', End: true } } }, /StartAt 'X'/],
    ['Next and End', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A', End: true } } }, /both Next and End/],
    ['unknown resource', { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::nope:doIt', End: true } } }, /'A'.*arn:aws:states:::nope:doIt/],
    ['Wait without a time', { StartAt: 'A', States: { A: { Type: 'Wait', End: true } } }, /exactly one of Seconds/],
    ['States.ALL not last', { StartAt: 'A', States: { A: { Type: 'Task', Resource: SVC, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }], End: true } } }, /States.ALL/],
    ['bad ResultPath', { StartAt: 'A', States: { A: { Type: 'Pass', ResultPath: '$.a[*]', End: true } } }, /reference path/],
    ['JSONata', { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, /JSONata/],
  ];
  for (const [what, def, message] of bad) {
    it(what, () => {
      const { engine } = harness({ [SVC]: async () => 1 });
      expect(() => engine.createStateMachine({ name: 'bad', definition: JSON.stringify(def) }))
        .to.throw(message)
        .with.property('name', 'InvalidDefinition');
    });
  }
});
