/**
 * The reconciliation workflow's ASL (workflow/renderReconciliationAsl) driven through every branch
 * with in-process scripted handlers: the Lambdas answer per scenario, the DynamoDB and SQS tasks only
 * record their calls, and the download worker is a script on the virtual clock. This pins the ASL's
 * routing (the exact states entered and the failure status recorded and sent); it does not claim to
 * test the AWS integrations themselves.
 */
import { expect } from 'chai';
import { TaskFailure, type TaskHandler, type TaskRequest } from '../../local/engine/index.ts';
import { parseWorkflowConfig } from '../../workflow/config.ts';
import { renderReconciliationAsl } from '../../workflow/reconciliation.ts';
import { synthResources } from '../../workflow/synth-resources.ts';
import { harness, type RunResult } from './harness.ts';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const DDB_UPDATE = 'arn:aws:states:::dynamodb:updateItem';
const SQS_SEND = 'arn:aws:states:::sqs:sendMessage';

type Check = 'IN_PROGRESS' | 'COMPLETED' | 'COMPLETED_WITHOUT_URL' | 'FAILED' | 'PAUSED' | { throws: string };
type Download = 'success' | { fail: string } | 'silent' | 'heartbeats-only';

interface Scenario {
  create?: { throws: string };
  checks: Check[];
  download?: Download;
  consolidate?: 'ok' | { throws: string };
}

interface Outcome extends RunResult {
  ddbUpdates: Record<string, unknown>[];
  messages: Record<string, unknown>[];
  lambdaCalls: string[];
}

const config = parseWorkflowConfig({});
const resources = synthResources('test');
const definition = JSON.parse(renderReconciliationAsl(config, resources)) as object;
const input = { dialogGroupId: 'DG-2024-001234', callId: 'CALL-5678-ABCD', originalTimestamp: '2026-01-01T00:00:00Z', retryAttempt: 0, source: 'RECONCILIATION_QUEUE' };

function lambdaResult(payload: unknown): unknown {
  return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: payload };
}

async function runScenario(s: Scenario): Promise<Outcome> {
  const ddbUpdates: Record<string, unknown>[] = [];
  const messages: Record<string, unknown>[] = [];
  const lambdaCalls: string[] = [];
  let checks = 0;
  const handlers: Record<string, TaskHandler> = {};
  const h = harness(handlers);

  const worker = async (token: string): Promise<void> => {
    const d = s.download ?? 'success';
    if (d === 'silent') return;
    if (d === 'heartbeats-only') {
      for (;;) {
        await h.clock.sleep(300_000);
        try {
          h.engine.sendTaskHeartbeat(token);
        } catch {
          return;
        }
      }
    }
    await h.clock.sleep(120_000);
    h.engine.sendTaskHeartbeat(token);
    await h.clock.sleep(60_000);
    if (d === 'success') h.engine.sendTaskSuccess(token, JSON.stringify({ status: 'STORED', s3Uri: 's3://archive/DG-2024-001234/CALL-5678-ABCD.wav', durationSeconds: 61 }));
    else h.engine.sendTaskFailure(token, d.fail, 'the worker could not store the recording');
  };

  handlers[LAMBDA_INVOKE] = async (req: TaskRequest) => {
    const { FunctionName } = req.parameters as { FunctionName: string };
    const fn = FunctionName.slice(FunctionName.lastIndexOf('-') + 1);
    lambdaCalls.push(fn);
    switch (fn) {
      case 'createExportJob':
        if (s.create) throw new TaskFailure(s.create.throws, 'OCP said no');
        return lambdaResult({ exportJobId: 'JOB-1', status: 'CREATED', nextWaitSeconds: 120 });
      case 'checkExportStatus': {
        const c = s.checks[checks++] ?? s.checks.at(-1)!;
        if (typeof c === 'object') throw new TaskFailure(c.throws, `status check ${checks} failed`);
        const body: Record<string, unknown> = { exportJobId: 'JOB-1', status: c === 'COMPLETED_WITHOUT_URL' ? 'COMPLETED' : c, nextWaitSeconds: 240 };
        if (c === 'COMPLETED') Object.assign(body, { downloadUrl: 'https://ocp.example/exports/JOB-1.zip', fileSize: 1024 });
        if (c === 'FAILED') body.errorMessage = 'export crashed';
        return lambdaResult(body);
      }
      case 'getExportMetadata':
        return lambdaResult({ metadata: { duration: 61, channels: 2, sampleRate: 8000, format: 'WAV', agentId: 'A1', queueName: 'Q' } });
      case 'notifyDownloadService':
        void worker(req.taskToken!);
        return lambdaResult(null);
      case 'consolidateReconciliation':
        if (s.consolidate && s.consolidate !== 'ok') throw new TaskFailure(s.consolidate.throws, 'duration 61 s vs 75 s');
        return lambdaResult({ reconciliationStatus: 'COMPLETED', completedAt: '2026-01-01T01:00:00Z', s3Uri: 's3://archive/x.wav' });
      default:
        throw new Error(`unexpected function ${FunctionName}`);
    }
  };
  handlers[DDB_UPDATE] = async (req) => {
    ddbUpdates.push(req.parameters as Record<string, unknown>);
    return {};
  };
  handlers[SQS_SEND] = async (req) => {
    messages.push((req.parameters as { MessageBody: Record<string, unknown> }).MessageBody);
    return { MessageId: `m${messages.length}`, MD5OfMessageBody: 'x' };
  };

  const r = await h.run(definition, input);
  return { ...r, ddbUpdates, messages, lambdaCalls };
}

