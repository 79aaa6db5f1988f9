/**
 * The summary table printed at the end of a local run: outcomes (with each failure's reason),
 * states entered per execution, OCP calls, durations and stored files.
 */
import { mean, percentile } from './percentiles.ts';

export interface RunReport {
  submitted: number;
  /** Terminal and non-terminal records per reconciliationStatus; calls without a record as PENDING. */
  byStatus: Record<string, number>;
  /** One row per distinct (status, failureReason) among FAILED_* records. */
  failures: { status: string; reason: string; count: number }[];
  executions: number;
  /** States entered by each execution (StateEntered events in GetExecutionHistory). */
  statesEntered: number[];
  /** Each finished execution's start-to-stop time on the workflow's clock, in ms. */
  durationsMs: number[];
  /** OCP simulator requests per endpoint. */
  ocpCalls: Record<string, number>;
  filesStored: { count: number; bytes: number };
  failureQueueMessages: number;
  inputDlqMessages: number;
  wallClockMs: number;
}

function fmt(n: number, digits = 1): string {
  return Number.isNaN(n) ? 'n/a' : n.toFixed(digits);
}

function seconds(ms: number): string {
  if (Number.isNaN(ms)) return 'n/a';
  const s = ms / 1000;
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

export function renderSummary(r: RunReport): string {
  const outcome: [string, string][] = [];
  const order = (k: string): number => (k === 'COMPLETED' ? 0 : k.startsWith('FAILED_') ? 1 : 2);
  for (const [status, count] of Object.entries(r.byStatus).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))) {
    if (count === 0) continue;
    outcome.push([status, String(count)]);
    for (const f of r.failures.filter((x) => x.status === status).sort((a, b) => b.count - a.count)) {
      outcome.push(['', `${f.count} x ${f.reason}`]);
    }
  }
  const ocpTotal = Object.values(r.ocpCalls).reduce((a, b) => a + b, 0);
  const ocpDetail = Object.entries(r.ocpCalls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const facts: [string, string][] = [
    ['calls submitted', String(r.submitted)],
    ['executions', String(r.executions)],
    ['states entered / execution', `mean ${fmt(mean(r.statesEntered))}, p50 ${fmt(percentile(r.statesEntered, 50), 0)}, p95 ${fmt(percentile(r.statesEntered, 95), 0)}, max ${fmt(percentile(r.statesEntered, 100), 0)}`],
    ['OCP calls', `${ocpTotal}${ocpDetail ? ` (${ocpDetail})` : ''}${r.executions ? `, ${fmt(ocpTotal / r.executions)} / execution` : ''}`],
    ['duration (workflow clock)', `p50 ${seconds(percentile(r.durationsMs, 50))}, p95 ${seconds(percentile(r.durationsMs, 95))}`],
    ['files stored', `${r.filesStored.count} (${bytes(r.filesStored.bytes)})`],
    ['failure DLQ messages', String(r.failureQueueMessages)],
    ['input DLQ messages', String(r.inputDlqMessages)],
    ['wall clock', seconds(r.wallClockMs)],
  ];
  return ['Outcome', table(outcome.length ? outcome : [['(none)', '']]), '', 'Run', table(facts)].join('\n');
}
