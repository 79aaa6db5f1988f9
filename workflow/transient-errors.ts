/**
 * Errors of the AWS service integrations that are worth retrying. Step Functions names them
 * `<Service>.<ExceptionName>`; anything else (a failed condition, a missing table) is permanent.
 * Lambda's list lives in runtime/errors.ts because the handlers share it.
 */
export const DynamoDbTransientErrors = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.AmazonDynamoDBException',
] as const;

export const SqsTransientErrors = ['SQS.SdkClientException', 'SQS.AmazonSQSException', 'SQS.InternalErrorException'] as const;
