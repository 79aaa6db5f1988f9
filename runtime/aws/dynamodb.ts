/** The DynamoDB document client the record store writes through, built once per process in a Lambda. */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig, endpointFromEnv, type ClientOptions } from './client-options.ts';

export type DynamoDbClientOptions = ClientOptions<DynamoDBClientConfig['credentials']>;

/**
 * Record attributes are optional, so `undefined` fields are dropped rather than rejected; everything
 * else is converted as lib-dynamodb does by default.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createDocumentClient(options: DynamoDbClientOptions = {}): DynamoDBDocumentClient {
  return documentClient(new DynamoDBClient(clientConfig(options)));
}

let fromEnvironment: DynamoDBDocumentClient | undefined;

/** The deployed handler's client: region and credentials from the environment, endpoint from `AWS_ENDPOINT_URL_DYNAMODB`. */
export function documentClientFromEnv(): DynamoDBDocumentClient {
  fromEnvironment ??= createDocumentClient({ endpoint: endpointFromEnv('DYNAMODB') });
  return fromEnvironment;
}
