/**
 * What every AWS SDK client here is built from. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL` variables, so the same code talks to AWS,
 * DynamoDB Local, fauxqs and the local Step Functions endpoint. The SDK reads those variables
 * itself, but we read them too and pass them as `endpoint`: SQSClient sends each request to the host
 * inside the QueueUrl unless `endpoint` is set in its config, and a local server's queue URLs name
 * hosts that do not resolve (fauxqs: `sqs.<region>.localhost`).
 * test/runtime/deployed-handlers.test.ts runs handlers configured by these variables alone.
 *
 * No SDK import here: each service has its own module (dynamodb.ts, sqs.ts, sfn.ts) so a Lambda
 * bundle loads only the clients its handler uses.
 */

/** The service ids the handlers use, as they appear in `AWS_ENDPOINT_URL_<SERVICE ID>`. */
export type EndpointServiceId = 'DYNAMODB' | 'SQS' | 'SFN';

/** `AWS_ENDPOINT_URL_<SERVICE ID>` then `AWS_ENDPOINT_URL`, as the SDK resolves them. */
export function endpointFromEnv(serviceEnvSuffix: EndpointServiceId, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${serviceEnvSuffix}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** One client's settings; the test suites and the local mode pass local credentials and endpoints. */
export interface ClientOptions<Credentials> {
  region?: string;
  credentials?: Credentials;
  endpoint?: string | undefined;
}

/** Only the settings given: anything left out is resolved by the SDK (region chain, credential chain). */
export function clientConfig<Credentials>(options: ClientOptions<Credentials>): { region?: string; credentials?: Credentials; endpoint?: string } {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
}
