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
 * Queue sizing for local runs. The visibility timeouts are real seconds on fauxqs while the
 * workflow runs on a sped-up clock, so a worker killed mid-download must see its message again
 * within a few real seconds, not minutes; the worker extends the lease while it works.
 */
export const LocalQueueSizing: QueueSizing = { triggerTimeoutSeconds: 5, workerVisibilitySeconds: 10 };
