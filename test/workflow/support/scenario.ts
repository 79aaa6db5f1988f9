/** Scripted Lambda and integration outcomes for running the reconciliation definition on the local engine. */
import { StateNames } from '../../../workflow/reconciliation.ts';
import type { Script, TaskOutcome } from '../../support/scripted-engine.ts';

export const Download = {
  status: 'STORED',
  s3Uri: 's3://recordings/recordings/DG-1/CALL-1.wav',
  bucket: 'recordings',
  key: 'recordings/DG-1/CALL-1.wav',
  sizeBytes: 1024,
  sha256: 'a'.repeat(64),
  audio: { format: 'WAV', channels: 1, sampleRate: 8000, bitsPerSample: 16, durationSeconds: 60 },
};
export const Metadata = { duration: 60, channels: 1, sampleRate: 8000, format: 'WAV', agentId: 'A-1', queueName: 'support' };

const lambda = (payload: unknown): TaskOutcome => ({ result: { StatusCode: 200, Payload: payload } });

export interface ScenarioOptions {
  /** Status reported by each check, by 1-based call (retry attempts count); an `error` outcome makes the check fail. */
  check?: (call: number) => string | { error: string; cause?: string };
  /** Overrides for other states: return undefined to use the happy default. */
  override?: (state: string, call: number) => TaskOutcome | undefined;
}

/** Happy defaults everywhere; the export completes on poll `completeOn` unless `check` says otherwise. */
export function scenario(completeOn: number, options: ScenarioOptions = {}): Script {
  return (state, call) => {
    const custom = options.override?.(state, call);
    if (custom) return custom;
    switch (state) {
      case StateNames.createExportJob:
        return lambda({ exportJobId: 'job-1', status: 'CREATED', createdAt: '2026-01-01T00:00:00Z', nextWaitSeconds: 30 });
      case StateNames.checkExportStatus: {
        const status = options.check?.(call) ?? (call >= completeOn ? 'COMPLETED' : 'IN_PROGRESS');
        if (typeof status !== 'string') return status;
        return lambda(
          status === 'COMPLETED'
            ? { status, pollingIteration: call, downloadUrl: 'https://ocp.example.com/exports/job-1.zip', fileSize: 2048, nextWaitSeconds: 30 }
            : status === 'FAILED'
              ? { status, pollingIteration: call, errorMessage: 'export broke', nextWaitSeconds: 30 }
              : { status, pollingIteration: call, progress: 40, estimatedSecondsRemaining: 120, nextWaitSeconds: 120 },
        );
      }
      case StateNames.getExportMetadata:
        return lambda(Metadata);
      case StateNames.notifyDownloadService:
        return { result: Download };
      case StateNames.consolidateReconciliation:
        return lambda({ reconciliationStatus: 'COMPLETED', completedAt: '2026-01-01T01:00:00Z', s3Uri: Download.s3Uri });
      case 'RecordFailure':
        return { result: {} };
      case 'SendFailureToDlq':
        return { result: { MessageId: 'm-1' } };
      default:
        throw new Error(`scenario: no outcome for ${state}`);
    }
  };
}
