/**
 * Turns what a run left in the table, the engine, the bucket and the queues into the summary's
 * figures, and the live status counts the progress view shows.
 */
import { Bucket, Table } from '../../system/resources.ts';
import type { LocalSystem } from './local-system.ts';
import { listExecutions, listObjects, queueDepth, scanRecords, type ObservedRecord } from './observe.ts';
import type { RunReport } from './summary.ts';

export interface SubmittedCall {
  dialogGroupId: string;
  callId: string;
}

/** Records per status for the submitted calls; a call with no record yet counts as PENDING. */
export function statusCounts(records: readonly ObservedRecord[], calls: readonly SubmittedCall[]): Record<string, number> {
  const byKey = new Map(records.map((r) => [r.PK, r]));
  const counts: Record<string, number> = {};
  for (const c of calls) {
    const status = byKey.get(Table.key(c.dialogGroupId).PK)?.reconciliationStatus ?? 'PENDING';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

export async function collectRunReport(system: LocalSystem, calls: readonly SubmittedCall[], wallClockMs: number): Promise<RunReport> {
  const records = await scanRecords(system.clients.ddb, system.wiring.tableName);
  const mine = new Set(calls.map((c) => Table.key(c.dialogGroupId).PK));
  const failures = new Map<string, { status: string; reason: string; count: number }>();
  for (const r of records) {
    if (!mine.has(r.PK) || !r.reconciliationStatus?.startsWith('FAILED_')) continue;
    const reason = r.failureReason ?? '(no failureReason recorded)';
    const key = `${r.reconciliationStatus}\u0000${reason}`;
    const row = failures.get(key) ?? { status: r.reconciliationStatus, reason, count: 0 };
    row.count += 1;
    failures.set(key, row);
  }
  const executions = await listExecutions(system.clients.sfn, system.wiring.stateMachineArn, true);
  const finished = executions.filter((e) => e.stopMs !== undefined);
  const objects = await listObjects(system.clients.s3, system.wiring.bucketName, Bucket.recordingsPrefix);
  return {
    submitted: calls.length,
    byStatus: statusCounts(records, calls),
    failures: [...failures.values()],
    executions: executions.length,
    statesEntered: finished.flatMap((e) => (e.statesEntered === undefined ? [] : [e.statesEntered])),
    durationsMs: finished.map((e) => e.stopMs! - e.startMs),
    ocpCalls: system.ocp.stats().requests,
    filesStored: { count: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0) },
    failureQueueMessages: await queueDepth(system.clients.sqs, system.queues.failure.url),
    inputDlqMessages: await queueDepth(system.clients.sqs, system.queues.input.deadLetter!.url),
    wallClockMs,
  };
}
