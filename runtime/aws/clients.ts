/**
 * All three clients at once, for the local mode and the test suites, which run every handler in one
 * process. Lambda handlers must not import this module: it loads every client, and a bundle pays for
 * each SDK package it imports on every cold start. They import the per-service modules instead
 * (dynamodb.ts, sqs.ts, sfn.ts; store-from-env.ts and ocp-from-env.ts for their deps).
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient, documentClientFromEnv } from './dynamodb.ts';
import { createSqsClient, sqsClientFromEnv } from './sqs.ts';
import { createSfnClient, sfnClientFromEnv } from './sfn.ts';

export { documentClient } from './dynamodb.ts';
export { endpointFromEnv } from './client-options.ts';

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

/** Clients built lazily: a caller that only needs DynamoDB never constructs an SQS client. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = { region: options.region, credentials: options.credentials };
  let ddb: DynamoDBDocumentClient | undefined;
  let sqs: SQSClient | undefined;
  let sfn: SFNClient | undefined;
  return {
    get ddb() {
      ddb ??= createDocumentClient({ ...base, endpoint: options.endpoints?.dynamodb });
      return ddb;
    },
    get sqs() {
      sqs ??= createSqsClient({ ...base, endpoint: options.endpoints?.sqs });
      return sqs;
    },
    get sfn() {
      sfn ??= createSfnClient({ ...base, endpoint: options.endpoints?.sfn });
      return sfn;
    },
  };
}

/** The process-wide clients from the environment: the same instances the per-service `*FromEnv` return. */
export function awsClientsFromEnv(): AwsClients {
  return {
    get ddb() {
      return documentClientFromEnv();
    },
    get sqs() {
      return sqsClientFromEnv();
    },
    get sfn() {
      return sfnClientFromEnv();
    },
  };
}
