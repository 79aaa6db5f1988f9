/** Compares each generated call's terminal status with what its scenario expects. */
import { Table } from '../../system/resources.ts';
import type { ObservedRecord } from './observe.ts';
import { Scenarios, type PlannedCall } from './scenarios.ts';

export interface ExpectationReport {
  matched: number;
  checked: number;
  /** Up to ten mismatches, "callId: expected X, got Y". */
  mismatches: string[];
}

export function compareWithScenarios(calls: readonly PlannedCall[], records: readonly ObservedRecord[]): ExpectationReport {
  const byPk = new Map(records.map((r) => [r.PK, r]));
  const report: ExpectationReport = { matched: 0, checked: 0, mismatches: [] };
  for (const c of calls) {
    const expected = Scenarios[c.scenario].expectedStatus;
    if (!expected) continue;
    report.checked += 1;
    const actual = byPk.get(Table.key(c.dialogGroupId).PK)?.reconciliationStatus ?? 'no record';
    if (actual === expected) report.matched += 1;
    else if (report.mismatches.length < 10) report.mismatches.push(`${c.callId} (${c.scenario}): expected ${expected}, got ${actual}`);
  }
  return report;
}

export function renderExpectations(r: ExpectationReport): string {
  const head = `Scenario expectations: ${r.matched}/${r.checked} calls ended as their scenario expects`;
  return r.mismatches.length === 0 ? head : [head, ...r.mismatches.map((m) => `  ${m}`)].join('\n');
}
