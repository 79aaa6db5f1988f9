import { Task } from '../states/task.ts';
import type { ResultProps } from '../states/retryable.ts';
import type { Template } from '../template.ts';
import { arnOf, tableName, type TableRef } from './resource-ref.ts';

interface WriteProps extends ResultProps {
  table: TableRef;
  conditionExpression?: string;
  expressionAttributeNames?: Record<string, string>;
  /** DynamoDB-typed values, e.g. { ':s': { S: JsonPath.variable('status') } }. */
  expressionAttributeValues?: Template;
}

export interface UpdateItemProps extends WriteProps {
  key: Template;
  updateExpression: string;
}

export interface PutItemProps extends WriteProps {
  item: Template;
}

export function dynamoUpdateItem(name: string, props: UpdateItemProps): Task {
  const { table, key, updateExpression, conditionExpression, expressionAttributeNames, expressionAttributeValues, ...rest } = props;
  return new Task(name, {
    ...rest,
    resource: 'arn:aws:states:::dynamodb:updateItem',
    parameters: {
      TableName: tableName(table),
      Key: key,
      UpdateExpression: updateExpression,
      ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
      ...(expressionAttributeNames ? { ExpressionAttributeNames: expressionAttributeNames } : {}),
      ...(expressionAttributeValues ? { ExpressionAttributeValues: expressionAttributeValues } : {}),
    },
    permissions: [{ actions: ['dynamodb:UpdateItem'], resources: [arnOf(table)] }],
  });
}

export function dynamoPutItem(name: string, props: PutItemProps): Task {
  const { table, item, conditionExpression, expressionAttributeNames, expressionAttributeValues, ...rest } = props;
  return new Task(name, {
    ...rest,
    resource: 'arn:aws:states:::dynamodb:putItem',
    parameters: {
      TableName: tableName(table),
      Item: item,
      ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
      ...(expressionAttributeNames ? { ExpressionAttributeNames: expressionAttributeNames } : {}),
      ...(expressionAttributeValues ? { ExpressionAttributeValues: expressionAttributeValues } : {}),
    },
    permissions: [{ actions: ['dynamodb:PutItem'], resources: [arnOf(table)] }],
  });
}
