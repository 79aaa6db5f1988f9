import { expect } from 'chai';
import fc from 'fast-check';
import { JsonPath, States, expressionProblem, pathProblem } from '../../asl/index.ts';

describe('DSL path and intrinsic syntax', () => {
  it('accepts the paths ASL allows', () => {
    for (const path of ['$', '$.a', '$.a.b_c-d', "$.a['b c']", '$.items[0]', '$[1]', '$$.Execution.Input.callId', '$$.Map.Item.Value', '$pollCount', '$failure.details.error']) {
      expect(pathProblem(path, 'reference'), path).to.equal(undefined);
    }
    for (const path of ['$..name', '$.items[*].id', '$.items[?(@.size > 1)]', '$.items[0:2]', '$.a.*']) {
      expect(pathProblem(path, 'path'), path).to.equal(undefined);
    }
    expect(pathProblem('$.result', 'result')).to.equal(undefined);
  });

  it('accepts every expression the intrinsic helpers build', () => {
    const n = JsonPath.variable('n');
    const list = JsonPath.at('$.list');
    const built = [
      States.format('{} and {}', n, "it's"),
      States.stringToJson(JsonPath.at('$.s')),
      States.jsonToString(JsonPath.at('$')),
      States.array(1, 'two', n),
      States.arrayPartition(list, 2),
      States.arrayContains(list, 'x'),
      States.arrayRange(1, 9, 2),
      States.arrayGetItem(list, 0),
      States.arrayLength(list),
      States.arrayUnique(list),
      States.base64Encode('abc'),
      States.base64Decode(JsonPath.at('$.b')),
      States.hash(JsonPath.at('$.v'), 'SHA-256'),
      States.jsonMerge(JsonPath.at('$.a'), JsonPath.at('$.b'), false),
      States.mathRandom(1, 10),
      States.mathAdd(n, -1),
      States.stringSplit('a,b', ','),
      States.uuid(),
      States.format('{}', States.mathAdd(n, 1)),
    ];
    for (const expr of built) expect(expressionProblem(expr.text), expr.text).to.equal(undefined);
  });

  it('quotes any literal text so the call stays well formed and the text reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const expr = States.array(text).text;
        expect(expressionProblem(expr), expr).to.equal(undefined);
        const literal = expr.slice('States.Array('.length + 1, -2);
        expect(literal.replace(/\\(.)/gs, '$1')).to.equal(text);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts field paths built from any plain field names', () => {
    const field = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/);
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 5 }), (fields) => {
        expect(pathProblem(`$.${fields.join('.')}`, 'reference')).to.equal(undefined);
        expect(pathProblem(`$.${fields.join('.')}.`, 'path')).to.be.a('string');
      }),
    );
  });
});