const poll = ['WaitForExport', 'CheckExportStatus', 'EvaluateExportStatus'];
const polls = (n: number): string[] => Array.from({ length: n }, () => poll).flat();
const download = ['DownloadAndDescribe', 'GetExportMetadata', 'NotifyDownloadService'];
const failure = ['RecordFailure', 'SendFailureToDlq', 'ReconciliationFailed'];

function expectFailure(o: Outcome, status: string): void {
  expect(o.desc.status).to.equal('FAILED');
  expect(o.desc.error).to.equal(status);
  expect(o.desc.cause).to.be.a('string').and.not.equal('');
  expect(o.ddbUpdates).to.have.length(1);
  const values = o.ddbUpdates[0]!.ExpressionAttributeValues as Record<string, { S: string }>;
  expect(values[':status']!.S).to.equal(status);
  expect(values[':reason']!.S).to.equal(o.desc.cause);
  expect((o.ddbUpdates[0]!.Key as { PK: { S: string } }).PK.S).to.equal('CALL#DG-2024-001234');
  expect(o.messages).to.have.length(1);
  expect(o.messages[0]).to.include({ reconciliationStatus: status, dialogGroupId: 'DG-2024-001234', callId: 'CALL-5678-ABCD', failureReason: o.desc.cause });
}

