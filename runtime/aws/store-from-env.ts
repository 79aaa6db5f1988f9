/**
 * The record store of a deployed handler, from TABLE_NAME / RECORD_TTL_DAYS and the DynamoDB
 * client alone: a handler that imports this loads the DynamoDB SDK and nothing else from AWS.
 */
import { readEnv } from '../env.ts';
import { ReconciliationStore } from '../store/reconciliation-store.ts';
import { documentClientFromEnv } from './dynamodb.ts';

export function storeFromEnv(): ReconciliationStore {
  const env = readEnv(['tableName', 'recordTtlDays']);
  return new ReconciliationStore({ ddb: documentClientFromEnv(), tableName: env.tableName, ttlDays: env.recordTtlDays });
}
