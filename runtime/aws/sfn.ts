/** The Step Functions client the trigger starts executions with, built once per process in a Lambda. */
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import { clientConfig, endpointFromEnv, type ClientOptions } from './client-options.ts';

export type SfnClientOptions = ClientOptions<SFNClientConfig['credentials']>;

export function createSfnClient(options: SfnClientOptions = {}): SFNClient {
  return new SFNClient(clientConfig(options));
}

let fromEnvironment: SFNClient | undefined;

/** The deployed handler's client: endpoint from `AWS_ENDPOINT_URL_SFN` (the local Step Functions API in tests). */
export function sfnClientFromEnv(): SFNClient {
  fromEnvironment ??= createSfnClient({ endpoint: endpointFromEnv('SFN') });
  return fromEnvironment;
}