describe('reconciliation workflow: every branch of the generated ASL on the engine', () => {
  it('success on the 3rd poll: 14 states, COMPLETED by the consolidation Lambda, no failure write', async () => {
    const o = await runScenario({ checks: ['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...polls(3), ...download, 'ConsolidateReconciliation']);
    expect(o.desc.status).to.equal('SUCCEEDED');
    expect(o.output).to.deep.include({ reconciliationStatus: 'COMPLETED' });
    expect(o.ddbUpdates).to.have.length(0);
    expect(o.messages).to.have.length(0);
    // Adaptive policy: 120 s after create, 240 s after each check, then the worker's 180 s.
    expect(o.elapsedSeconds).to.equal(120 + 240 + 240 + 180);
  });

  it('success on the n-th poll (n = 6, the last allowed)', async () => {
    const o = await runScenario({ checks: ['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...polls(6), ...download, 'ConsolidateReconciliation']);
    expect(o.desc.status).to.equal('SUCCEEDED');
  });

  it('export FAILED: FAILED_EXPORT_ERROR recorded and sent', async () => {
    const o = await runScenario({ checks: ['IN_PROGRESS', 'FAILED'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...polls(2), ...failure]);
    expectFailure(o, 'FAILED_EXPORT_ERROR');
    expect(o.messages[0]).to.include({ error: 'ExportJobFailed', exportJobId: 'JOB-1' });
  });

  it('COMPLETED without a download URL: FAILED_EXPORT_ERROR, no download attempted', async () => {
    const o = await runScenario({ checks: ['COMPLETED_WITHOUT_URL'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...failure]);
    expectFailure(o, 'FAILED_EXPORT_ERROR');
    expect(o.lambdaCalls).to.not.include('notifyDownloadService');
  });

  it('max polls: still IN_PROGRESS after 6 checks gives FAILED_MAX_RETRIES', async () => {
    const o = await runScenario({ checks: ['IN_PROGRESS'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...polls(6), ...failure]);
    expectFailure(o, 'FAILED_MAX_RETRIES');
    expect(o.messages[0]!.cause).to.equal('Export job JOB-1 still IN_PROGRESS after 6 status checks');
  });

  it('a status-check error waits and checks again, counting toward maxPolls', async () => {
    const o = await runScenario({ checks: [{ throws: 'OCPAPIError' }, 'COMPLETED'] });
    expect(o.entered).to.deep.equal([
      'CreateExportJob',
      ...poll,
      'WaitAfterStatusError',
      'CheckExportStatus',
      'EvaluateExportStatus',
      ...download,
      'ConsolidateReconciliation',
    ]);
    expect(o.desc.status).to.equal('SUCCEEDED');
  });

  it('status-check errors on every poll end in FAILED_MAX_RETRIES with the last error', async () => {
    const o = await runScenario({ checks: [{ throws: 'OCPAPIError' }] });
    const retry = ['WaitAfterStatusError', 'CheckExportStatus', 'EvaluateExportStatus'];
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...Array.from({ length: 5 }, () => retry).flat(), ...failure]);
    expectFailure(o, 'FAILED_MAX_RETRIES');
    expect(o.messages[0]).to.include({ error: 'OCPAPIError', cause: 'status check 6 failed' });
  });

  it('an unknown status goes through FlagUnknownStatus to FAILED_UNKNOWN_STATUS', async () => {
    const o = await runScenario({ checks: ['PAUSED'] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, 'FlagUnknownStatus', ...failure]);
    expectFailure(o, 'FAILED_UNKNOWN_STATUS');
    expect(o.messages[0]!.error).to.equal('UnknownExportStatus');
  });

  it('OCP refusing the export job gives FAILED_OCP_API_ERROR with no job id', async () => {
    const o = await runScenario({ create: { throws: 'OCPAPIError' }, checks: [] });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...failure]);
    expectFailure(o, 'FAILED_OCP_API_ERROR');
    expect(o.messages[0]!.exportJobId).to.equal(null);
  });

  it('download callback failure: FAILED_DOWNLOAD_ERROR with the worker error', async () => {
    const o = await runScenario({ checks: ['COMPLETED'], download: { fail: 'DownloadFailed' } });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...download, ...failure]);
    expectFailure(o, 'FAILED_DOWNLOAD_ERROR');
    expect(o.messages[0]!.error).to.equal('DownloadFailed');
  });

  it('download heartbeat timeout: FAILED_DOWNLOAD_TIMEOUT after HeartbeatSeconds of silence', async () => {
    const o = await runScenario({ checks: ['COMPLETED'], download: 'silent' });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...download, ...failure]);
    expectFailure(o, 'FAILED_DOWNLOAD_TIMEOUT');
    expect(o.messages[0]!.error).to.equal('States.HeartbeatTimeout');
    expect(o.elapsedSeconds).to.equal(120 + config.heartbeatSeconds);
  });

  it('download timeout: heartbeats but no result within TimeoutSeconds gives FAILED_DOWNLOAD_TIMEOUT', async () => {
    const o = await runScenario({ checks: ['COMPLETED'], download: 'heartbeats-only' });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...download, ...failure]);
    expectFailure(o, 'FAILED_DOWNLOAD_TIMEOUT');
    expect(o.messages[0]!.error).to.equal('States.Timeout');
    expect(o.elapsedSeconds).to.equal(120 + config.downloadTimeoutSeconds);
  });

  it('audio mismatch in consolidation: FAILED_AUDIO_MISMATCH', async () => {
    const o = await runScenario({ checks: ['COMPLETED'], consolidate: { throws: 'AudioMismatchError' } });
    expect(o.entered).to.deep.equal(['CreateExportJob', ...poll, ...download, 'ConsolidateReconciliation', ...failure]);
    expectFailure(o, 'FAILED_AUDIO_MISMATCH');
  });
});
