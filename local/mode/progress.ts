/**
 * Live progress of a local run: counts per reconciliation status and a bar of finished calls.
 * On a terminal it redraws one line in place; elsewhere (CI, a pipe) it prints a plain line only
 * when the counts change, so logs stay readable.
 */
import { isTerminal } from '../../runtime/status.ts';

export interface ProgressSnapshot {
  submitted: number;
  /** Calls per reconciliationStatus as the table holds them; calls without a record yet count as PENDING. */
  byStatus: Record<string, number>;
  elapsedMs: number;
}

export function finishedCount(s: ProgressSnapshot): number {
  return Object.entries(s.byStatus).reduce((n, [status, count]) => (isTerminal(status) ? n + count : n), 0);
}

function bar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((Math.min(done, total) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function countsText(byStatus: Record<string, number>): string {
  const order = (k: string): number => (k === 'PENDING' ? 0 : k === 'IN_PROGRESS' ? 1 : k === 'COMPLETED' ? 2 : 3);
  return Object.entries(byStatus)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
}

export function progressLine(s: ProgressSnapshot, width = 30): string {
  const done = finishedCount(s);
  const pct = s.submitted === 0 ? 100 : Math.floor((done / s.submitted) * 100);
  return `${bar(done, s.submitted, width)} ${done}/${s.submitted} ${String(pct).padStart(3)}%  ${(s.elapsedMs / 1000).toFixed(1)}s  ${countsText(s.byStatus)}`;
}

export interface ProgressView {
  update(s: ProgressSnapshot): void;
  /** Ends the in-place line so later output starts on a fresh one. */
  done(): void;
}

export function createProgressView(out: NodeJS.WriteStream = process.stdout): ProgressView {
  const tty = out.isTTY === true;
  let lastPlain = '';
  let drew = false;
  return {
    update(s) {
      if (tty) {
        const width = Math.max(10, Math.min(40, (out.columns ?? 100) - 70));
        out.write(`\r\x1b[2K${progressLine(s, width)}`);
        drew = true;
        return;
      }
      // Plain mode prints only when something moved, without the clock, so a stalled run is one line.
      const key = `${finishedCount(s)}/${s.submitted} ${countsText(s.byStatus)}`;
      if (key === lastPlain) return;
      lastPlain = key;
      out.write(`progress ${progressLine(s, 20)}\n`);
    },
    done() {
      if (tty && drew) out.write('\n');
      drew = false;
    },
  };
}
