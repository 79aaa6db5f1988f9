/** Records the commands a real SDK client sends (name and UploadId), to check cleanup calls were made. */

export interface SentCommand {
  name: string;
  uploadId?: string;
  taskToken?: string;
}

/** Any SDK v3 client: they share the middleware stack type only loosely, so take what is used. */
interface WithMiddleware {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
}

export function recordCommands(client: WithMiddleware): SentCommand[] {
  const sent: SentCommand[] = [];
  const middleware = (next: (args: { input: unknown }) => Promise<{ output?: unknown }>, context: { commandName?: string }) =>
    async (args: { input: unknown }) => {
      const input = args.input as { UploadId?: string; taskToken?: string };
      const result = await next(args);
      const output = (result.output ?? {}) as { UploadId?: string };
      sent.push({ name: String(context.commandName), uploadId: input.UploadId ?? output.UploadId, taskToken: input.taskToken });
      return result;
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'testCommandLog' });
  return sent;
}
