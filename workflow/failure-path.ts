/**
 * The one failure path every error goes through: record FAILED_* on the call's record, send one
 * message to the failure DLQ, then Fail. Entries set the failure facts with Assign (on a Catch or
 * a Choice rule), so the path itself never depends on where it was entered from.
 */
import {
  Duration,
  Fail,
  JsonPath,
  States,
  dynamoUpdateItem,
  sqsSendMessage,
  type Expr,
  type IChainable,
  type Template,
} from '../asl/index.ts';
import type { FailureStatus } from '../runtime/status.ts';
import { Table } from '../system/resources.ts';
import { FailureWriteCondition } from '../runtime/store/failure-condition.ts';
import type { FailureNotice } from '../runtime/contracts.ts';
import type { z } from 'zod';
import type { WorkflowResources } from './config.ts';
import { DynamoDbTransientErrors, SqsTransientErrors } from './transient-errors.ts';
import { Vars, ref } from './variables.ts';

export interface FailureFacts {
  status: FailureStatus;
  /** One sentence a person can act on. */
  reason: string;
  /** Error name; default the caught error's name (`$.Error`). */
  error?: Expr | string;
  /** Error cause; default the caught error's cause (`$.Cause`). */
  cause?: Expr | string;
}

/** The Assign block an entry to the failure path carries. */
export function failureAssign(facts: FailureFacts): Template {
  return {
    [Vars.failure]: {
      status: facts.status,
      reason: facts.reason,
      details: { error: facts.error ?? JsonPath.errorName, cause: facts.cause ?? JsonPath.errorCause },
    },
  };
}

export const FailureStateNames = {
  record: 'RecordFailure',
  notify: 'SendFailureToDlq',
  fail: 'ReconciliationFailed',
} as const;

/** Builds RecordFailure → SendFailureToDlq → ReconciliationFailed and returns its entry. */
export function failurePath(resources: WorkflowResources): IChainable {
  const table = resources.tableArn ? { name: resources.tableName, arn: resources.tableArn } : resources.tableName;
  const queue = resources.failureQueueArn ? { url: resources.failureQueueUrl, arn: resources.failureQueueArn } : resources.failureQueueUrl;
  const key = Table.key('{}');
  const dialogGroupId = JsonPath.executionInput('dialogGroupId');
  const callId = JsonPath.executionInput('callId');

  const record = dynamoUpdateItem(FailureStateNames.record, {
    comment: "Marks the call FAILED_* with a reason a person can act on; only this execution's IN_PROGRESS record, or none yet.",
    table,
    key: {
      [Table.partitionKey]: { S: States.format(key.PK, dialogGroupId) },
      [Table.sortKey]: { S: key.SK },
    },
    // if_not_exists keeps the ids on a record that never got an IN_PROGRESS write (e.g. invalid input).
    updateExpression:
      'SET reconciliationStatus = :status, failureReason = :reason, errorDetails = :details, failedAt = :now, lastUpdated = :now, sfExecutionId = :exec, dialogGroupId = if_not_exists(dialogGroupId, :dialogGroupId), callId = if_not_exists(callId, :callId)',
    conditionExpression: FailureWriteCondition.expression,
    expressionAttributeNames: { ...FailureWriteCondition.names },
    expressionAttributeValues: {
      ':status': { S: ref.failureStatus },
      ':reason': { S: ref.failureReason },
      ':details': { S: States.jsonToString(ref.failureDetails) },
      ':now': { S: JsonPath.stateEnteredTime },
      ':exec': { S: JsonPath.executionId },
      ':inProgress': { S: 'IN_PROGRESS' },
      ':dialogGroupId': { S: dialogGroupId },
      ':callId': { S: callId },
    },
    resultPath: null,
  })
    .addRetry({ errors: DynamoDbTransientErrors, interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitter: 'FULL' });

  const body: Record<keyof z.infer<typeof FailureNotice>, Expr> = {
    dialogGroupId,
    callId,
    exportJobId: ref.exportJobId,
    reconciliationStatus: ref.failureStatus,
    failureReason: ref.failureReason,
    error: ref.failureError,
    cause: ref.failureCause,
    executionId: JsonPath.executionId,
    failedAt: JsonPath.stateEnteredTime,
  };
  const notify = sqsSendMessage(FailureStateNames.notify, {
    comment: 'One message per failed call, so nothing fails silently even when the record could not be written.',
    queue,
    messageBody: body,
    resultPath: null,
  }).addRetry({ errors: SqsTransientErrors, interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitter: 'FULL' });

  const fail = new Fail(FailureStateNames.fail, { errorPath: ref.failureStatus.text, causePath: ref.failureReason.text });

  // Catch-alls move on, so the DLQ message and the Fail happen even when a write cannot.
  record.addCatch(notify, { resultPath: null }).next(notify);
  notify.addCatch(fail, { resultPath: null }).next(fail);
  return record;
}
