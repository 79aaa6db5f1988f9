/**
 * Every integration local mode serves, in one list for the engine: Lambda handlers in process,
 * DynamoDB and SQS through real SDK clients pointed at the local servers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { TaskResolver } from '../engine/types.ts';
import { dynamoDbResolver } from './dynamodb.ts';
import { lambdaResolver, type LambdaResolverOptions } from './lambda.ts';
import { sqsResolver } from './sqs.ts';

export interface LocalResolversOptions {
  lambda: LambdaResolverOptions;
  /** Endpoints of DynamoDB Local and the SQS server, or ready clients. */
  dynamoDb: { endpoint: string } | { client: DynamoDBClient };
  sqs: { endpoint: string } | { client: SQSClient };
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function localResolvers(options: LocalResolversOptions): TaskResolver[] {
  const region = options.region ?? 'us-east-1';
  const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = 'client' in options.dynamoDb ? options.dynamoDb.client : new DynamoDBClient({ region, credentials, endpoint: options.dynamoDb.endpoint });
  const sqs = 'client' in options.sqs ? options.sqs.client : new SQSClient({ region, credentials, endpoint: options.sqs.endpoint });
  return [
    lambdaResolver({ region, ...options.lambda }),
    dynamoDbResolver({ client: dynamo }),
    sqsResolver({ client: sqs }),
  ];
}
