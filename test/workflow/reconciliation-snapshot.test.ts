import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReconciliationAsl } from '../../workflow/reconciliation.ts';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';
import { synthResources } from '../../workflow/synth-resources.ts';

const snapshot = fileURLToPath(new URL('./__snapshots__/reconciliation.dev.asl.json', import.meta.url));

describe('reconciliation ASL snapshot', () => {
  it('matches the committed snapshot (UPDATE_SNAPSHOTS=1 rewrites it after an intended change)', () => {
    const asl = renderReconciliationAsl(readStackWorkflowConfig('dev'), synthResources('dev'));
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      mkdirSync(dirname(snapshot), { recursive: true });
      writeFileSync(snapshot, asl);
    }
    expect(existsSync(snapshot), `no snapshot at ${snapshot}; run UPDATE_SNAPSHOTS=1 npx mocha to create it`).to.equal(true);
    expect(asl, 'the generated ASL changed; review the diff and run UPDATE_SNAPSHOTS=1 npx mocha if it was intended').to.equal(readFileSync(snapshot, 'utf8'));
  });
});
