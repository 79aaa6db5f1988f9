/**
 * What each Lambda handler touches, declared once. Its IAM policy and its environment are both
 * derived from this, so a handler cannot be given a variable for a resource it may not use, or a
 * grant for one it is not told about. When a handler starts using something new, add it here.
 */
import type * as pulumi from '@pulumi/pulumi';
import { Env, type FunctionName } from '../system/functions.ts';
import type { Permission } from './iam.ts';

export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem';

export interface HandlerAccess {
  /** Actions on the reconciliation table (items only; no scans, no index queries). */
  table: TableAction[];
  /** Queues the handler sends messages to. */
  sendsTo: ('worker' | 'inputDlq')[];
  /** Reads the OCP API token and calls OCP. */
  callsOcp: boolean;
  /** Starts executions of the reconciliation state machine. */
  startsExecutions: boolean;
}

/** runtime/store writes the record with conditional UpdateItem only (it creates the item too) and reads it consistently. */
const recordWriter: TableAction[] = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

export const HandlerAccessMap: Record<FunctionName, HandlerAccess> = {
  // Starts one execution per message; messages that fail their schema go to the input DLQ.
  trigger: { table: [], sendsTo: ['inputDlq'], callsOcp: false, startsExecutions: true },
  createExportJob: { table: recordWriter, sendsTo: [], callsOcp: true, startsExecutions: false },
  checkExportStatus: { table: recordWriter, sendsTo: [], callsOcp: true, startsExecutions: false },
  getExportMetadata: { table: [], sendsTo: [], callsOcp: true, startsExecutions: false },
  // Stores the task token with the record, then queues the download task for the worker.
  notifyDownloadService: { table: recordWriter, sendsTo: ['worker'], callsOcp: false, startsExecutions: false },
  consolidateReconciliation: { table: recordWriter, sendsTo: [], callsOcp: false, startsExecutions: false },
};

/** The deployed resources a handler may be pointed at. */
export interface HandlerTargets {
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  workerQueue: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
  inputDlq: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
  ocpBaseUrl: string;
  ocpTokenSecretArn: pulumi.Input<string>;
  recordTtlDays: number;
  /** Only the trigger needs it, and it is created after the state machine. */
  stateMachineArn?: pulumi.Input<string>;
}

/** Missing wiring for a handler: names the handler and what it needs. */
export class HandlerWiringError extends Error {
  override readonly name = 'HandlerWiringError';
}

export function handlerPermissions(name: FunctionName, t: HandlerTargets): Permission[] {
  const access = HandlerAccessMap[name];
  const permissions: Permission[] = [];
  if (access.table.length > 0)
    // The item ARN of the table only: not its indexes or streams.
    permissions.push({ sid: 'ReconciliationRecord', actions: access.table, resources: [t.tableArn] });
  const queues = { worker: t.workerQueue.arn, inputDlq: t.inputDlq.arn };
  if (access.sendsTo.length > 0)
    permissions.push({ sid: 'SendMessages', actions: ['sqs:SendMessage'], resources: access.sendsTo.map((q) => queues[q]) });
  if (access.callsOcp)
    permissions.push({ sid: 'ReadOcpToken', actions: ['secretsmanager:GetSecretValue'], resources: [t.ocpTokenSecretArn] });
  if (access.startsExecutions)
    permissions.push({ sid: 'StartReconciliations', actions: ['states:StartExecution'], resources: [requireStateMachine(name, t)] });
  return permissions;
}

export function handlerEnvironment(name: FunctionName, t: HandlerTargets): Record<string, pulumi.Input<string>> {
  const access = HandlerAccessMap[name];
  const env: Record<string, pulumi.Input<string>> = {};
  if (access.table.length > 0) {
    env[Env.tableName] = t.tableName;
    env[Env.recordTtlDays] = String(t.recordTtlDays);
  }
  if (access.sendsTo.includes('worker')) env[Env.workerQueueUrl] = t.workerQueue.url;
  if (access.sendsTo.includes('inputDlq')) env[Env.inputDlqUrl] = t.inputDlq.url;
  if (access.callsOcp) {
    env[Env.ocpBaseUrl] = t.ocpBaseUrl;
    env[Env.ocpTokenSecretArn] = t.ocpTokenSecretArn;
  }
  if (access.startsExecutions) env[Env.stateMachineArn] = requireStateMachine(name, t);
  return env;
}

function requireStateMachine(name: FunctionName, t: HandlerTargets): pulumi.Input<string> {
  if (t.stateMachineArn === undefined)
    throw new HandlerWiringError(`The '${name}' Lambda starts executions, so it must be created after the state machine (pass stateMachineArn)`);
  return t.stateMachineArn;
}
