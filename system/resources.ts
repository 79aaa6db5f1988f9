/**
 * One definition of the stateful resources, shared by the Pulumi components (infra/) and the
 * local mode (local/), so the laptop runs against the same names, keys and settings as AWS.
 */

export const Table = {
  suffix: 'reconciliation',
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'TTL',
  statusIndex: { name: 'StatusIndex', partitionKey: 'reconciliationStatus', sortKey: 'lastUpdated' },
  /** Key of a call's record. */
  key(dialogGroupId: string): { PK: string; SK: string } {
    return { PK: `CALL#${dialogGroupId}`, SK: 'RECONCILIATION' };
  },
} as const;

export interface QueueSpec {
  /** Suffix appended to the stack prefix. */
  suffix: string;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  /** Dead-letter queue and how many receives before a message moves there. */
  deadLetter?: { suffix: string; maxReceiveCount: number };
}

export interface QueueSizing {
  /** Trigger Lambda timeout: AWS recommends the source queue's visibility timeout be at least six times it. */
  triggerTimeoutSeconds: number;
  /** The worker extends visibility while it works; this is the initial lease. */
  workerVisibilitySeconds: number;
}

export function queueSpecs(sizing: QueueSizing): Record<'input' | 'worker' | 'failure', QueueSpec> {
  const fourteenDays = 14 * 24 * 3600;
  return {
    input: {
      suffix: 'input',
      visibilityTimeoutSeconds: Math.max(30, sizing.triggerTimeoutSeconds * 6),
      messageRetentionSeconds: 4 * 24 * 3600,
      deadLetter: { suffix: 'input-dlq', maxReceiveCount: 5 },
    },
    worker: {
      suffix: 'worker',
      visibilityTimeoutSeconds: sizing.workerVisibilitySeconds,
      messageRetentionSeconds: 4 * 24 * 3600,
      deadLetter: { suffix: 'worker-dlq', maxReceiveCount: 3 },
    },
    // Where the workflow sends every failed call; read by people, so keep messages the longest AWS allows.
    failure: { suffix: 'failure-dlq', visibilityTimeoutSeconds: 30, messageRetentionSeconds: fourteenDays },
  };
}

export const Bucket = {
  suffix: 'recordings',
  recordingsPrefix: 'recordings/',
  /** Deterministic object key, so a retried download overwrites instead of duplicating. */
  recordingKey(dialogGroupId: string, callId: string): string {
    return `recordings/${encodeURIComponent(dialogGroupId)}/${encodeURIComponent(callId)}.wav`;
  },
} as const;

/** Physical names for a stack: `${prefix}-${suffix}`. */
export function resourceName(prefix: string, suffix: string): string {
  return `${prefix}-${suffix}`;
}
