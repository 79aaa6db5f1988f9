/**
 * The invariants a run must keep whatever faults it met, checked call by call:
 * - exactly one execution per valid call (duplicates and restarts must not start a second);
 * - exactly one terminal record per valid call;
 * - every FAILED_* record has exactly one failure-DLQ message;
 * - every COMPLETED record has its object, whose sha256 matches what OCP served;
 * - no record ever moved backwards (status or export progress), as seen while the run went on;
 * - a malformed message starts nothing and lands in the input DLQ.
 * A call that breaks any of them is "lost".
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ExportJobStatuses, isTerminal } from '../../runtime/status.ts';
import { Bucket, Table } from '../../system/resources.ts';
import type { LocalSystem } from './local-system.ts';
import { listExecutions, listObjects, objectSha256, peekQueue, scanRecords, type ObservedRecord } from './observe.ts';

export interface CheckedCall {
  dialogGroupId: string;
  callId: string;
  malformed?: boolean;
}

/** Remembers every (status, export progress) a record showed, to catch one moving backwards. */
export class RecordWatcher {
  private readonly last = new Map<string, { status: string; exportRank: number }>();
  readonly regressions = new Map<string, string>();

  observe(records: readonly ObservedRecord[]): void {
    for (const r of records) {
      const status = r.reconciliationStatus ?? 'NONE';
      const exportRank = r.exportJobStatus ? ExportJobStatuses.indexOf(r.exportJobStatus as (typeof ExportJobStatuses)[number]) : -1;
      const before = this.last.get(r.PK);
      if (before) {
        if (isTerminal(before.status) && status !== before.status) this.regressions.set(r.PK, `status went from ${before.status} to ${status}`);
        else if (!isTerminal(status) && exportRank < before.exportRank) this.regressions.set(r.PK, `exportJobStatus went back to ${r.exportJobStatus}`);
      }
      this.last.set(r.PK, { status, exportRank });
    }
  }
}

export interface InvariantResult {
  name: string;
  /** Calls that keep it. */
  ok: number;
  /** Calls that break it. */
  broken: number;
  /** The first few broken calls, with why. */
  violations: { call: string; why: string }[];
}

export interface InvariantReport {
  results: InvariantResult[];
  /** Calls that break at least one invariant. */
  lost: number;
  lostCalls: string[];
}

const FailureNoticeIds = z.looseObject({ dialogGroupId: z.string(), callId: z.string(), reconciliationStatus: z.string() });

/** Expected sha256 of the recording OCP served for a job; undefined when the simulator does not know the job. */
export type ExpectedSha256 = (exportJobId: string) => Promise<string | undefined> | string | undefined;

export async function checkInvariants(system: LocalSystem, calls: readonly CheckedCall[], watcher: RecordWatcher, expectedSha256: ExpectedSha256): Promise<InvariantReport> {
  const records = await scanRecords(system.clients.ddb, system.wiring.tableName);
  watcher.observe(records);
  const recordByPk = new Map(records.map((r) => [r.PK, r]));

  const executionsByCall = new Map<string, number>();
  for (const e of await listExecutions(system.clients.sfn, system.wiring.stateMachineArn, false)) {
    const d = await system.clients.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    const input = JSON.parse(d.input ?? '{}') as { dialogGroupId?: string; callId?: string };
    const key = `${input.dialogGroupId}/${input.callId}`;
    executionsByCall.set(key, (executionsByCall.get(key) ?? 0) + 1);
  }

  const failureMessages = new Map<string, number>();
  for (const m of await peekQueue(system.clients.sqs, system.queues.failure.url)) {
    const parsed = FailureNoticeIds.safeParse(safeJson(m.body));
    const key = parsed.success ? `${parsed.data.dialogGroupId}/${parsed.data.callId}` : `(unparseable) ${m.body.slice(0, 80)}`;
    failureMessages.set(key, (failureMessages.get(key) ?? 0) + 1);
  }
  const inputDlqBodies = (await peekQueue(system.clients.sqs, system.queues.input.deadLetter!.url)).map((m) => m.body);
  const objects = new Map((await listObjects(system.clients.s3, system.wiring.bucketName, Bucket.recordingsPrefix)).map((o) => [o.key, o]));

  const results: Record<string, InvariantResult> = {};
  const lost = new Set<string>();
  const judge = (name: string, call: string, why: string | undefined): void => {
    const r = (results[name] ??= { name, ok: 0, broken: 0, violations: [] });
    if (why === undefined) r.ok += 1;
    else {
      lost.add(call);
      r.broken += 1;
      if (r.violations.length < 20) r.violations.push({ call, why });
    }
  };

  for (const c of calls) {
    const key = `${c.dialogGroupId}/${c.callId}`;
    const pk = Table.key(c.dialogGroupId).PK;
    if (c.malformed) {
      const inDlq = inputDlqBodies.filter((b) => b.includes(c.dialogGroupId)).length;
      judge('malformed message in the input DLQ, nothing started', key, inDlq === 1 && !recordByPk.has(pk) ? undefined : `input DLQ copies ${inDlq}, record ${recordByPk.has(pk) ? 'exists' : 'absent'}`);
      continue;
    }
    const executions = executionsByCall.get(key) ?? 0;
    judge('exactly one execution per call', key, executions === 1 ? undefined : `${executions} executions`);
    const record = recordByPk.get(pk);
    const status = record?.reconciliationStatus;
    judge('exactly one terminal record per call', key, record && isTerminal(status) && record.callId === c.callId ? undefined : `record ${record ? `${status} for callId ${record.callId}` : 'missing'}`);
    if (status?.startsWith('FAILED_')) {
      const n = failureMessages.get(key) ?? 0;
      judge('every FAILED_* record has one failure-DLQ message', key, n === 1 ? undefined : `${n} failure-DLQ messages for ${status}`);
    }
    if (status === 'COMPLETED') {
      const objectKey = Bucket.recordingKey(c.dialogGroupId, c.callId);
      let why: string | undefined;
      if (!objects.has(objectKey)) why = `no object at ${objectKey}`;
      else {
        const expected = record?.exportJobId ? await expectedSha256(record.exportJobId) : undefined;
        const actual = await objectSha256(system.clients.s3, system.wiring.bucketName, objectKey);
        if (!expected) why = `OCP has no recording for export job ${record?.exportJobId}`;
        else if (actual !== expected) why = `sha256 ${actual.slice(0, 12)}… differs from OCP's ${expected.slice(0, 12)}…`;
      }
      judge('every COMPLETED record has its object with the sha256 OCP served', key, why);
    }
    judge('no record moved backwards', key, watcher.regressions.get(pk));
  }

  return {
    results: Object.values(results),
    lost: lost.size,
    lostCalls: [...lost],
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function renderInvariants(report: InvariantReport): string {
  const lines = report.results.map((r) => `  ${r.broken === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.ok} ok, ${r.broken} broken`);
  for (const r of report.results) for (const v of r.violations.slice(0, 5)) lines.push(`       ${r.name}: ${v.call}: ${v.why}`);
  lines.push(`lost: ${report.lost}`);
  return lines.join('\n');
}
