/**
 * The last step: a call is COMPLETED only when the WAV the worker stored agrees with OCP's metadata.
 * A mismatch is an AudioMismatchError naming every difference; the workflow records FAILED_AUDIO_MISMATCH.
 */
import { ConsolidateInput, ConsolidateOutput } from '../contracts.ts';
import { AudioMismatchError } from '../errors.ts';
import { compareAudio } from '../audio/compare-audio.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { storeFromEnv } from '../aws/store-from-env.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { stepHandler, type StepDeps } from '../lambda/step-handler.ts';
import type { ConsolidatedMetadata } from '../store/record.ts';
import type { ReconciliationStore } from '../store/reconciliation-store.ts';

export interface ConsolidateDeps extends StepDeps {
  store: ReconciliationStore;
}

export const makeHandler = stepHandler({
  name: 'consolidateReconciliation',
  input: ConsolidateInput,
  output: ConsolidateOutput,
  async run(input, deps: ConsolidateDeps, log) {
    const { metadata, download } = input;
    const diffs = compareAudio(metadata, download.audio, input.durationToleranceSeconds);
    if (diffs.length > 0) {
      throw new AudioMismatchError(
        `Stored recording ${download.s3Uri} does not match OCP's metadata for export job ${input.exportJobId}: ${diffs.map((d) => d.description).join('; ')}.`,
        { differences: diffs, s3Uri: download.s3Uri },
      );
    }
    const consolidated: ConsolidatedMetadata = {
      recording: metadata,
      storedFile: {
        s3Uri: download.s3Uri,
        bucket: download.bucket,
        key: download.key,
        sizeBytes: download.sizeBytes,
        sha256: download.sha256,
        audio: download.audio,
      },
      exportJobId: input.exportJobId,
    };
    const w = await deps.store.recordCompleted({
      dialogGroupId: input.dialogGroupId,
      executionId: input.executionId,
      exportJobId: input.exportJobId,
      metadata: JSON.stringify(consolidated),
      completedAt: deps.store.now(),
    });
    log.info('reconciliation completed', { s3Uri: download.s3Uri, record: w.outcome });
    return {
      reconciliationStatus: 'COMPLETED' as const,
      completedAt: w.record.completedAt ?? w.record.lastUpdated,
      s3Uri: download.s3Uri,
    };
  },
});

export const handler = lazyHandler(() => makeHandler({ logger: loggerFromEnv(), store: storeFromEnv() }));
