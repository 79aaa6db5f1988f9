/**
 * `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`: the Task's Parameters are the
 * DynamoDB request in low-level AttributeValue JSON, sent unchanged through a real DynamoDBClient
 * (DynamoDB Local in local mode); the result is DynamoDB's response plus the SDK envelope, and
 * errors carry the names Step Functions gives them (see service-errors.ts).
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { TaskFailure, type TaskHandler, type TaskRequest, type TaskResolver } from '../engine/types.ts';
import { attributeMapToSdk, sdkOutputToJson } from './attribute-values.ts';
import { whileHoldingClock } from './hold-clock.ts';
import { sdkEnvelope } from './sdk-metadata.ts';
import { DynamoDbNaming, invalidParameters, serviceTaskFailure } from './service-errors.ts';

const resourcePattern = /^arn:aws[a-z-]*:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/;

type AttributeValue = { [type: string]: unknown };
const AttributeValue: z.ZodType<AttributeValue> = z.lazy(() =>
  z.union([
    z.strictObject({ S: z.string() }),
    z.strictObject({ N: z.string() }),
    z.strictObject({ B: z.string() }),
    z.strictObject({ SS: z.array(z.string()) }),
    z.strictObject({ NS: z.array(z.string()) }),
    z.strictObject({ BS: z.array(z.string()) }),
    z.strictObject({ M: z.record(z.string(), AttributeValue) }),
    z.strictObject({ L: z.array(AttributeValue) }),
    z.strictObject({ NULL: z.boolean() }),
    z.strictObject({ BOOL: z.boolean() }),
  ]),
);
const AttributeMap = z.record(z.string(), AttributeValue);

const common = {
  TableName: z.string().min(1),
  ExpressionAttributeNames: z.record(z.string(), z.string()).optional(),
  ReturnConsumedCapacity: z.enum(['INDEXES', 'TOTAL', 'NONE']).optional(),
};
const write = {
  ...common,
  ConditionExpression: z.string().optional(),
  ConditionalOperator: z.enum(['AND', 'OR']).optional(),
  Expected: z.record(z.string(), z.unknown()).optional(),
  ExpressionAttributeValues: AttributeMap.optional(),
  ReturnItemCollectionMetrics: z.enum(['SIZE', 'NONE']).optional(),
  ReturnValues: z.enum(['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']).optional(),
  ReturnValuesOnConditionCheckFailure: z.enum(['ALL_OLD', 'NONE']).optional(),
};

// Step Functions accepts only these fields for each action; strict objects name any other one.
const Requests = {
  getItem: z.strictObject({
    ...common,
    Key: AttributeMap,
    AttributesToGet: z.array(z.string()).optional(),
    ConsistentRead: z.boolean().optional(),
    ProjectionExpression: z.string().optional(),
  }),
  putItem: z.strictObject({ ...write, Item: AttributeMap }),
  deleteItem: z.strictObject({ ...write, Key: AttributeMap }),
  updateItem: z.strictObject({
    ...write,
    Key: AttributeMap,
    UpdateExpression: z.string().optional(),
    AttributeUpdates: z.record(z.string(), z.unknown()).optional(),
  }),
} as const;
type Action = keyof typeof Requests;

/** The SDK command for an action; the schemas above already pinned the input's shape. */
function command(action: Action, input: Record<string, unknown>) {
  switch (action) {
    case 'getItem':
      return new GetItemCommand(input as never);
    case 'putItem':
      return new PutItemCommand(input as never);
    case 'deleteItem':
      return new DeleteItemCommand(input as never);
    case 'updateItem':
      return new UpdateItemCommand(input as never);
  }
}

type AnyCommand = ReturnType<typeof command>;
function send(client: DynamoDBClient, cmd: AnyCommand, signal: AbortSignal) {
  // One call site per command type keeps the SDK's overloads happy.
  if (cmd instanceof GetItemCommand) return client.send(cmd, { abortSignal: signal });
  if (cmd instanceof PutItemCommand) return client.send(cmd, { abortSignal: signal });
  if (cmd instanceof DeleteItemCommand) return client.send(cmd, { abortSignal: signal });
  return client.send(cmd, { abortSignal: signal });
}

export interface DynamoDbResolverOptions {
  client: DynamoDBClient;
}

export function dynamoDbResolver(options: DynamoDbResolverOptions): TaskResolver {
  return {
    resolve(resource) {
      const action = resourcePattern.exec(resource)?.[1] as Action | undefined;
      return action ? callDynamoDb(options.client, action) : undefined;
    },
  };
}

function callDynamoDb(client: DynamoDBClient, action: Action): TaskHandler {
  return async (req: TaskRequest) => {
    if (req.pattern) {
      throw new TaskFailure('States.Runtime', `The DynamoDB integration does not support .${req.pattern} (state '${req.stateName}').`);
    }
    const parsed = Requests[action].safeParse(req.parameters);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'Parameters'}: ${i.message}`).join('; ');
      throw invalidParameters(DynamoDbNaming, `Invalid ${action} Parameters in state '${req.stateName}': ${problems}`);
    }
    const input = { ...parsed.data } as Record<string, unknown>;
    for (const field of ['Key', 'Item', 'ExpressionAttributeValues']) {
      if (input[field] !== undefined) input[field] = attributeMapToSdk(input[field]);
    }
    const cmd = command(action, input);
    const output = await whileHoldingClock(req.clock, () =>
      send(client, cmd, req.signal).catch((err: unknown) => {
        if (req.signal.aborted) throw err;
        throw serviceTaskFailure(DynamoDbNaming, err);
      }),
    );
    const body = sdkOutputToJson(output) as Record<string, unknown>;
    return { ...body, ...sdkEnvelope(output.$metadata.requestId, 'application/x-amz-json-1.0', output.$metadata.httpStatusCode) };
  };
}
