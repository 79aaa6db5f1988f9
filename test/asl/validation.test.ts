import { expect } from 'chai';
import {
  AslValidationError,
  Choice,
  Condition,
  Duration,
  Fail,
  JsonPath,
  Parallel,
  Pass,
  Succeed,
  Task,
  Wait,
  WaitTime,
  buildStateMachine,
  lambdaInvoke,
  validateDefinition,
  type IChainable,
} from '../../asl/index.ts';

const wait = (name: string) => new Wait(name, { time: WaitTime.duration(Duration.seconds(5)) });
const task = (name: string) => new Task(name, { resource: 'arn:aws:states:::lambda:invoke', parameters: { FunctionName: 'f' } });

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    if (err instanceof AslValidationError) return err.problems;
    throw err;
  }
  expect.fail('expected an AslValidationError');
}

const machine = (startWith: IChainable) => () => buildStateMachine({ startWith });

describe('DSL build-time validation', () => {
  it('rejects two states with the same name', () => {
    const problems = problemsOf(machine(new Pass('Same').next(new Pass('Same'))));
    expect(problems).to.include("State name 'Same' is used by two different states in the top level; names must be unique in the whole state machine");
  });

  it('rejects the same name in two Parallel branches', () => {
    const parallel = new Parallel('Both').branch(new Pass('Step'), new Pass('Step'));
    const problems = problemsOf(machine(parallel));
    expect(problems).to.include("State name 'Step' occurs in both branch 1 of 'Both' and branch 2 of 'Both'; names must be unique in the whole state machine");
  });

  it('rejects a branch state named like a top-level state', () => {
    const parallel = new Parallel('Outer').branch(new Pass('Shared'));
    const problems = problemsOf(machine(parallel.next(new Pass('Shared'))));
    expect(problems.some((p) => p.startsWith("State name 'Shared' occurs in both"))).to.equal(true);
  });

  it('rejects a Next to a state that does not exist', () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } };
    expect(() => validateDefinition(definition)).to.throw(AslValidationError, "State 'A': goes to 'Missing' (Next), but the top level has no state with that name");
  });

  it('rejects giving a state a second next state', () => {
    const a = new Pass('A');
    a.next(new Pass('B'));
    expect(() => a.next(new Pass('C'))).to.throw("State 'A' already has a next state ('B'); it cannot also go to 'C'");
  });

  it('reports states that are linked into the graph but not reachable, instead of dropping them', () => {
    const done = new Succeed('Done');
    const orphan = new Pass('Orphan');
    orphan.next(done);
    const problems = problemsOf(machine(new Pass('Start').next(done)));
    expect(problems).to.deep.equal(["State 'Orphan' is not reachable from StartAt 'Start' in the top level"]);
  });

  it('rejects a state from which no terminal state can be reached', () => {
    const spin = wait('Spin');
    const decide = new Choice('Decide').when(Condition.isPresent('$.again'), spin).otherwise(new Pass('Elsewhere').next(spin));
    spin.next(decide);
    const problems = problemsOf(machine(spin));
    expect(problems).to.include("No Succeed, Fail or End state can be reached from state 'Spin' in the top level");
  });

  it('rejects a loop without a Wait state', () => {
    const work = new Pass('Work');
    const again = new Choice('Again').when(Condition.booleanEquals('$.more', true), work).otherwise(new Succeed('Done'));
    work.next(again);
    const problems = problemsOf(machine(work));
    expect(problems).to.deep.equal(["The loop through states 'Work', 'Again' has no Wait state, so it would repeat without pause"]);
  });

  it('rejects a loop without a Choice that can leave it', () => {
    const pause = wait('Pause');
    const poll = task('Poll').addCatch(new Fail('Broken'));
    pause.next(poll).next(pause);
    const problems = problemsOf(machine(pause));
    expect(problems).to.include("The loop through states 'Pause', 'Poll' has no Choice that can leave it");
  });

  it('rejects a Parallel without branches', () => {
    const problems = problemsOf(machine(new Parallel('Empty')));
    expect(problems).to.include("State 'Empty': a Parallel state needs at least one branch");
  });

  it('rejects States.ALL in a Catch that is not the last one', () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Catch: [
            { ErrorEquals: ['States.ALL'], Next: 'F' },
            { ErrorEquals: ['Specific'], Next: 'F' },
          ],
          End: true,
        },
        F: { Type: 'Fail' },
      },
    };
    expect(() => validateDefinition(definition)).to.throw("State 'T': Catch[0] catches States.ALL but is not the last catcher, so the ones after it never apply");
  });

  it('rejects States.ALL in a Retry that is not the last one, and States.ALL mixed with other names', () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Retry: [{ ErrorEquals: ['States.ALL', 'Other'] }, { ErrorEquals: ['Specific'] }],
          End: true,
        },
      },
    };
    expect(() => validateDefinition(definition))
      .to.throw("State 'T': Retry[0] catches States.ALL but is not the last retrier")
      .and.to.have.property('problems')
      .that.includes("State 'T': Retry[0] lists States.ALL with other errors; States.ALL must appear alone");
  });

  it('puts a catch-all added first after the specific catchers', () => {
    const failed = new Fail('Failed');
    const t = task('T').addCatch(failed).addCatch(failed, { errors: ['Specific'] });
    const json = buildStateMachine({ startWith: t }).definition.States as Record<string, { Catch: { ErrorEquals: string[] }[] }>;
    expect(json.T?.Catch.map((c) => c.ErrorEquals)).to.deep.equal([['Specific'], ['States.ALL']]);
  });

  describe('malformed paths', () => {
    const cases: [string, () => IChainable, string][] = [
      ['a path without $', () => new Pass('P', { inputPath: 'input' }), "State 'P': InputPath 'input' must start with '$'"],
      ['a trailing dot', () => new Pass('P', { outputPath: '$.a.' }), "State 'P': OutputPath '$.a.' has an empty field name after '.'"],
      ['an unclosed bracket', () => new Pass('P', { inputPath: '$.items[0' }), "State 'P': InputPath '$.items[0' has an unclosed '['"],
      ['ResultPath into the context object', () => new Pass('P', { resultPath: '$$.Execution' }), "State 'P': ResultPath '$$.Execution' cannot write into the context object"],
      ['ResultPath into a variable', () => new Pass('P', { resultPath: '$counter' }), "State 'P': ResultPath '$counter' cannot write to a variable; use Assign"],
      [
        'a wildcard in a Choice Variable',
        () => new Choice('C').when(Condition.isPresent('$.items[*]'), new Succeed('S')),
        "State 'C': Choices[0].Variable '$.items[*]' uses '[*]', which can select many nodes where one is required",
      ],
      [
        'a deep scan in SecondsPath',
        () => new Wait('W', { time: WaitTime.secondsPath('$..seconds') }),
        "State 'W': SecondsPath '$..seconds' uses '..', which can select many nodes where one is required",
      ],
      [
        'an unknown intrinsic function',
        () => new Pass('P', { parameters: { x: JsonPath.at('States.Nope($.a)') } }),
        "State 'P': Parameters.x.$ 'States.Nope' is not an intrinsic function",
      ],
      [
        'a wrong number of intrinsic arguments',
        () => new Pass('P', { assign: { n: JsonPath.at('States.MathAdd($n)') } }),
        "State 'P': Assign.n.$ 'States.MathAdd' takes 2 arguments, got 1",
      ],
      [
        'a malformed path inside an intrinsic',
        () => new Pass('P', { parameters: { s: JsonPath.at("States.Format('{}', $.a[)") } }),
        "State 'P': Parameters.s.$ '$.a[' has an unclosed '['",
      ],
    ];
    for (const [what, build, message] of cases) {
      it(`rejects ${what}`, () => {
        expect(problemsOf(machine(build()))).to.include(message);
      });
    }
  });

  it('rejects waiting for a task token without passing it', () => {
    expect(() => lambdaInvoke('Notify', { functionArn: 'arn:aws:lambda:eu-west-1:1:function:f', payload: { a: 1 }, waitForTaskToken: true })).to.throw(
      "Task 'Notify' waits for a task token but its payload never passes $$.Task.Token",
    );
  });

  it('accepts a well-formed poll loop with a Wait and a Choice that leaves it', () => {
    const pause = wait('Pause');
    const poll = task('Poll');
    const decide = new Choice('Decide').when(Condition.stringEquals('$.status', 'DONE'), new Succeed('Done')).otherwise(pause);
    pause.next(poll).next(decide);
    expect(() => buildStateMachine({ startWith: pause })).not.to.throw();
  });
});
