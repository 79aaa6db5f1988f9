/** OCP's description of the recording, which consolidation later checks the stored file against. */
import type { OcpClient } from '../ocp/client.ts';
import { GetExportMetadataInput, RecordingMetadata } from '../contracts.ts';
import { lazyHandler } from '../lambda/lazy-handler.ts';
import { ocpFromEnv } from '../aws/ocp-from-env.ts';
import { loggerFromEnv } from '../lambda/deps-from-env.ts';
import { stepHandler, type StepDeps } from '../lambda/step-handler.ts';

export interface GetExportMetadataDeps extends StepDeps {
  ocp: Pick<OcpClient, 'getExportMetadata'>;
}

export const makeHandler = stepHandler({
  name: 'getExportMetadata',
  input: GetExportMetadataInput,
  output: RecordingMetadata,
  async run(input, deps: GetExportMetadataDeps, log) {
    const { metadata } = await deps.ocp.getExportMetadata({ exportJobId: input.exportJobId, dialogGroupId: input.dialogGroupId });
    log.info('metadata read', { duration: metadata.duration, channels: metadata.channels, sampleRate: metadata.sampleRate, format: metadata.format });
    return metadata;
  },
});

export const handler = lazyHandler(() => {
  const logger = loggerFromEnv();
  return makeHandler({ logger, ocp: ocpFromEnv(logger) });
});
