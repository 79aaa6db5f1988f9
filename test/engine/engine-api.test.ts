/**
 * The engine's API actions as the HTTP layer uses them: idempotent StartExecution, names and
 * inputs, Stop, List, Describe, the history quota and the onEvent hook; and the two clocks.
 */
import { expect } from 'chai';
import { Engine, RealClock, VirtualClock, type HistoryEvent } from '../../local/engine/index.ts';
import { harness, T0 } from './harness.ts';

const waitMachine = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });

describe('engine API', () => {
  it('StartExecution: same name and input while RUNNING is the same execution; other input or a closed one conflicts', async () => {
    const { engine, clock } = harness();
    const release = clock.hold();
    const sm = engine.createStateMachine({ name: 'idem', definition: waitMachine });
    const a = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'call-1', input: '{"x":1}' });
    const b = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'call-1', input: '{"x":1}' });
    expect(b).to.deep.equal(a);
    expect(() => engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'call-1', input: '{"x":2}' })).to.throw().with.property('name', 'ExecutionAlreadyExists');
    release();
    await engine.waitForExecution(a.executionArn);
    expect(() => engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'call-1', input: '{"x":1}' })).to.throw().with.property('name', 'ExecutionAlreadyExists');
  });

  it('rejects bad names, bad input, unknown machines and malformed ARNs with AWS error names', () => {
    const { engine } = harness();
    const sm = engine.createStateMachine({ name: 'v', definition: waitMachine });
    const start = (args: object) => () => engine.startExecution({ stateMachineArn: sm.stateMachineArn, ...args });
    expect(start({ name: 'has space' })).to.throw().with.property('name', 'InvalidName');
    expect(start({ name: 'x'.repeat(81) })).to.throw().with.property('name', 'InvalidName');
    expect(start({ input: '{nope' })).to.throw().with.property('name', 'InvalidExecutionInput');
    expect(() => engine.startExecution({ stateMachineArn: `${sm.stateMachineArn}-gone` })).to.throw().with.property('name', 'StateMachineDoesNotExist');
    expect(() => engine.describeExecution('not-an-arn')).to.throw().with.property('name', 'InvalidArn');
    expect(() => engine.describeExecution(`${sm.stateMachineArn.replace('stateMachine', 'execution')}:missing`)).to.throw().with.property('name', 'ExecutionDoesNotExist');
  });

  it('CreateStateMachine is idempotent for the same definition and conflicts for another', () => {
    const { engine } = harness();
    const a = engine.createStateMachine({ name: 'same', definition: waitMachine });
    expect(engine.createStateMachine({ name: 'same', definition: waitMachine }).stateMachineArn).to.equal(a.stateMachineArn);
    expect(() => engine.createStateMachine({ name: 'same', definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }))
      .to.throw()
      .with.property('name', 'StateMachineAlreadyExists');
    expect(engine.describeStateMachine(a.stateMachineArn)).to.include({ name: 'same', type: 'STANDARD', status: 'ACTIVE' });
  });

  it('StopExecution aborts a running execution and records ExecutionAborted', async () => {
    const { engine, clock } = harness();
    const release = clock.hold();
    const sm = engine.createStateMachine({ name: 'stop', definition: waitMachine });
    const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 's1' });
    await new Promise((r) => setImmediate(r));
    engine.stopExecution(executionArn, { error: 'Operator', cause: 'no longer needed' });
    release();
    const d = await engine.waitForExecution(executionArn);
    expect([d.status, d.error, d.cause]).to.deep.equal(['ABORTED', 'Operator', 'no longer needed']);
    const types = engine.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types).to.deep.equal(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('ListExecutions filters by machine and status, newest first', async () => {
    const { engine } = harness();
    const sm = engine.createStateMachine({ name: 'list', definition: waitMachine });
    const other = engine.createStateMachine({ name: 'other', definition: waitMachine });
    const a = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'a' });
    await engine.waitForExecution(a.executionArn);
    const b = engine.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'b' });
    engine.startExecution({ stateMachineArn: other.stateMachineArn, name: 'c' });
    expect(engine.listExecutions({ stateMachineArn: sm.stateMachineArn }).map((e) => e.name)).to.deep.equal(['b', 'a']);
    expect(engine.listExecutions({ stateMachineArn: sm.stateMachineArn, statusFilter: 'SUCCEEDED' }).map((e) => e.name)).to.deep.equal(['a']);
    await engine.waitForExecution(b.executionArn);
  });

  it('fails an execution that reaches 25,000 history events with States.Runtime', async () => {
    const r = await harness().run({ StartAt: 'Loop', States: { Loop: { Type: 'Pass', Next: 'Loop' } } });
    expect([r.desc.status, r.desc.error]).to.deep.equal(['FAILED', 'States.Runtime']);
    expect(r.history).to.have.length(25_000);
  });

  it('calls onEvent for every event, in order', async () => {
    const seen: HistoryEvent[] = [];
    const clock = new VirtualClock(T0);
    const engine = new Engine({ clock, resolvers: [], onEvent: (_arn, e) => seen.push(e) });
    const sm = engine.createStateMachine({ name: 'ev', definition: waitMachine });
    const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn });
    await engine.waitForExecution(executionArn);
    expect(seen.map((e) => e.id)).to.deep.equal([1, 2, 3, 4]);
    expect(seen).to.deep.equal(engine.getExecutionHistory(executionArn));
    expect(seen[1]!.stateEnteredEventDetails).to.deep.equal({ name: 'W', input: '{}', inputDetails: { truncated: false } });
    await engine.close();
  });
});

describe('engine clocks', () => {
  it('VirtualClock fires timers in time order, equal instants in scheduling order, and never moves while held', async () => {
    const clock = new VirtualClock(1000);
    const order: string[] = [];
    const release = clock.hold();
    const all = Promise.all([
      clock.sleep(50).then(() => order.push(`b@${clock.now()}`)),
      clock.sleep(10).then(() => order.push(`a@${clock.now()}`)),
      clock.sleep(50).then(() => order.push(`c@${clock.now()}`)),
    ]);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).to.deep.equal([]);
    expect(clock.now()).to.equal(1000);
    release();
    await all;
    expect(order).to.deep.equal(['a@1010', 'b@1050', 'c@1050']);
  });

  it('VirtualClock sleeps reject when aborted and leave no timer behind', async () => {
    const clock = new VirtualClock(0);
    const ac = new AbortController();
    const release = clock.hold();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    let err: unknown;
    await p.catch((e: unknown) => (err = e));
    release();
    expect((err as Error).message).to.equal('stop');
    expect(clock.pendingTimers).to.equal(0);
  });

  it('RealClock(speed) runs its notion of time `speed` times faster', async () => {
    const clock = new RealClock(1000);
    const before = clock.now();
    await clock.sleep(2000); // 2 ms of real time
    expect(clock.now() - before).to.be.at.least(2000);
    expect(() => new RealClock(0)).to.throw(RangeError);
  });

  it('an engine on a sped-up RealClock runs Waits in its own time', async () => {
    const clock = new RealClock(2000);
    const engine = new Engine({ clock, resolvers: [] });
    const sm = engine.createStateMachine({ name: 'real', definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } }) });
    const { executionArn } = engine.startExecution({ stateMachineArn: sm.stateMachineArn });
    const d = await engine.waitForExecution(executionArn);
    expect(d.status).to.equal('SUCCEEDED');
    expect(d.stopDate!.getTime() - d.startDate.getTime()).to.be.at.least(10_000);
    await engine.close();
  });
});
