import { expect } from 'chai';
import { provisionTable } from '../../local/services/provision.ts';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { StepFunctionsEngine } from '../../local/engine/types.ts';
import { localResolvers } from '../../local/integrations/local-resolvers.ts';
import { startStepFunctionsApi, type StepFunctionsApi } from '../../local/sfn-api/server.ts';
import { dynamoDbLocal, localAws, sqsS3Local } from '../support/services.ts';
import { createEngine, virtualClock } from '../sfn-api/engine-fixture.ts';

describe('a state machine whose Tasks use DynamoDB Local, fauxqs and a local Lambda', function () {
  this.timeout(30_000);
  const TableName = `h3-flow-${Date.now()}`;
  let ddb: DynamoDBClient;
  let sqs: SQSClient;
  let sfn: SFNClient;
  let engine: StepFunctionsEngine;
  let api: StepFunctionsApi;
  let QueueUrl: string;

  before(async () => {
    const [dynamo, fauxqs] = await Promise.all([dynamoDbLocal(), sqsS3Local()]);
    ddb = new DynamoDBClient({ ...localAws, endpoint: dynamo.endpoint });
    sqs = new SQSClient({ ...localAws, endpoint: fauxqs.endpoint });
    // The project's own table definition (PK/SK, StatusIndex), as local mode provisions it.
    await provisionTable(ddb, TableName);
    ({ QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `h3-flow-${Date.now()}` })));
    engine = await createEngine({
      clock: virtualClock(),
      resolvers: localResolvers({
        region: localAws.region,
        credentials: localAws.credentials,
        dynamoDb: { client: ddb },
        sqs: { client: sqs },
        lambda: {
          functions: {
            describeCall: async (event: { dialogGroupId: string; callId: string }) => ({
              label: `${event.dialogGroupId}/${event.callId}`,
            }),
          },
        },
      }),
    });
    api = await startStepFunctionsApi({ engine });
    sfn = new SFNClient({ ...localAws, endpoint: api.endpoint, maxAttempts: 1 });
  });
  after(async () => {
    sfn.destroy();
    await api.stop();
    await engine.close();
    ddb.destroy();
    sqs.destroy();
  });

  const key = (dg: string) => ({ PK: { 'S.$': `States.Format('CALL#{}', ${dg})` }, SK: { S: 'RECONCILIATION' } });
  const definition = () => ({
    StartAt: 'Record',
    States: {
      Record: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: {
          TableName,
          Item: { ...key('$.dialogGroupId'), status: { S: 'IN_PROGRESS' }, 'callId': { 'S.$': '$.callId' } },
        },
        ResultPath: null,
        Next: 'Describe',
      },
      Describe: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'describeCall', 'Payload.$': '$' },
        ResultSelector: { 'label.$': '$.Payload.label', 'status.$': '$.StatusCode' },
        ResultPath: '$.described',
        Next: 'Download',
      },
      Download: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: { QueueUrl, MessageBody: { 'taskToken.$': '$$.Task.Token', 'dialogGroupId.$': '$.dialogGroupId' } },
        ResultPath: '$.download',
        Next: 'Complete',
      },
      Complete: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Parameters: {
          TableName,
          Key: key('$.dialogGroupId'),
          UpdateExpression: 'SET #s = :s, #l = :l',
          ExpressionAttributeNames: { '#s': 'status', '#l': 'location' },
          ExpressionAttributeValues: { ':s': { S: 'COMPLETED' }, ':l': { 'S.$': '$.download.location' } },
        },
        ResultPath: null,
        Next: 'Read',
      },
      Read: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:getItem',
        Parameters: { TableName, Key: key('$.dialogGroupId'), ConsistentRead: true },
        ResultSelector: { 'status.$': '$.Item.status.S', 'location.$': '$.Item.location.S' },
        ResultPath: '$.record',
        Next: 'RecordAgain',
      },
      RecordAgain: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: { TableName, Item: key('$.dialogGroupId'), ConditionExpression: 'attribute_not_exists(PK)' },
        Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.conflict', Next: 'Done' }],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  });

  it('writes the record, hands a task token to the worker queue, resumes on SendTaskSuccess and catches a DynamoDB error', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: `flow-${Date.now()}`, definition: JSON.stringify(definition()), roleArn: 'arn:aws:iam::000000000000:role/sfn' }),
    );
    const input = { dialogGroupId: 'DG-2024-001234', callId: 'CALL-5678-ABCD' };
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));

    // The worker: take the message from the queue and report through the task token.
    let message;
    for (let i = 0; i < 20 && !message; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }));
      message = got.Messages?.[0];
    }
    expect(message, 'worker message').to.not.equal(undefined);
    const body = JSON.parse(message!.Body!) as { taskToken: string; dialogGroupId: string };
    expect(body.dialogGroupId).to.equal(input.dialogGroupId);
    const during = await ddb.send(new GetItemCommand({ TableName, Key: { PK: { S: `CALL#${input.dialogGroupId}` }, SK: { S: 'RECONCILIATION' } }, ConsistentRead: true }));
    expect(during.Item?.status?.S).to.equal('IN_PROGRESS');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message!.ReceiptHandle! }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: body.taskToken, output: JSON.stringify({ location: 's3://recordings/DG.wav' }) }));

    await engine.waitForExecution(executionArn!);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status, done.cause).to.equal('SUCCEEDED');
    const output = JSON.parse(done.output!) as Record<string, unknown>;
    expect(output.described).to.deep.equal({ label: 'DG-2024-001234/CALL-5678-ABCD', status: 200 });
    expect(output.download).to.deep.equal({ location: 's3://recordings/DG.wav' });
    expect(output.record).to.deep.equal({ status: 'COMPLETED', location: 's3://recordings/DG.wav' });
    expect((output.conflict as { Error: string }).Error).to.equal('DynamoDB.ConditionalCheckFailedException');

    const stored = await ddb.send(new GetItemCommand({ TableName, Key: { PK: { S: `CALL#${input.dialogGroupId}` }, SK: { S: 'RECONCILIATION' } }, ConsistentRead: true }));
    expect(stored.Item?.status?.S).to.equal('COMPLETED');
    expect(stored.Item?.callId?.S).to.equal(input.callId);

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const entered = history.events!.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).to.deep.equal(['Record', 'Describe', 'Download', 'Complete', 'Read', 'RecordAgain', 'Done']);
  });
});
