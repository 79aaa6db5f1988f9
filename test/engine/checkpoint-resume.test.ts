/**
 * Checkpoints: a new Engine over the same dataDir resumes RUNNING executions from the last
 * completed transition: a Wait keeps its deadline, a waiting task token stays valid, a Parallel
 * does not rerun a finished branch, and closed executions keep their history.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, VirtualClock, type TaskHandler, type TaskRequest } from '../../local/engine/index.ts';
import { enteredStates, T0 } from './harness.ts';

const NOTIFY = 'arn:aws:states:::sqs:sendMessage';
const WORK = 'arn:aws:states:::lambda:invoke';

describe('engine checkpoints: resume in a new Engine over the same dataDir', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'engine-cp-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  function engineAt(clock: VirtualClock, handlers: Record<string, TaskHandler>): Engine {
    return new Engine({ clock, dataDir, resolvers: [{ resolve: (r) => handlers[r] }] });
  }

  /** Lets the virtual clock and the executions run until `predicate` holds (a hold keeps time still). */
  async function until(predicate: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !predicate(); i++) await new Promise((r) => setImmediate(r));
    expect(predicate()).to.equal(true);
  }

  it('continues a Wait with its original deadline and a waiting task token after a restart', async () => {
    const definition = JSON.stringify({
      StartAt: 'Wait',
      States: {
        Wait: { Type: 'Wait', Seconds: 600, Next: 'Notify' },
        Notify: {
          Type: 'Task',
          Resource: `${NOTIFY}.waitForTaskToken`,
          Parameters: { 'token.$': '$$.Task.Token' },
          HeartbeatSeconds: 300,
          ResultPath: '$.worker',
          Next: 'Done',
        },
        Done: { Type: 'Pass', Result: 'ok', ResultPath: '$.done', End: true },
      },
    });
    const tokens: string[] = [];
    const notify: TaskHandler = async (req: TaskRequest) => {
      tokens.push(req.taskToken!);
      return { MessageId: `m${tokens.length}` };
    };

    // First process: start, let the Wait pass a little, then stop mid-Wait.
    const clock1 = new VirtualClock(T0);
    const hold = clock1.hold();
    const first = engineAt(clock1, { [NOTIFY]: notify });
    const sm = first.createStateMachine({ name: 'cp', definition });
    const { executionArn } = first.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'e1', input: '{"call":"C1"}' });
    await until(() => first.getExecutionHistory(executionArn).some((e) => e.type === 'WaitStateEntered'));
    await first.close();
    hold();

    // Second process, 100 s later on its clock: the Wait ends at T0 + 600 s, not 600 s after the restart.
    const clock2 = new VirtualClock(T0 + 100_000);
    const hold2 = clock2.hold();
    const second = engineAt(clock2, { [NOTIFY]: notify });
    expect(second.describeExecution(executionArn).status).to.equal('RUNNING');
    expect(await second.resume()).to.equal(1);
    hold2();
    await until(() => tokens.length === 1 && second.getExecutionHistory(executionArn).some((e) => e.type === 'TaskSubmitted'));
    expect(clock2.now()).to.equal(T0 + 600_000);
    const hold3 = clock2.hold();
    await second.close();

    // Third process: the token issued by the second is still valid; the message is not sent again.
    const clock3 = new VirtualClock(clock2.now() + 10_000);
    const third = engineAt(clock3, { [NOTIFY]: notify });
    expect(await third.resume()).to.equal(1);
    third.sendTaskHeartbeat(tokens[0]!);
    third.sendTaskSuccess(tokens[0]!, '{"stored":"s3://b/C1.wav"}');
    hold3();
    const done = await third.waitForExecution(executionArn);
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output!)).to.deep.equal({ call: 'C1', worker: { stored: 's3://b/C1.wav' }, done: 'ok' });
    expect(tokens).to.have.length(1);
    const history = third.getExecutionHistory(executionArn);
    expect(history.map((e) => e.id)).to.deep.equal(history.map((_, i) => i + 1));
    expect(enteredStates(history)).to.deep.equal(['Wait', 'Notify', 'Done']);
    expect(history.filter((e) => e.type === 'TaskScheduled')).to.have.length(1);
    await third.close();

    // A fourth engine sees the closed execution and its history from the store alone.
    const fourth = engineAt(new VirtualClock(T0), { [NOTIFY]: notify });
    expect(fourth.describeExecution(executionArn).status).to.equal('SUCCEEDED');
    expect(fourth.getExecutionHistory(executionArn)).to.have.length(history.length);
    expect(() => fourth.sendTaskSuccess(tokens[0]!, '{}')).to.throw().with.property('name', 'TaskTimedOut');
    await fourth.close();
  });

  it('keeps the token when the process died while the handler was still sending it: the handler is called again with the same token', async () => {
    const definition = JSON.stringify({
      StartAt: 'Notify',
      States: { Notify: { Type: 'Task', Resource: `${NOTIFY}.waitForTaskToken`, Parameters: { 'token.$': '$$.Task.Token' }, End: true } },
    });
    const seen: string[] = [];
    const hangs: TaskHandler = (req) => {
      seen.push(req.taskToken!);
      return new Promise(() => {}); // never returns: the process "dies" mid-send
    };
    const first = engineAt(new VirtualClock(T0), { [NOTIFY]: hangs });
    const sm = first.createStateMachine({ name: 'tok', definition });
    const { executionArn } = first.startExecution({ stateMachineArn: sm.stateMachineArn, name: 't1' });
    await until(() => seen.length === 1);
    await first.close();

    const second = engineAt(new VirtualClock(T0), { [NOTIFY]: async (req) => (seen.push(req.taskToken!), {}) });
    expect(await second.resume()).to.equal(1);
    await until(() => seen.length === 2);
    expect(seen[1]).to.equal(seen[0]);
    second.sendTaskSuccess(seen[0]!, '"done"');
    const done = await second.waitForExecution(executionArn);
    expect(done.output).to.equal('"done"');
    expect(second.getExecutionHistory(executionArn).filter((e) => e.type === 'TaskScheduled')).to.have.length(1);
    await second.close();
  });

  it('resumes inside a Parallel without rerunning the branch that had finished', async () => {
    const definition = JSON.stringify({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Quick', States: { Quick: { Type: 'Task', Resource: WORK, End: true } } },
            { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 3600, Next: 'After' }, After: { Type: 'Pass', Result: 'slow', End: true } } },
          ],
          End: true,
        },
      },
    });
    let calls = 0;
    const work: TaskHandler = async () => ++calls;
    const clock1 = new VirtualClock(T0);
    const hold = clock1.hold();
    const first = engineAt(clock1, { [WORK]: work });
    const sm = first.createStateMachine({ name: 'par', definition });
    const { executionArn } = first.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'p1' });
    await until(() => first.getExecutionHistory(executionArn).some((e) => e.type === 'TaskSucceeded'));
    await first.close();
    hold();

    const second = engineAt(new VirtualClock(T0 + 60_000), { [WORK]: work });
    expect(await second.resume()).to.equal(1);
    const done = await second.waitForExecution(executionArn);
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output!)).to.deep.equal([1, 'slow']);
    expect(calls).to.equal(1);
    expect(done.stopDate!.getTime()).to.equal(T0 + 3_600_000);
    await second.close();
  });

  it('resumes a Map mid-way: finished iterations keep their output and are not recorded twice', async () => {
    const definition = JSON.stringify({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 100, Next: 'Work' }, Work: { Type: 'Task', Resource: WORK, End: true } } },
          End: true,
        },
      },
    });
    const seen: unknown[] = [];
    const work: TaskHandler = async (req) => (seen.push(req.parameters), (req.parameters as number) * 10);
    const clock1 = new VirtualClock(T0);
    const first = engineAt(clock1, { [WORK]: work });
    const sm = first.createStateMachine({ name: 'map', definition });
    const { executionArn } = first.startExecution({ stateMachineArn: sm.stateMachineArn, name: 'm1', input: '[1,2,3]' });
    await until(() => first.getExecutionHistory(executionArn).filter((e) => e.type === 'MapIterationSucceeded').length === 1);
    const hold = clock1.hold();
    await first.close();
    hold();

    const second = engineAt(new VirtualClock(clock1.now()), { [WORK]: work });
    expect(await second.resume()).to.equal(1);
    const done = await second.waitForExecution(executionArn);
    expect(JSON.parse(done.output!)).to.deep.equal([10, 20, 30]);
    expect(seen).to.deep.equal([1, 2, 3]);
    const history = second.getExecutionHistory(executionArn);
    expect(history.filter((e) => e.type === 'MapIterationSucceeded').map((e) => (e.mapIterationSucceededEventDetails as { index: number }).index)).to.deep.equal([0, 1, 2]);
    expect(history.map((e) => e.id)).to.deep.equal(history.map((_, i) => i + 1));
    await second.close();
  });

  it('without a dataDir nothing survives the engine', async () => {
    const clock = new VirtualClock(T0);
    const engine = new Engine({ clock, resolvers: [] });
    engine.createStateMachine({ name: 'm', definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } }) });
    expect(await engine.resume()).to.equal(0);
    await engine.close();
  });
});
