/**
 * Waits for a batch of submitted calls to settle: every valid call has a terminal record, no
 * execution is still running and the input queue is empty. Reports progress on the way.
 */
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { isTerminal } from '../../runtime/status.ts';
import { Table } from '../../system/resources.ts';
import type { LocalSystem } from './local-system.ts';
import { queueDepth, scanRecords } from './observe.ts';
import type { ProgressSnapshot } from './progress.ts';
import { statusCounts, type SubmittedCall } from './run-report.ts';

export class RunDidNotSettleError extends Error {
  override readonly name = 'RunDidNotSettleError';
}

export interface AwaitRunOptions {
  /** Give up after this much real time. */
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (s: ProgressSnapshot) => void;
  /** Stops waiting early (Ctrl-C). */
  signal?: AbortSignal;
}

export async function awaitRun(system: LocalSystem, calls: readonly SubmittedCall[], options: AwaitRunOptions): Promise<void> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 250;
  for (;;) {
    options.signal?.throwIfAborted();
    const records = await scanRecords(system.clients.ddb, system.wiring.tableName);
    const byStatus = statusCounts(records, calls);
    options.onProgress?.({ submitted: calls.length, byStatus, elapsedMs: Date.now() - started });
    const allTerminal = Object.entries(byStatus).every(([status]) => isTerminal(status));
    if (allTerminal && (await settled(system))) return;
    if (Date.now() - started > options.timeoutMs) {
      const byPk = new Map(records.map((r) => [r.PK, r]));
      const stuck = calls
        .filter((c) => !isTerminal(byPk.get(Table.key(c.dialogGroupId).PK)?.reconciliationStatus))
        .slice(0, 10)
        .map((c) => `${c.dialogGroupId}/${c.callId}: ${byPk.get(Table.key(c.dialogGroupId).PK)?.reconciliationStatus ?? 'no record'}`);
      throw new RunDidNotSettleError(
        `The run did not settle within ${Math.round(options.timeoutMs / 1000)} s. Unfinished calls (first 10): ${stuck.join('; ') || 'none, but executions are still running or the input queue is not empty'}. Logs: ${system.folders.logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** No execution running and nothing left on the input queue; false while the engine is unreachable (a restart). */
async function settled(system: LocalSystem): Promise<boolean> {
  try {
    const running = await system.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: system.wiring.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }));
    return (running.executions ?? []).length === 0 && (await queueDepth(system.clients.sqs, system.queues.input.url)) === 0;
  } catch (err) {
    system.log.log('warn', 'could not ask whether the run settled; asking again', { error: (err as Error).name, cause: (err as Error).message });
    return false;
  }
}
