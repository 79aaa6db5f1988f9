import { buildApp } from 'fauxqs';
import { freePort, assertPortFree } from './ports.ts';

export interface LocalSqsS3 {
  /** One endpoint serves SQS and S3 (path-style). */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Runs fauxqs in this process. We build the app ourselves rather than call startFauxqs
 * because startFauxqs listens on 0.0.0.0 and local mode binds every service to loopback.
 */
export async function startFauxqs(options: { port?: number } = {}): Promise<LocalSqsS3> {
  const port = options.port ?? (await freePort());
  if (options.port) await assertPortFree(port, 'the local SQS/S3 server (fauxqs)');
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await app.close();
    },
  };
}
