import { expect } from 'chai';
import { progressLine, finishedCount } from '../../local/mode/progress.ts';
import { renderSummary, type RunReport } from '../../local/mode/summary.ts';
import { percentile } from '../../local/mode/percentiles.ts';

describe('local run rendering', () => {
  it('percentile uses nearest rank', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).to.equal(5);
    expect(percentile(xs, 95)).to.equal(10);
    expect(Number.isNaN(percentile([], 50))).to.equal(true);
  });

  it('progress counts only terminal statuses as finished', () => {
    const snap = { submitted: 10, byStatus: { PENDING: 2, IN_PROGRESS: 3, COMPLETED: 4, FAILED_EXPORT_ERROR: 1 }, elapsedMs: 1500 };
    expect(finishedCount(snap)).to.equal(5);
    const line = progressLine(snap, 10);
    expect(line).to.contain('[#####.....] 5/10  50%');
    expect(line).to.contain('PENDING=2 IN_PROGRESS=3 COMPLETED=4 FAILED_EXPORT_ERROR=1');
  });

  it('summary lists each failure reason under its status and the run facts', () => {
    const report: RunReport = {
      submitted: 4,
      byStatus: { COMPLETED: 2, FAILED_EXPORT_ERROR: 2 },
      failures: [
        { status: 'FAILED_EXPORT_ERROR', reason: 'OCP reported the export FAILED: disk full', count: 1 },
        { status: 'FAILED_EXPORT_ERROR', reason: 'OCP reported the export FAILED: codec', count: 1 },
      ],
      executions: 4,
      statesEntered: [9, 9, 7, 7],
      durationsMs: [60_000, 120_000, 30_000, 30_000],
      ocpCalls: { create: 4, status: 10 },
      filesStored: { count: 2, bytes: 2048 },
      failureQueueMessages: 2,
      inputDlqMessages: 0,
      wallClockMs: 3000,
    };
    const text = renderSummary(report);
    expect(text).to.match(/COMPLETED\s+2/);
    expect(text).to.match(/FAILED_EXPORT_ERROR\s+2\n\s+1 x OCP reported the export FAILED: (disk full|codec)/);
    expect(text).to.contain('mean 8.0, p50 7, p95 9, max 9');
    expect(text).to.contain('OCP calls                   14 (create 4, status 10), 3.5 / execution');
    expect(text).to.contain('2 (2.0 KiB)');
  });
});

describe('scenario expectations', () => {
  it('counts calls that ended as their scenario expects and names the others', async () => {
    const { compareWithScenarios, renderExpectations } = await import('../../local/mode/expectations.ts');
    const { planCalls } = await import('../../local/mode/scenarios.ts');
    const calls = planCalls(3, { completes: 1 }, 5);
    const records = [
      { PK: `CALL#${calls[0]!.dialogGroupId}`, SK: 'RECONCILIATION', reconciliationStatus: 'COMPLETED' },
      { PK: `CALL#${calls[1]!.dialogGroupId}`, SK: 'RECONCILIATION', reconciliationStatus: 'FAILED_DOWNLOAD_TIMEOUT' },
    ];
    const r = compareWithScenarios(calls, records);
    expect(r).to.deep.include({ matched: 1, checked: 3 });
    expect(renderExpectations(r)).to.contain(`${calls[1]!.callId} (completes): expected COMPLETED, got FAILED_DOWNLOAD_TIMEOUT`);
    expect(renderExpectations(r)).to.contain(`${calls[2]!.callId} (completes): expected COMPLETED, got no record`);
  });
});
