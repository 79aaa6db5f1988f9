/**
 * How Step Functions names the errors of its optimised DynamoDB and SQS integrations. They run on the
 * AWS SDK for Java v1, so an error is `<Service>.<Java exception class>`: the service's modelled
 * exceptions keep their own class (`DynamoDB.ConditionalCheckFailedException`), any other service
 * error is the SDK's generic class (`DynamoDB.AmazonDynamoDBException`), and a call that got no answer
 * is `<Service>.SdkClientException`. Workflows match these strings in Retry and Catch, so they must
 * be exact. The Cause follows the Java SDK's message format.
 */
import { TaskFailure } from '../engine/types.ts';

interface ServiceNaming {
  /** Prefix of every error name, as Step Functions writes it. */
  prefix: string;
  /** `Service:` label in the Java SDK's message. */
  label: string;
  /** Java SDK class for service errors it does not model. */
  generic: string;
  /** SDK v3 error name -> Java SDK v1 class name, for the modelled exceptions. */
  modelled: Record<string, string>;
}

function sameName(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
}
function withExceptionSuffix(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${n}Exception`]));
}

export const DynamoDbNaming: ServiceNaming = {
  prefix: 'DynamoDB',
  label: 'AmazonDynamoDBv2',
  generic: 'AmazonDynamoDBException',
  modelled: {
    ...sameName(
      'ConditionalCheckFailedException',
      'ProvisionedThroughputExceededException',
      'ResourceNotFoundException',
      'ItemCollectionSizeLimitExceededException',
      'TransactionConflictException',
      'TransactionCanceledException',
      'TransactionInProgressException',
      'IdempotentParameterMismatchException',
      'LimitExceededException',
      'ResourceInUseException',
    ),
    RequestLimitExceeded: 'RequestLimitExceededException',
    InternalServerError: 'InternalServerErrorException',
  },
};

export const SqsNaming: ServiceNaming = {
  prefix: 'SQS',
  label: 'AmazonSQS',
  generic: 'AmazonSQSException',
  modelled: {
    ...withExceptionSuffix(
      'QueueDoesNotExist',
      'InvalidMessageContents',
      'UnsupportedOperation',
      'RequestThrottled',
      'InvalidAddress',
      'InvalidSecurity',
      'KmsAccessDenied',
      'KmsDisabled',
      'KmsInvalidKeyUsage',
      'KmsInvalidState',
      'KmsNotFound',
      'KmsOptInRequired',
      'KmsThrottled',
    ),
    // fauxqs and the query protocol report the legacy code for a missing queue.
    'AWS.SimpleQueueService.NonExistentQueue': 'QueueDoesNotExistException',
  },
};

interface SdkServiceError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; requestId?: string };
}

function isServiceError(err: unknown): err is SdkServiceError {
  if (!(err instanceof Error) || !('$metadata' in err)) return false;
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof meta?.httpStatusCode === 'number';
}

/** The TaskFailure Step Functions reports for an error from this service's SDK call. */
export function serviceTaskFailure(naming: ServiceNaming, err: unknown): TaskFailure {
  if (isServiceError(err)) {
    const javaClass = naming.modelled[err.name] ?? naming.generic;
    const details = [
      `Service: ${naming.label}`,
      `Status Code: ${err.$metadata.httpStatusCode}`,
      `Error Code: ${err.name}`,
      `Request ID: ${err.$metadata.requestId ?? 'null'}`,
      'Proxy: null',
    ].join('; ');
    return new TaskFailure(`${naming.prefix}.${javaClass}`, `${err.message} (${details})`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new TaskFailure(`${naming.prefix}.SdkClientException`, `Unable to execute HTTP request: ${message}`);
}

/** A request the service would reject before calling it (bad Parameters): the generic service error. */
export function invalidParameters(naming: ServiceNaming, problem: string): TaskFailure {
  return new TaskFailure(
    `${naming.prefix}.${naming.generic}`,
    `${problem} (Service: ${naming.label}; Status Code: 400; Error Code: ValidationException; Request ID: null; Proxy: null)`,
  );
}
