import { expect } from 'chai';
import { Chain, Choice, Condition, Duration, Fail, Pass, Succeed, Wait, WaitTime, buildStateMachine } from '../../asl/index.ts';

type States = Record<string, { Next?: string; End?: boolean; Default?: string; Choices?: { Next: string }[] }>;
const statesOf = (sm: ReturnType<typeof buildStateMachine>) => sm.definition.States as States;

describe('DSL chains (CDK semantics)', () => {
  it('a.next(b) returns the whole chain, so the next step attaches after b', () => {
    const a = new Pass('A');
    const b = new Pass('B');
    const chain = a.next(b);
    expect(chain.startState).to.equal(a);
    expect(chain.endStates).to.deep.equal([b]);
    const states = statesOf(buildStateMachine({ startWith: chain.next(new Succeed('C')) }));
    expect(states.A?.Next).to.equal('B');
    expect(states.B?.Next).to.equal('C');
  });

  it('when(cond, a.next(b)) takes the whole sequence as the branch', () => {
    const choice = new Choice('Pick').when(Condition.stringEquals('$.x', 'y'), new Pass('First').next(new Pass('Second'))).otherwise(new Pass('Other'));
    const states = statesOf(buildStateMachine({ startWith: choice.afterwards().next(new Succeed('Join')) }));
    expect(states.Pick?.Choices?.[0]?.Next).to.equal('First');
    expect(states.First?.Next).to.equal('Second');
    expect(states.Second?.Next).to.equal('Join');
    expect(states.Other?.Next).to.equal('Join');
  });

  it('afterwards() skips branches that end in Succeed or Fail', () => {
    const choice = new Choice('Pick').when(Condition.isPresent('$.bad'), new Fail('Bad')).otherwise(new Pass('Good'));
    expect(choice.afterwards().endStates.map((s) => (s as Pass).name)).to.deep.equal(['Good']);
  });

  it('makes a loop by pointing next at an existing state', () => {
    const wait = new Wait('Pause', { time: WaitTime.duration(Duration.seconds(1)) });
    const check = new Pass('Check');
    const decide = new Choice('Decide').when(Condition.numberLessThan('$n', 3), wait).otherwise(new Succeed('Done'));
    const states = statesOf(buildStateMachine({ startWith: wait.next(check).next(decide) }));
    expect(states.Decide?.Choices?.[0]?.Next).to.equal('Pause');
    expect(Object.keys(states)).to.deep.equal(['Pause', 'Check', 'Decide', 'Done']);
  });

  it('refuses to continue a chain whose every path already ended', () => {
    expect(() => Chain.start(new Pass('A').next(new Succeed('S'))).next(new Pass('B'))).to.throw(
      "Cannot continue the chain starting at 'A' with 'B': every path of it already ends in a Succeed or Fail state",
    );
  });

  it('keeps terminal states and Choice from being chained at the type level', () => {
    const done = new Succeed('Done');
    const failed = new Fail('Failed');
    const choice = new Choice('Pick');
    // @ts-expect-error Succeed has no next
    expect(done.next).to.equal(undefined);
    // @ts-expect-error Fail has no next
    expect(failed.next).to.equal(undefined);
    // @ts-expect-error Choice continues through afterwards(), not next
    expect(choice.next).to.equal(undefined);
  });
});
