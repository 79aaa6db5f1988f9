/** Runs local/sfn-api/cli.ts as a child process, the way a person or local mode starts it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SFNClient } from '@aws-sdk/client-sfn';
import { localAws } from '../support/services.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  endpoint: string;
  resumed: number;
  sfn: SFNClient;
  /** Every JSON log line printed so far. */
  logs: Record<string, unknown>[];
}

/** Every CLI started by a test, for the afterEach hook to kill. */
export const started: CliProcess[] = [];

/** Starts the CLI on Node 24 (this process's binary) and waits for its endpoint and resume count. */
export function startCli(dataDir: string, extra: string[] = []): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/sfn-api/cli.ts', '--data-dir', dataDir, ...extra], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let endpoint: string | undefined;
    const logs: Record<string, unknown>[] = [];
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code} before it was ready:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { message?: string; endpoint?: string; count?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.message === 'listening') endpoint = entry.endpoint;
      if (entry.message === 'resumed executions' && endpoint) {
        const cli = { child, endpoint, logs, resumed: entry.count ?? -1, sfn: new SFNClient({ ...localAws, endpoint, maxAttempts: 1 }) };
        started.push(cli);
        resolve(cli);
      }
    });
  });
}

export function kill(cli: CliProcess): Promise<void> {
  cli.sfn.destroy();
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    cli.child.once('exit', () => resolve());
    cli.child.kill('SIGKILL');
  });
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

