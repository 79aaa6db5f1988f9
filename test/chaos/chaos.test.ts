/**
 * A small chaos run inside `npm test`: OCP faults at high rates, FAILED exports, dropped downloads,
 * duplicate and malformed messages, the worker SIGKILLed mid-run and the workflow host (engine, API,
 * handlers) SIGKILLed and resumed from its checkpoints. Whatever each call ends as, no call is lost.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';
import { runChaos, type ChaosResult } from '../../local/mode/chaos.ts';
import { renderInvariants } from '../../local/mode/invariants.ts';
import { dynamoDbLocal, sqsS3Local } from '../support/services.ts';

describe('chaos (small run through the whole local system)', function () {
  this.timeout(240_000);
  let result: ChaosResult;
  let dataRoot: string;

  before(async () => {
    dataRoot = mkdtempSync(join(tmpdir(), 'chaos-'));
    result = await runChaos(
      {
        calls: 24,
        seed: 3,
        speed: 40,
        ocpThrottleRate: 0.15,
        ocpServerErrorRate: 0.1,
        ocpTimeoutRate: 0,
        ocpMalformedRate: 0.05,
        exportFailedRate: 0.1,
        droppedDownloadRate: 0.2,
        duplicateRate: 0.15,
        malformedRate: 0.05,
        workerKills: 1,
        engineKills: 1,
        timeoutSeconds: 180,
        dataRoot,
      },
      readStackWorkflowConfig('dev'),
      { system: { prefix: `chaos-${Date.now()}`, external: { dynamodbEndpoint: (await dynamoDbLocal()).endpoint, sqsS3Endpoint: (await sqsS3Local()).endpoint } } },
    );
  });

  after(() => {
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  it('killed the worker and the workflow host and restarted both', () => {
    expect(result.events.filter((e) => e.what.startsWith('worker pid'))).to.have.length(1);
    const host = result.events.filter((e) => e.what.startsWith('workflow host'));
    expect(host).to.have.length(1);
    // The kill lands mid-run, so the new host had executions to pick up from the checkpoints.
    expect(Number(/resuming (\d+) running executions/.exec(host[0]!.what)?.[1])).to.be.greaterThan(0);
  });

  it('actually injected OCP faults and cut downloads', () => {
    expect(result.injected.throttle ?? 0).to.be.greaterThan(0);
    expect(result.injected.serverError ?? 0).to.be.greaterThan(0);
    expect(result.injected.downloadsCut).to.be.greaterThan(0);
  });

  it('loses no call: every invariant holds for every call', () => {
    const text = renderInvariants(result.invariants);
    expect(result.invariants.results.filter((r) => r.broken > 0), text).to.deep.equal([]);
    expect(text.split('\n').at(-1)).to.equal('lost: 0');
  });

  it('checked every invariant on every call it applies to', () => {
    const byName = Object.fromEntries(result.invariants.results.map((r) => [r.name, r.ok]));
    const malformed = byName['malformed message in the input DLQ, nothing started'] ?? 0;
    expect(byName['exactly one execution per call']).to.equal(24 - malformed);
    expect(byName['exactly one terminal record per call']).to.equal(24 - malformed);
    expect(byName['every COMPLETED record has its object with the sha256 OCP served']).to.equal(result.byStatus.COMPLETED);
  });
});
