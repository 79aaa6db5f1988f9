/**
 * The AWS SDK clients the handlers use, created once per process on first use.
 *
 * Endpoints are not configured here on purpose: SDK v3 (>= 3.4xx) reads `AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_SFN` (or the catch-all `AWS_ENDPOINT_URL`) itself, so the
 * same code talks to AWS, DynamoDB Local, fauxqs and the local Step Functions endpoint. The test
 * `test/runtime/aws-clients.test.ts` pins that behaviour down for the installed SDK.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface AwsClients {
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
}

/** What all three clients share; the test suites pass local credentials and endpoints here. */
export interface AwsClientOptions {
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
  endpoints?: { dynamodb?: string; sqs?: string; sfn?: string };
}

/**
 * Record attributes are optional, so `undefined` fields are dropped rather than rejected; everything
 * else is converted as lib-dynamodb does by default.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Clients built lazily: a handler that only needs DynamoDB never constructs an SQS client. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const at = (endpoint: string | undefined) => (endpoint ? { endpoint } : {});
  let ddb: DynamoDBDocumentClient | undefined;
  let sqs: SQSClient | undefined;
  let sfn: SFNClient | undefined;
  return {
    get ddb() {
      ddb ??= documentClient(new DynamoDBClient({ ...base, ...at(options.endpoints?.dynamodb) }));
      return ddb;
    },
    get sqs() {
      sqs ??= new SQSClient({ ...base, ...at(options.endpoints?.sqs) });
      return sqs;
    },
    get sfn() {
      sfn ??= new SFNClient({ ...base, ...at(options.endpoints?.sfn) });
      return sfn;
    },
  };
}

let fromEnvironment: AwsClients | undefined;

/** The process-wide clients of a deployed handler: region, credentials and endpoints from the environment. */
export function awsClientsFromEnv(): AwsClients {
  fromEnvironment ??= createAwsClients();
  return fromEnvironment;
}
