/**
 * Conformance, "Intrinsic Functions": each States.* function with the documentation's examples,
 * and States.IntrinsicFailure for bad arguments.
 */
import { expect } from 'chai';
import { harness, single } from './harness.ts';

async function evaluate(expr: string, input: unknown = {}): Promise<{ value?: unknown; error?: string; cause?: string }> {
  const r = await harness().run(single({ Type: 'Pass', Parameters: { 'v.$': expr } }), input);
  if (r.desc.status !== 'SUCCEEDED') return { error: r.desc.error, cause: r.desc.cause };
  return { value: (r.output as { v: unknown }).v };
}

const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

describe('engine conformance: intrinsic functions', () => {
  const cases: [string, unknown, unknown][] = [
    ["States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' }, 'Hello, my name is Arnav.'],
    ["States.Format('{} is {} years old ({})', $.n, $.age, $.ok)", { n: 'Ana', age: 7, ok: true }, 'Ana is 7 years old (true)'],
    ["States.StringToJson($.s)", { s: '{"number": 20}' }, { number: 20 }],
    ['States.JsonToString($.j)', { j: { name: 'Foo', zebra: 'stripe' } }, '{"name":"Foo","zebra":"stripe"}'],
    ["States.Array('Foo', 2020, $.j, null)", { j: { a: 1 } }, ['Foo', 2020, { a: 1 }, null]],
    ['States.ArrayPartition($.a, 4)', { a: nine }, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayContains($.a, $.x)', { a: nine, x: 5 }, true],
    ['States.ArrayContains($.a, $.x)', { a: [{ k: 1 }], x: { k: 1 } }, true],
    ['States.ArrayRange(1, 9, 2)', {}, [1, 3, 5, 7, 9]],
    ['States.ArrayRange(5, 1, -2)', {}, [5, 3, 1]],
    ['States.ArrayGetItem($.a, 5)', { a: nine }, 6],
    ['States.ArrayLength($.a)', { a: nine }, 9],
    ['States.ArrayUnique($.a)', { a: [1, 2, 3, 3, 3, 3, 3, 3, 4] }, [1, 2, 3, 4]],
    ["States.Base64Encode('Data to encode')", {}, 'RGF0YSB0byBlbmNvZGU='],
    ["States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", {}, 'Data to encode'],
    ["States.Hash('input data', 'SHA-1')", {}, 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    [
      'States.JsonMerge($.a, $.b, false)',
      { a: { a: { a1: 1, a2: 2 }, b: 2 }, b: { a: { a3: 1, a4: 2 }, c: 3 } },
      { a: { a3: 1, a4: 2 }, b: 2, c: 3 },
    ],
    ['States.MathAdd($.v, $.step)', { v: 111, step: -1 }, 110],
    ["States.StringSplit('1,2,3,4,5', ',')", {}, ['1', '2', '3', '4', '5']],
    ["States.StringSplit('This.is+a,test=string', '.+,=')", {}, ['This', 'is', 'a', 'test', 'string']],
    ["States.ArrayLength(States.StringSplit('a b c', ' '))", {}, 3],
    ["States.Format('escaped \\' quote {}', 'x')", {}, "escaped ' quote x"],
    ["States.Format('literal \\{\\} then {}', 'x')", {}, 'literal {} then x'],
  ];
  for (const [expr, input, expected] of cases) {
    it(`${expr} -> ${JSON.stringify(expected)}`, async () => {
      const r = await evaluate(expr, input);
      expect(r.error, r.cause).to.equal(undefined);
      expect(r.value).to.deep.equal(expected);
    });
  }

  it('States.MathRandom stays within [start, end) and is repeatable with a seed', async () => {
    for (let i = 0; i < 5; i++) {
      const { value } = await evaluate('States.MathRandom(1, 999)');
      expect(value).to.be.a('number').within(1, 998);
    }
    const a = await evaluate('States.MathRandom(1, 1000, 42)');
    const b = await evaluate('States.MathRandom(1, 1000, 42)');
    expect(a.value).to.equal(b.value);
  });

  it('States.UUID returns a version 4 UUID', async () => {
    const { value } = await evaluate('States.UUID()');
    expect(value).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  const failures: [string, unknown][] = [
    ["States.Format('{} and {}', 'only one')", {}],
    ['States.StringToJson($.s)', { s: '{not json' }],
    ['States.ArrayPartition($.a, 0)', { a: [1] }],
    ['States.ArrayGetItem($.a, 3)', { a: [1, 2] }],
    ['States.ArrayLength($.s)', { s: 'not an array' }],
    ['States.ArrayRange(1, 2000, 1)', {}],
    ["States.Hash('x', 'SHA-3')", {}],
    ['States.JsonMerge($.a, $.b, true)', { a: {}, b: {} }],
    ["States.MathAdd('1', 2)", {}],
    ['States.MathRandom(5, 5)', {}],
    ["States.Base64Decode('%%%')", {}],
  ];
  for (const [expr, input] of failures) {
    it(`${expr} fails with States.IntrinsicFailure`, async () => {
      const r = await evaluate(expr, input);
      expect(r.error).to.equal('States.IntrinsicFailure');
      expect(r.cause).to.be.a('string').and.not.equal('');
    });
  }

  it('a malformed or unknown intrinsic is an invalid definition, named when the machine is created', () => {
    const { engine } = harness();
    const create = (expr: string) => () =>
      engine.createStateMachine({ name: `bad${expr.length}`, definition: JSON.stringify(single({ Type: 'Pass', Parameters: { 'v.$': expr } })) });
    expect(create('States.Nope(1)')).to.throw(/InvalidDefinition|unknown function/).with.property('name', 'InvalidDefinition');
    expect(create("States.Format('x'")).to.throw().with.property('name', 'InvalidDefinition');
  });
});
