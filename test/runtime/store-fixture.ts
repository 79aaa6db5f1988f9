/** A fresh reconciliation table on the shared DynamoDB Local, created the way local mode creates it. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { provisionTable } from '../../local/services/provision.ts';
import { documentClient } from '../../runtime/aws/clients.ts';
import { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { dynamoDbLocal, localAws } from '../support/services.ts';

let tables = 0;

export async function freshTable(prefix: string) {
  const { endpoint } = await dynamoDbLocal();
  const raw = new DynamoDBClient({ ...localAws, endpoint });
  const tableName = `${prefix}-${process.pid}-${Date.now()}-${tables++}`;
  await provisionTable(raw, tableName);
  const ddb = documentClient(raw);
  return { endpoint, ddb, tableName };
}

export async function freshStore(prefix: string, clock?: () => Date) {
  const t = await freshTable(prefix);
  return { ...t, store: new ReconciliationStore({ ddb: t.ddb, tableName: t.tableName, ttlDays: 30, ...(clock ? { clock } : {}) }) };
}
