/**
 * The workflow's tunables. Stack config (Pulumi.<stack>.yaml) feeds this schema; the defaults
 * are the design's. Seconds here because that is what stack config holds; the DSL takes Durations.
 */
import { z } from 'zod';

export const WorkflowConfig = z
  .object({
    /** fixed: wait pollIntervalSeconds between checks; adaptive: wait OCP's estimate clamped to [min, max]. */
    pollingPolicy: z.enum(['fixed', 'adaptive']).default('adaptive'),
    pollIntervalSeconds: z.number().int().positive().default(300),
    adaptiveMinWaitSeconds: z.number().int().positive().default(30),
    adaptiveMaxWaitSeconds: z.number().int().positive().default(900),
    /** Status checks allowed, counting checks that errored. */
    maxPolls: z.number().int().positive().max(1000).default(6),
    statusErrorWaitSeconds: z.number().int().positive().default(60),
    stateMachineTimeoutSeconds: z.number().int().positive().max(31_536_000).default(21_600),
    downloadTimeoutSeconds: z.number().int().positive().default(18_000),
    heartbeatSeconds: z.number().int().positive().default(600),
    /** How far the stored recording's duration may differ from OCP's metadata. */
    durationToleranceSeconds: z.number().nonnegative().default(1),
  })
  .superRefine((c, ctx) => {
    if (c.adaptiveMinWaitSeconds > c.adaptiveMaxWaitSeconds)
      ctx.addIssue({ code: 'custom', path: ['adaptiveMinWaitSeconds'], message: 'must not exceed adaptiveMaxWaitSeconds' });
    if (c.heartbeatSeconds >= c.downloadTimeoutSeconds)
      ctx.addIssue({ code: 'custom', path: ['heartbeatSeconds'], message: 'must be shorter than downloadTimeoutSeconds' });
    if (c.downloadTimeoutSeconds >= c.stateMachineTimeoutSeconds)
      ctx.addIssue({ code: 'custom', path: ['downloadTimeoutSeconds'], message: 'must be shorter than stateMachineTimeoutSeconds' });
  });
export type WorkflowConfig = z.infer<typeof WorkflowConfig>;

/** Parses config and fails with every offending key named. */
export function parseWorkflowConfig(input: unknown): WorkflowConfig {
  const r = WorkflowConfig.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid workflow config:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The deployed resources the workflow refers to; plain strings passed in by infra or local mode. */
export interface WorkflowResources {
  functions: {
    createExportJob: string;
    checkExportStatus: string;
    getExportMetadata: string;
    notifyDownloadService: string;
    consolidateReconciliation: string;
  };
  tableName: string;
  failureQueueUrl: string;
  /** Needed only to derive the state machine role's permissions (reconciliationPermissions). */
  tableArn?: string;
  /** Needed only to derive the state machine role's permissions (reconciliationPermissions). */
  failureQueueArn?: string;
}
