/**
 * Names and sizing of the local run's table, queues and bucket, derived from the shared
 * definitions in system/resources.ts exactly as the Pulumi components derive them.
 */
import { Bucket, Table, resourceName, type QueueSizing } from '../../system/resources.ts';

/** Resource prefix of the local stack, the counterpart of `<project>-<stack>` on AWS. */
export const LocalPrefix = 'audio-reconciliation-local';

export interface LocalResourceNames {
  prefix: string;
  tableName: string;
  bucketName: string;
}

export function localResourceNames(prefix = LocalPrefix): LocalResourceNames {
  return { prefix, tableName: resourceName(prefix, Table.suffix), bucketName: resourceName(prefix, Bucket.suffix) };
}

/**
 * Queue sizing for local runs. Visibility timeouts are real seconds on fauxqs while the workflow
 * runs on a sped-up clock, so they are the shortest each side accepts: a message whose worker was
 * killed comes back after 30 s, not 5 minutes (the worker extends the lease while it works).
 */
export const LocalQueueSizing: QueueSizing = { triggerTimeoutSeconds: 5, workerVisibilitySeconds: 30 };
