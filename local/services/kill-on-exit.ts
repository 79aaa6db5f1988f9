import type { ChildProcess } from 'node:child_process';

/**
 * Child processes this process started and must not leave behind: SIGKILLed by PID when this
 * process exits, however it exits (Node does not kill its children by itself).
 */
const live = new Set<ChildProcess>();
let hookInstalled = false;

export function killOnExit(child: ChildProcess): void {
  live.add(child);
  if (hookInstalled) return;
  hookInstalled = true;
  process.once('exit', () => {
    for (const c of live) {
      try {
        if (c.pid) process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** The child has exited or was stopped: nothing left to kill. */
export function forgetChild(child: ChildProcess): void {
  live.delete(child);
}

export function isTracked(child: ChildProcess): boolean {
  return live.has(child);
}

/** Whether a process with this PID exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
