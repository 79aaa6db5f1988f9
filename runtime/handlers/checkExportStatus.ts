/**
 * One status check of the export job. Records POLLING or EXPORT_COMPLETED itself; FAILED and
 * statuses this project does not know are returned as reported, and the workflow records the failure.
 */
import type { OcpClient } from '../ocp/client.ts';
import type { ExportCompleted, ExportFailed, ExportInProgress, ExportStatusResponse } from '../ocp/schemas.ts';
import { CheckExportStatusInput, CheckExportStatusOutput } from '../contracts.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { ocpFromEnv } from '../aws/ocp-from-env.ts';
import { storeFromEnv } from '../aws/store-from-env.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { stepHandler, type StepDeps } from '../lambda/step-handler.ts';
import type { ReconciliationStore } from '../store/reconciliation-store.ts';
import { nextWaitSeconds } from '../wait/next-wait.ts';

export interface CheckExportStatusDeps extends StepDeps {
  store: ReconciliationStore;
  ocp: Pick<OcpClient, 'getExportStatus'>;
}

type Classified =
  | { kind: 'IN_PROGRESS'; body: ExportInProgress }
  | { kind: 'COMPLETED'; body: ExportCompleted }
  | { kind: 'FAILED'; body: ExportFailed }
  | { kind: 'OTHER'; body: ExportStatusResponse };

/** The OCP client parses each body with the schema its status names, so the status is a safe discriminant. */
function classify(body: ExportStatusResponse): Classified {
  switch (body.status) {
    case 'IN_PROGRESS':
      return { kind: 'IN_PROGRESS', body: body as ExportInProgress };
    case 'COMPLETED':
      return { kind: 'COMPLETED', body: body as ExportCompleted };
    case 'FAILED':
      return { kind: 'FAILED', body: body as ExportFailed };
    default:
      return { kind: 'OTHER', body };
  }
}

export const makeHandler = stepHandler({
  name: 'checkExportStatus',
  input: CheckExportStatusInput,
  output: CheckExportStatusOutput,
  async run(input, deps: CheckExportStatusDeps, log) {
    const ref = { dialogGroupId: input.dialogGroupId, executionId: input.executionId, exportJobId: input.exportJobId };
    const reported = await deps.ocp.getExportStatus({ exportJobId: input.exportJobId, dialogGroupId: input.dialogGroupId });
    const base = { status: reported.status, pollingIteration: input.pollingIteration };
    const s = classify(reported);
    switch (s.kind) {
      case 'IN_PROGRESS': {
        const w = await deps.store.recordPolling({ ...ref, pollingIteration: input.pollingIteration });
        log.info('export in progress', { progress: s.body.progress, pollingIteration: input.pollingIteration, record: w.outcome });
        return {
          ...base,
          progress: s.body.progress,
          ...(s.body.estimatedSecondsRemaining !== undefined ? { estimatedSecondsRemaining: s.body.estimatedSecondsRemaining } : {}),
          nextWaitSeconds: nextWaitSeconds(input.waitPolicy, s.body.estimatedSecondsRemaining),
        };
      }
      case 'COMPLETED': {
        const w = await deps.store.recordExportCompleted({
          ...ref,
          pollingIteration: input.pollingIteration,
          exportCompletedAt: s.body.completedAt,
          downloadUrl: s.body.downloadUrl,
          fileSize: s.body.fileSize,
        });
        log.info('export completed', { fileSize: s.body.fileSize, pollingIteration: input.pollingIteration, record: w.outcome });
        return {
          ...base,
          downloadUrl: s.body.downloadUrl,
          fileSize: s.body.fileSize,
          completedAt: s.body.completedAt,
          nextWaitSeconds: nextWaitSeconds(input.waitPolicy, undefined),
        };
      }
      case 'FAILED':
        log.warn('OCP reports the export failed', { errorMessage: s.body.errorMessage });
        return { ...base, errorMessage: s.body.errorMessage, nextWaitSeconds: nextWaitSeconds(input.waitPolicy, undefined) };
      case 'OTHER':
        log.warn('OCP reports an unknown export status', { status: reported.status });
        return { ...base, nextWaitSeconds: nextWaitSeconds(input.waitPolicy, undefined) };
    }
  },
});

export const handler = lazyHandler(() => {
  const logger = loggerFromEnv();
  return makeHandler({ logger, store: storeFromEnv(), ocp: ocpFromEnv(logger) });
});
