/**
 * The AWS SDK clients the handlers use, created once per process on first use.
 *
 * Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL` variables, so
 * the same code talks to AWS, DynamoDB Local, fauxqs and the local Step Functions endpoint. The SDK
 * reads those variables itself, but we read them too and pass them as `endpoint`: SQSClient sends
 * each request to the host inside the QueueUrl unless `endpoint` is set in its config, and a local
 * server's queue URLs name hosts that do not resolve (fauxqs: `sqs.<region>.localhost`).
 * test/runtime/deployed-handlers.test.ts runs handlers configured by these variables alone.
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

/** `AWS_ENDPOINT_URL_<SERVICE ID>` then `AWS_ENDPOINT_URL`, as the SDK resolves them. */
export function endpointFromEnv(serviceEnvSuffix: 'DYNAMODB' | 'SQS' | 'SFN', env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`] || env.AWS_ENDPOINT_URL || undefined;
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
  fromEnvironment ??= createAwsClients({
    endpoints: { dynamodb: endpointFromEnv('DYNAMODB'), sqs: endpointFromEnv('SQS'), sfn: endpointFromEnv('SFN') },
  });
  return fromEnvironment;
}
