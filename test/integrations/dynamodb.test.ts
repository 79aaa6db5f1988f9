import { expect } from 'chai';
import { provisionTable } from '../../local/services/provision.ts';
import { rejectionOf } from '../support/rejection.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TaskFailure, type TaskHandler } from '../../local/engine/types.ts';
import { dynamoDbResolver } from '../../local/integrations/dynamodb.ts';
import { freePort } from '../../local/services/ports.ts';
import { dynamoDbLocal, localAws } from '../support/services.ts';
import { taskRequest } from './task-request.ts';

const arn = (action: string) => `arn:aws:states:::dynamodb:${action}`;

describe('DynamoDB integration (against DynamoDB Local)', function () {
  this.timeout(30_000);
  const TableName = `h3-ddb-${Date.now()}`;
  let client: DynamoDBClient;
  let call: (action: string, parameters: unknown) => Promise<Record<string, unknown>>;

  before(async () => {
    const { endpoint } = await dynamoDbLocal();
    client = new DynamoDBClient({ ...localAws, endpoint });
    // The project's own table definition (PK/SK, StatusIndex), as local mode provisions it.
    await provisionTable(client, TableName);
    const resolver = dynamoDbResolver({ client });
    call = async (action, parameters) => {
      const handler: TaskHandler | undefined = resolver.resolve(arn(action));
      if (!handler) throw new Error(`unresolved ${action}`);
      return (await handler(taskRequest(arn(action), parameters))) as Record<string, unknown>;
    };
  });
  after(() => client.destroy());

  const key = { PK: { S: 'CALL#DG-1' }, SK: { S: 'RECONCILIATION' } };
  const item = {
    ...key,
    status: { S: 'IN_PROGRESS' },
    polls: { N: '3' },
    blob: { B: Buffer.from('binary!').toString('base64') },
    tags: { SS: ['a', 'b'] },
    meta: { M: { channels: { N: '2' }, list: { L: [{ BOOL: true }, { NULL: true }] } } },
  };

  it('putItem writes the AttributeValue JSON as given and answers with the SDK envelope only', async () => {
    const result = await call('putItem', { TableName, Item: item });
    expect(Object.keys(result)).to.have.members(['SdkHttpMetadata', 'SdkResponseMetadata']);
    expect((result.SdkHttpMetadata as { HttpStatusCode: number }).HttpStatusCode).to.equal(200);
  });

  it('getItem answers with the Item in the same AttributeValue JSON (binary as base64)', async () => {
    const result = await call('getItem', { TableName, Key: key, ConsistentRead: true });
    expect(result.Item).to.deep.equal(item);
    const missing = await call('getItem', { TableName, Key: { PK: { S: 'CALL#none' }, SK: { S: 'RECONCILIATION' } } });
    expect(missing).to.not.have.property('Item');
  });

  it('updateItem applies the expression and returns Attributes as ReturnValues asks', async () => {
    const result = await call('updateItem', {
      TableName,
      Key: key,
      UpdateExpression: 'SET #s = :s ADD polls :one',
      ConditionExpression: '#s = :from',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'COMPLETED' }, ':one': { N: '1' }, ':from': { S: 'IN_PROGRESS' } },
      ReturnValues: 'UPDATED_NEW',
    });
    expect(result.Attributes).to.deep.equal({ status: { S: 'COMPLETED' }, polls: { N: '4' } });
  });

  it('a failed condition is DynamoDB.ConditionalCheckFailedException with the Java SDK cause format', async () => {
    const failure = await rejectionOf(
      call('putItem', { TableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }),
      TaskFailure,
    );
    expect(failure.error).to.equal('DynamoDB.ConditionalCheckFailedException');
    expect(failure.causeText).to.match(
      /\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: .+; Proxy: null\)$/,
    );
  });

  it('a missing table is DynamoDB.ResourceNotFoundException; a rejected expression is DynamoDB.AmazonDynamoDBException', async () => {
    const missing = await rejectionOf(call('getItem', { TableName: 'no-such-table', Key: key }), TaskFailure);
    expect(missing.error).to.equal('DynamoDB.ResourceNotFoundException');
    const invalid = await rejectionOf(
      call('updateItem', { TableName, Key: key, UpdateExpression: 'SET #undefinedName = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } }),
      TaskFailure,
    );
    expect(invalid.error).to.equal('DynamoDB.AmazonDynamoDBException');
    expect(invalid.causeText).to.contain('Error Code: ValidationException');
  });

  it('deleteItem returns the old item with ReturnValues ALL_OLD', async () => {
    const result = await call('deleteItem', { TableName, Key: key, ReturnValues: 'ALL_OLD' });
    expect((result.Attributes as Record<string, unknown>).status).to.deep.equal({ S: 'COMPLETED' });
    const after = await call('getItem', { TableName, Key: key, ConsistentRead: true });
    expect(after).to.not.have.property('Item');
  });

  it('names a field Step Functions does not pass, and a malformed AttributeValue, before calling DynamoDB', async () => {
    const extra = await rejectionOf(call('putItem', { TableName, Item: item, Limit: 3 }), TaskFailure);
    expect(extra.error).to.equal('DynamoDB.AmazonDynamoDBException');
    expect(extra.causeText).to.contain('Limit');
    const malformed = await rejectionOf(call('putItem', { TableName, Item: { PK: 'plain string' } }), TaskFailure);
    expect(malformed.causeText).to.contain('Item.PK');
  });

  it('resolves only the four optimised actions', () => {
    const resolver = dynamoDbResolver({ client });
    for (const action of ['getItem', 'putItem', 'updateItem', 'deleteItem']) expect(resolver.resolve(arn(action))).to.be.a('function');
    expect(resolver.resolve(arn('query'))).to.equal(undefined);
    expect(resolver.resolve('arn:aws:states:::aws-sdk:dynamodb:putItem')).to.equal(undefined);
  });

  it('a DynamoDB that cannot be reached is DynamoDB.SdkClientException', async () => {
    const port = await freePort();
    const unreachable = new DynamoDBClient({ ...localAws, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const handler = dynamoDbResolver({ client: unreachable }).resolve(arn('getItem'))!;
    const failure = await rejectionOf(handler(taskRequest(arn('getItem'), { TableName, Key: key })), TaskFailure);
    unreachable.destroy();
    expect(failure.error).to.equal('DynamoDB.SdkClientException');
    expect(failure.causeText).to.match(/^Unable to execute HTTP request/);
  });
});
