/** What `npm start -- --keep` prints: where everything listens and how to talk to it. */
import type { LocalSystem } from './local-system.ts';

export function keepRunningHelp(system: LocalSystem): string {
  const e = system.endpoints;
  const w = system.wiring;
  const env = `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1`;
  const sampleBody = JSON.stringify({ dialogGroupId: 'DG-2024-001234', callId: 'CALL-OK-5678-ABCD', originalTimestamp: '2024-06-01T10:00:00Z', retryAttempt: 0, source: 'RECONCILIATION_QUEUE' });
  return [
    'Endpoints (all on 127.0.0.1):',
    `  DynamoDB        ${e.dynamodb}     table ${w.tableName}`,
    `  SQS + S3        ${e.sqsS3}     input queue ${w.inputQueueUrl}`,
    `                  worker queue ${w.workerQueueUrl}`,
    `                  failure DLQ ${w.failureQueueUrl}`,
    `                  input DLQ ${w.inputDlqUrl}`,
    `                  bucket ${w.bucketName} (path-style)`,
    `  Step Functions  ${e.stepFunctions}     state machine ${w.stateMachineArn}`,
    `  Secrets Manager ${e.secretsManager}`,
    `  OCP simulator   ${e.ocp}`,
    '',
    'Examples (AWS CLI v2):',
    `  ${env} aws --endpoint-url ${e.sqsS3} sqs send-message --queue-url ${w.inputQueueUrl} --message-body '${sampleBody}'`,
    `  ${env} aws --endpoint-url ${e.stepFunctions} stepfunctions list-executions --state-machine-arn ${w.stateMachineArn}`,
    `  ${env} aws --endpoint-url ${e.dynamodb} dynamodb scan --table-name ${w.tableName}`,
    `  ${env} aws --endpoint-url ${e.sqsS3} s3 ls s3://${w.bucketName}/recordings/ --recursive`,
    '',
    'Or any SDK, e.g. JavaScript v3:',
    `  new SQSClient({ region: 'us-east-1', endpoint: '${e.sqsS3}', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })`,
    `  Every SDK also honours AWS_ENDPOINT_URL_SQS=${e.sqsS3} AWS_ENDPOINT_URL_SFN=${e.stepFunctions} AWS_ENDPOINT_URL_DYNAMODB=${e.dynamodb}`,
  ].join('\n');
}
