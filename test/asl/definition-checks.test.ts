import { expect } from 'chai';
import { AslValidationError, Choice, Condition, Fail, Map, Parallel, Pass, Succeed, buildStateMachine, definitionProblems } from '../../asl/index.ts';

const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' };

describe('definition checks on plain ASL JSON', () => {
  const cases: [string, unknown, string][] = [
    ['a definition that is not an object', [], 'The definition must be a JSON object'],
    ['a bad TimeoutSeconds', { StartAt: 'A', TimeoutSeconds: 1.5, States: { A: { Type: 'Succeed' } } }, 'TimeoutSeconds must be a positive whole number of seconds, got 1.5'],
    ['a graph without states', { StartAt: 'A', States: {} }, 'The top level has no states'],
    ['a StartAt naming no state', { StartAt: 'Nope', States: { A: { Type: 'Succeed' } } }, "StartAt 'Nope' of the top level names no state there"],
    ['a state with neither Next nor End', { StartAt: 'A', States: { A: { Type: 'Pass' } } }, "State 'A': has neither Next nor End"],
    ['a state with both Next and End', { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B', End: true }, B: { Type: 'Succeed' } } }, "State 'A': has both Next and End"],
    ['a Choice without rules', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [], Default: 'S' }, S: { Type: 'Succeed' } } }, "State 'C': a Choice needs at least one rule in Choices"],
    [
      'a Choice rule without a Variable',
      { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ StringEquals: 'x', Next: 'S' }], Default: 'S' }, S: { Type: 'Succeed' } } },
      "State 'C': Choices[0] needs a Variable",
    ],
    ['a Choice Default to a missing state', { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'S' }], Default: 'Gone' }, S: { Type: 'Succeed' } } }, "State 'C': goes to 'Gone' (Default), but the top level has no state with that name"],
    ['a Catch to a missing state', { StartAt: 'T', States: { T: { ...task, End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }] } } }, "State 'T': goes to 'Gone' (Catch[0]), but the top level has no state with that name"],
    ['a Wait with two durations', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true } } }, "State 'W': a Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (has 2)"],
    ['a Map without an item processor', { StartAt: 'M', States: { M: { Type: 'Map', End: true } } }, "State 'M': a Map state needs an ItemProcessor"],
    ['an empty ErrorEquals', { StartAt: 'T', States: { T: { ...task, End: true, Retry: [{ ErrorEquals: [] }] } } }, "State 'T': Retry[0] needs a non-empty ErrorEquals"],
    ['an unknown state type', { StartAt: 'X', States: { X: { Type: 'Sleep', End: true } } }, "State 'X': unknown Type 'Sleep'"],
    ['a malformed Catch ResultPath', { StartAt: 'T', States: { T: { ...task, End: true, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.a[*]', Next: 'F' }] }, F: { Type: 'Fail' } } }, "State 'T': Catch[0].ResultPath '$.a[*]' uses '[*]', which can select many nodes where one is required"],
    ['a malformed Fail ErrorPath', { StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: 'oops' } } }, "State 'F': ErrorPath 'oops' must start with '$'"],
    [
      'an unreachable state inside a branch',
      { StartAt: 'P', States: { P: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'A', States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } } }] } } },
      "State 'B' is not reachable from StartAt 'A' in branch 1 of 'P'",
    ],
  ];
  for (const [what, definition, message] of cases) {
    it(`reports ${what}`, () => {
      expect(definitionProblems(definition)).to.include(message);
    });
  }

  it('rejects a branch state that jumps to a state of the enclosing graph', () => {
    const after = new Succeed('After');
    const inner = new Pass('Inner');
    inner.next(after);
    try {
      buildStateMachine({ startWith: new Parallel('P').branch(inner).next(after) });
      expect.fail('expected an AslValidationError');
    } catch (err) {
      expect(err).to.be.instanceOf(AslValidationError);
      expect((err as AslValidationError).problems).to.include("State 'After' belongs to branch 1 of 'P' but is also linked from the top level; a branch cannot jump out of its own graph");
    }
  });

  it('refuses a second default on a Choice, a Fail with two errors, and a Map without an item processor', () => {
    const choice = new Choice('C').when(Condition.isPresent('$.x'), new Succeed('A')).otherwise(new Succeed('B'));
    expect(() => choice.otherwise(new Succeed('D'))).to.throw("Choice 'C' already has a default ('B'); it cannot also default to 'D'");
    expect(() => new Fail('F', { error: 'E', errorPath: '$.e' })).to.throw("Fail state 'F' cannot have both error and errorPath");
    expect(() => buildStateMachine({ startWith: new Map('M') })).to.throw("Map state 'M' has no item processor; call itemProcessor(...)");
  });
});
