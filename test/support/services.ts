/**
 * Real local servers shared by the integration tests of one mocha run: started on first use,
 * stopped by the root hook in hooks.ts. Tests get endpoints, never fakes.
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/services/dynamodb-local.ts';
import { startFauxqs, type LocalSqsS3 } from '../../local/services/fauxqs.ts';

let dynamo: Promise<DynamoDbLocal> | undefined;
let fauxqs: Promise<LocalSqsS3> | undefined;

export function dynamoDbLocal(): Promise<DynamoDbLocal> {
  dynamo ??= startDynamoDbLocal();
  return dynamo;
}

export function sqsS3Local(): Promise<LocalSqsS3> {
  fauxqs ??= startFauxqs();
  return fauxqs;
}

/** Credentials and region for SDK clients pointed at the local servers. */
export const localAws = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export async function stopSharedServices(): Promise<void> {
  const stops: Promise<void>[] = [];
  if (dynamo) stops.push(dynamo.then((d) => d.stop()).catch(() => undefined));
  if (fauxqs) stops.push(fauxqs.then((f) => f.stop()).catch(() => undefined));
  dynamo = undefined;
  fauxqs = undefined;
  await Promise.all(stops);
}
