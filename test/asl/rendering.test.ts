import { expect } from 'chai';
import {
  Condition,
  Duration,
  JsonPath,
  Map,
  Parallel,
  Pass,
  States,
  Succeed,
  Task,
  buildStateMachine,
  dynamoPutItem,
  dynamoUpdateItem,
  lambdaInvoke,
  sqsSendMessage,
  toMermaid,
} from '../../asl/index.ts';
import { Choice } from '../../asl/index.ts';

describe('DSL rendering', () => {
  const build = (order: 'ab' | 'ba') =>
    buildStateMachine({
      comment: 'demo',
      timeout: Duration.hours(2),
      startWith: new Task('Call', {
        resource: 'arn:aws:states:::lambda:invoke',
        parameters: order === 'ab' ? { a: 1, b: JsonPath.at('$.b') } : { b: JsonPath.at('$.b'), a: 1 },
        timeout: Duration.minutes(5),
      }),
    });

  it('renders the same bytes for the same graph, with payload keys sorted', () => {
    expect(build('ab').render()).to.equal(build('ba').render());
    expect(Object.keys(build('ab').definition)).to.deep.equal(['Comment', 'StartAt', 'TimeoutSeconds', 'States']);
    expect(build('ab').definition).to.include({ Comment: 'demo', StartAt: 'Call', TimeoutSeconds: 7200 });
  });

  it('writes run-time values under .$ keys and durations as whole seconds', () => {
    const call = (build('ab').definition.States as Record<string, Record<string, unknown>>).Call;
    expect(call).to.deep.include({ Parameters: { a: 1, 'b.$': '$.b' }, TimeoutSeconds: 300 });
    expect(() => Duration.seconds(1.5)).to.throw('Duration must be a whole, non-negative number of seconds; got 1.5 seconds');
  });

  it('quotes intrinsic literals and references variables', () => {
    expect(States.format("it's {}", JsonPath.variable('name')).text).to.equal("States.Format('it\\'s {}', $name)");
    expect(States.mathAdd(JsonPath.variable('n'), 1).text).to.equal('States.MathAdd($n, 1)');
    expect(States.array('a{b}', 2, true).text).to.equal("States.Array('a\\{b\\}', 2, true)");
    expect(States.jsonToString(JsonPath.variable('failure', 'details')).text).to.equal('States.JsonToString($failure.details)');
    expect(() => JsonPath.variable('1bad')).to.throw("Invalid variable name '1bad'");
  });

  it('renders typed conditions, including And/Or/Not and *Path variants', () => {
    const choice = new Choice('C')
      .when(Condition.and(Condition.stringEquals('$.s', 'x'), Condition.not(Condition.numberLessThanPath('$n', '$.max'))), new Succeed('A'), {
        assign: { picked: 'A' },
      })
      .when(Condition.or(Condition.isNull('$.v'), Condition.timestampGreaterThan('$.t', '2026-01-01T00:00:00Z')), new Succeed('B'))
      .otherwise(new Succeed('D'));
    const json = (buildStateMachine({ startWith: choice }).definition.States as Record<string, { Choices: unknown[] }>).C;
    expect(json?.Choices[0]).to.deep.equal({
      And: [{ Variable: '$.s', StringEquals: 'x' }, { Not: { Variable: '$n', NumericLessThanPath: '$.max' } }],
      Assign: { picked: 'A' },
      Next: 'A',
    });
    expect(json?.Choices[1]).to.deep.equal({
      Or: [{ Variable: '$.v', IsNull: true }, { Variable: '$.t', TimestampGreaterThan: '2026-01-01T00:00:00Z' }],
      Next: 'B',
    });
  });

  it('renders the integrations and collects their permissions', () => {
    const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:f';
    const table = { name: 't', arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t' };
    const queue = { url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' };
    const invoke = lambdaInvoke('Invoke', { functionArn: fn, payload: { id: JsonPath.executionInput('id') } });
    const wait = lambdaInvoke('WaitForWorker', { functionArn: fn, payload: { token: JsonPath.taskToken }, waitForTaskToken: true, heartbeat: Duration.minutes(1) });
    const update = dynamoUpdateItem('Update', { table, key: { PK: { S: 'x' } }, updateExpression: 'SET a = :a', expressionAttributeValues: { ':a': { S: 'b' } } });
    const put = dynamoPutItem('Put', { table, item: { PK: { S: 'x' } } });
    const send = sqsSendMessage('Send', { queue, messageBody: { hello: JsonPath.at('$.who') } });
    const sm = buildStateMachine({ startWith: invoke.next(wait).next(update).next(put).next(send) });
    const states = sm.definition.States as Record<string, Record<string, unknown>>;
    expect(states.Invoke).to.deep.include({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn, Payload: { 'id.$': '$$.Execution.Input.id' } } });
    expect(states.WaitForWorker).to.deep.include({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', HeartbeatSeconds: 60 });
    expect(states.Update).to.deep.include({ Resource: 'arn:aws:states:::dynamodb:updateItem' });
    expect(states.Send).to.deep.include({ Parameters: { MessageBody: { 'hello.$': '$.who' }, QueueUrl: queue.url } });
    expect(sm.permissions()).to.deep.equal([
      { actions: ['dynamodb:PutItem'], resources: [table.arn] },
      { actions: ['dynamodb:UpdateItem'], resources: [table.arn] },
      { actions: ['lambda:InvokeFunction'], resources: [fn, `${fn}:*`] },
      { actions: ['sqs:SendMessage'], resources: [queue.arn] },
    ]);
  });

  it('renders Parallel branches and an inline Map item processor as nested graphs', () => {
    const map = new Map('Each', { itemsPath: '$.items', maxConcurrency: 2, itemSelector: { item: JsonPath.at('$$.Map.Item.Value') } }).itemProcessor(new Pass('One'));
    const parallel = new Parallel('Both').branch(new Pass('Left'), map);
    const json = (buildStateMachine({ startWith: parallel }).definition.States as Record<string, { Branches: Record<string, unknown>[] }>).Both;
    expect(json?.Branches[0]).to.deep.equal({ StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } });
    expect((json?.Branches[1]?.States as Record<string, unknown>).Each).to.deep.include({
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemSelector: { 'item.$': '$$.Map.Item.Value' },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'One', States: { One: { Type: 'Pass', End: true } } },
    });
  });

  it('draws a definition as a Mermaid flowchart', () => {
    const choice = new Choice('Pick').when(Condition.isPresent('$.x'), new Succeed('Yes'), { comment: 'has x' }).otherwise(new Pass('No'));
    const text = toMermaid(buildStateMachine({ startWith: choice }).definition);
    expect(text).to.contain('Pick{"Pick"}');
    expect(text).to.contain('Pick -->|has x| Yes');
    expect(text).to.contain('Pick -->|otherwise| No');
    expect(text).to.contain('No --> succeeded');
  });
});
