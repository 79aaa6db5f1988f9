/**
 * A TypeScript program run as a child process (the download worker, the engine host), with its
 * output in a log file, killed by PID on stop or when this process exits so nothing is orphaned,
 * and restartable (chaos kills it with SIGKILL and starts it again).
 */
import { killOnExit, forgetChild } from '../services/kill-on-exit.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';


export interface ChildServiceOptions {
  name: string;
  /** Absolute path of the .ts entry point. */
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Resolves once the child printed a line matching this on stdout (the log file still receives it). */
  readyLine?: RegExp;
  /** Or resolves once this returns true (polled); given the time this start began. */
  readyCheck?: (startedAtMs: number) => boolean;
  readyTimeoutMs?: number;
}

export interface ChildService {
  readonly name: string;
  pid(): number | undefined;
  /** Number of times the child has been started. */
  starts(): number;
  /** Starts the child (again); resolves when it is ready. Returns the ready line's match, if any. */
  start(): Promise<RegExpMatchArray | undefined>;
  /** Sends a signal to the current child without waiting (chaos: SIGKILL mid-work). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code when the current child exits. */
  exited(): Promise<number | null>;
}

// tsx's ESM loader, resolved once so the child runs TypeScript on this same Node binary.
const tsxLoader = createRequire(import.meta.url).resolve('tsx');
const orphanGuard = fileURLToPath(new URL('./orphan-guard.ts', import.meta.url));

export function childService(options: ChildServiceOptions): ChildService {
  let child: ChildProcess | undefined;
  let exit: Promise<number | null> = Promise.resolve(null);
  let count = 0;

  return {
    name: options.name,
    pid: () => child?.pid,
    starts: () => count,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) throw new Error(`${options.name} is already running (pid ${child.pid})`);
      const fd = openSync(options.logFile, 'a');
      const proc = spawn(process.execPath, ['--import', tsxLoader, '--import', orphanGuard, options.entry, ...(options.args ?? [])], {
        env: options.env,
        stdio: ['ignore', options.readyLine ? 'pipe' : fd, fd],
      });
      closeSync(fd);
      child = proc;
      count += 1;
      killOnExit(proc);
      exit = new Promise((resolve) => {
        proc.once('exit', (code) => {
          forgetChild(proc);
          resolve(code);
        });
        proc.once('error', () => {
          forgetChild(proc);
          resolve(null);
        });
      });
      if (!options.readyLine) {
        const startedAt = Date.now();
        await new Promise<void>((resolve, reject) => {
          proc.once('spawn', () => resolve());
          proc.once('error', (err) => reject(new Error(`${options.name} could not start: ${err.message}`)));
        });
        if (options.readyCheck) await pollReady(options, startedAt, exit);
        return undefined;
      }
      return waitForReady(proc, options, exit);
    },
    kill(signal) {
      if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 5000) {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
    exited: () => exit,
  };
}

async function pollReady(options: ChildServiceOptions, startedAt: number, exit: Promise<number | null>): Promise<void> {
  let exited: number | null | undefined;
  void exit.then((code) => (exited = code ?? -1));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!options.readyCheck!(startedAt)) {
    if (exited !== undefined) throw new Error(`${options.name} exited with code ${exited} before it was ready; see ${options.logFile}`);
    if (Date.now() > deadline) throw new Error(`${options.name} did not become ready within ${options.readyTimeoutMs ?? 30_000} ms; see ${options.logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForReady(proc: ChildProcess, options: ChildServiceOptions, exit: Promise<number | null>): Promise<RegExpMatchArray> {
  const { appendFileSync } = await import('node:fs');
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    let buffered = '';
    let ready = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${options.name} did not report ready within ${timeoutMs} ms; see ${options.logFile}`));
    }, timeoutMs);
    proc.stdout!.on('data', (chunk: Buffer) => {
      appendFileSync(options.logFile, chunk);
      if (ready) return;
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const m = line.match(options.readyLine!);
        if (m) {
          ready = true;
          clearTimeout(timer);
          resolve(m);
          return;
        }
      }
    });
    void exit.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code} before it was ready; see ${options.logFile}`));
    });
  });
}
