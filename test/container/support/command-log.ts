/** Records the commands a real SDK client sends (name and UploadId), to check cleanup calls were made. */
import type { S3Client } from '@aws-sdk/client-s3';

export interface SentCommand {
  name: string;
  uploadId?: string;
}

export function recordCommands(client: S3Client): SentCommand[] {
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { UploadId?: string };
      const result = await next(args);
      const output = (result.output ?? {}) as { UploadId?: string };
      sent.push({ name: String(context.commandName), uploadId: input.UploadId ?? output.UploadId });
      return result;
    },
    { step: 'initialize', name: 'testCommandLog' },
  );
  return sent;
}
