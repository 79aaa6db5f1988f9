/** The SQS client (trigger: input DLQ; notifyDownloadService: worker queue), built once per process in a Lambda. */
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { clientConfig, endpointFromEnv, type ClientOptions } from './client-options.ts';

export type SqsClientOptions = ClientOptions<SQSClientConfig['credentials']>;

export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  return new SQSClient(clientConfig(options));
}

let fromEnvironment: SQSClient | undefined;

/** The deployed handler's client; `endpoint` is always passed when set (see client-options.ts for why). */
export function sqsClientFromEnv(): SQSClient {
  fromEnvironment ??= createSqsClient({ endpoint: endpointFromEnv('SQS') });
  return fromEnvironment;
}
