/**
 * Step 1: records the call IN_PROGRESS, asks OCP for an export job and records it CREATED.
 * The OCP Idempotency-Key is the execution id and `requestedAt` is the record's first start time,
 * so a retried invocation sends the identical request and gets the same job back. A new execution
 * for a call that failed before starts over with a new job (the store reopens the failed record);
 * a COMPLETED call raises AlreadyReconciledError naming where its recording is, before any OCP
 * call (the workflow ends that execution as a success: nothing is missing).
 */
import type { OcpClient } from '../ocp/client.ts';
import { CreateExportJobInput, CreateExportJobOutput } from '../contracts.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { ocpFromEnv } from '../aws/ocp-from-env.ts';
import { storeFromEnv } from '../aws/store-from-env.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { stepHandler, type StepDeps } from '../lambda/step-handler.ts';
import type { ReconciliationStore } from '../store/reconciliation-store.ts';
import { nextWaitSeconds, secondsUntil } from '../wait/next-wait.ts';

export interface CreateExportJobDeps extends StepDeps {
  store: ReconciliationStore;
  ocp: Pick<OcpClient, 'createExportJob'>;
  clock?: () => Date;
}

export const makeHandler = stepHandler({
  name: 'createExportJob',
  input: CreateExportJobInput,
  output: CreateExportJobOutput,
  async run(input, deps: CreateExportJobDeps, log) {
    const call = { dialogGroupId: input.dialogGroupId, callId: input.callId, executionId: input.executionId };
    const started = await deps.store.start(call);
    if (started.outcome === 'reopened') {
      const r = started.record;
      log.info('re-running a failed call', {
        previousFailureStatus: r.previousFailureStatus,
        previousFailureExecutionId: r.previousFailureExecutionId,
        previousFailureCount: r.previousFailureCount,
      });
    }
    const job = await deps.ocp.createExportJob({
      dialogGroupId: input.dialogGroupId,
      callId: input.callId,
      requestedAt: started.record.startedAt ?? started.record.lastUpdated,
      idempotencyKey: input.executionId,
    });
    const created = await deps.store.recordExportCreated({ ...call, exportJobId: job.exportJobId, exportCreatedAt: deps.store.now() });
    log.info('export job created', { exportJobId: job.exportJobId, record: created.outcome });
    const now = deps.clock?.() ?? new Date();
    return {
      exportJobId: job.exportJobId,
      status: 'CREATED' as const,
      ...(job.estimatedCompletionTime ? { estimatedCompletionTime: job.estimatedCompletionTime } : {}),
      createdAt: created.record.exportCreatedAt ?? created.record.lastUpdated,
      nextWaitSeconds: nextWaitSeconds(input.waitPolicy, secondsUntil(job.estimatedCompletionTime, now)),
    };
  },
});

export const handler = lazyHandler(() => {
  const logger = loggerFromEnv();
  return makeHandler({ logger, store: storeFromEnv(), ocp: ocpFromEnv(logger) });
});
