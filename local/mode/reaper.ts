/**
 * Kills processes local mode started outside Node's reach (DynamoDB Local's Java) when local mode
 * dies without stopping them, e.g. on SIGKILL. Runs as its own small process:
 *   reaper.ts <watched pid> <pid to kill> [<pid to kill> ...]
 * and exits once the watched process is gone (after killing the others) or they are all gone.
 */
import { isAlive } from '../services/kill-on-exit.ts';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Starts a reaper for `targets`, watching this process. */
export function startReaper(targets: number[]): void {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url), String(process.pid), ...targets.map(String)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

function main(args: string[]): void {
  const [watched, ...targets] = args.map(Number);
  if (!watched || targets.length === 0 || [watched, ...targets].some((n) => !Number.isInteger(n) || n <= 0)) {
    process.stderr.write('usage: reaper.ts <watched pid> <pid to kill> [...]\n');
    process.exit(2);
  }
  setInterval(() => {
    const left = targets.filter(isAlive);
    if (left.length === 0) process.exit(0);
    if (!isAlive(watched)) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      process.exit(0);
    }
  }, 500);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
