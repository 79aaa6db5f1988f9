/**
 * End to end through the real local services: DynamoDB Local, fauxqs, the OCP simulator, the local
 * Secrets Manager and Step Functions endpoint, the workflow host with the in-process handlers and
 * the trigger's SQS poller, and the download worker as a child process. One call per scenario, plus
 * duplicates; then the table, the queues, the executions and the bucket are read back through the AWS APIs.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { FailureNotice } from '../../runtime/contracts.ts';
import { Bucket, Table } from '../../system/resources.ts';
import { readStackWorkflowConfig } from '../../workflow/stack-config.ts';
import { awaitRun } from '../../local/mode/await-run.ts';
import { checkInvariants, RecordWatcher } from '../../local/mode/invariants.ts';
import { startLocalSystem, type LocalSystem } from '../../local/mode/local-system.ts';
import { listExecutions, objectSha256, peekQueue, scanRecords, type ObservedRecord } from '../../local/mode/observe.ts';
import { Scenarios, ScenarioNames, oneOfEach, type PlannedCall } from '../../local/mode/scenarios.ts';
import { dynamoDbLocal, sqsS3Local } from '../support/services.ts';

describe('local mode end to end (real local services, worker child process)', function () {
  this.timeout(180_000);
  let system: LocalSystem;
  let dataRoot: string;
  let calls: PlannedCall[];
  let records: Map<string, ObservedRecord>;
  const watcher = new RecordWatcher();

  before(async function () {
    dataRoot = mkdtempSync(join(tmpdir(), 'e2e-local-'));
    system = await startLocalSystem({
      dataRoot,
      speed: 200,
      workflow: readStackWorkflowConfig('dev'),
      seed: 11,
      prefix: `e2e-${Date.now()}`,
      external: { dynamodbEndpoint: (await dynamoDbLocal()).endpoint, sqsS3Endpoint: (await sqsS3Local()).endpoint },
      ocpScenarios: Object.values(Scenarios).flatMap((s) => (s.ocp ? [{ patch: s.ocp, target: { callIdPrefix: s.prefix } }] : [])),
    });
    // Every scenario once, and a second success so the bucket holds more than one object.
    calls = [...oneOfEach(ScenarioNames, 11), ...oneOfEach(['completes'], 12)];
    await system.send(calls.flatMap((c) => c.bodies));
    const valid = calls.filter((c) => !Scenarios[c.scenario].malformed);
    await awaitRun(system, valid, {
      timeoutMs: 120_000,
      onProgress: () => undefined,
    });
    const scanned = await scanRecords(system.clients.ddb, system.wiring.tableName);
    watcher.observe(scanned);
    records = new Map(scanned.map((r) => [r.PK, r]));
  });

  after(async () => {
    await system?.stop();
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  function recordOf(c: PlannedCall): ObservedRecord | undefined {
    return records.get(Table.key(c.dialogGroupId).PK);
  }

  it('ends every call in exactly the terminal status its scenario expects', () => {
    const actual = Object.fromEntries(calls.filter((c) => !Scenarios[c.scenario].malformed).map((c) => [c.callId, recordOf(c)?.reconciliationStatus]));
    const expected = Object.fromEntries(calls.filter((c) => !Scenarios[c.scenario].malformed).map((c) => [c.callId, Scenarios[c.scenario].expectedStatus]));
    expect(actual).to.deep.equal(expected);
  });

  it('needed more than one status check where the export took 25 minutes', () => {
    const slow = calls.find((c) => c.scenario === 'slow-export')!;
    expect(recordOf(slow)?.['totalPollingAttempts']).to.be.a('number').and.at.least(2);
  });

  it('sends exactly one failure notice per FAILED_* call, naming its status, and nothing for the others', async () => {
    const notices = (await peekQueue(system.clients.sqs, system.queues.failure.url)).map((m) => FailureNotice.parse(JSON.parse(m.body)));
    const failed = calls.filter((c) => Scenarios[c.scenario].expectedStatus?.startsWith('FAILED_'));
    expect(notices.map((n) => `${n.callId} ${n.reconciliationStatus}`).sort()).to.deep.equal(failed.map((c) => `${c.callId} ${Scenarios[c.scenario].expectedStatus}`).sort());
    for (const n of notices) expect(n.failureReason).to.have.length.greaterThan(20);
  });

  it('puts the malformed message, and only it, on the input DLQ with no record and no execution', async () => {
    const malformed = calls.find((c) => c.scenario === 'malformed-message')!;
    const dlq = await peekQueue(system.clients.sqs, system.queues.input.deadLetter!.url);
    expect(dlq.map((m) => m.body)).to.deep.equal(malformed.bodies);
    expect(recordOf(malformed)).to.equal(undefined);
  });

  it('starts exactly one execution per valid call, the duplicate delivery included', async () => {
    const executions = await listExecutions(system.clients.sfn, system.wiring.stateMachineArn, false);
    const valid = calls.filter((c) => !Scenarios[c.scenario].malformed);
    expect(executions).to.have.length(valid.length);
    const dup = calls.find((c) => c.scenario === 'duplicate-delivery')!;
    expect(dup.bodies).to.have.length(2);
    expect(executions.filter((e) => e.name.includes(dup.dialogGroupId))).to.have.length(1);
    expect(executions.every((e) => e.status === 'SUCCEEDED' || e.status === 'FAILED')).to.equal(true);
  });

  it('stores each completed call at its key with the sha256 of the WAV the simulator served', async () => {
    const completed = calls.filter((c) => Scenarios[c.scenario].expectedStatus === 'COMPLETED');
    expect(completed.length).to.be.at.least(5);
    for (const c of completed) {
      const record = recordOf(c)!;
      const served = await system.ocp.expectedRecording(record.exportJobId!);
      const stored = await objectSha256(system.clients.s3, system.wiring.bucketName, Bucket.recordingKey(c.dialogGroupId, c.callId));
      expect(stored, c.callId).to.equal(served.sha256);
      const metadata = z.looseObject({ storedFile: z.looseObject({ sha256: z.string() }) }).parse(JSON.parse(record.metadata!));
      expect(metadata.storedFile.sha256).to.equal(served.sha256);
    }
  });

  it('met the throttling and 5xx it was meant to meet, and still completed those calls', () => {
    const stats = system.ocp.stats();
    expect(stats.faults.throttle ?? 0).to.be.at.least(2);
    expect(stats.faults.serverError ?? 0).to.be.at.least(1);
  });

  it('resumed the dropped download with a Range request instead of starting over', () => {
    const stats = system.ocp.stats();
    expect(stats.downloads.dropped).to.be.at.least(1);
    expect(stats.downloads.ranged).to.be.at.least(1);
  });

  it('keeps every invariant the chaos run checks', async () => {
    const report = await checkInvariants(
      system,
      calls.map((c) => ({ dialogGroupId: c.dialogGroupId, callId: c.callId, malformed: Scenarios[c.scenario].malformed === true })),
      watcher,
      async (jobId) => (await system.ocp.expectedRecording(jobId)).sha256,
    );
    expect(report.results.filter((r) => r.broken > 0)).to.deep.equal([]);
    expect(report.lost).to.equal(0);
  });
});
