import { expect } from 'chai';
import { FailureWriteCondition } from '../../runtime/store/failure-condition.ts';
import {
  CheckExportStatusInput,
  ConsolidateInput,
  CreateExportJobInput,
  FailureNotice,
  GetExportMetadataInput,
  NotifyDownloadInput,
} from '../../runtime/contracts.ts';
import { parseWorkflowConfig, type WorkflowConfig } from '../../workflow/config.ts';
import { StateNames, buildReconciliationWorkflow } from '../../workflow/reconciliation.ts';
import { synthResources } from '../../workflow/synth-resources.ts';
import { walk, type WalkResult } from './support/graph-walker.ts';
import { scenario, type ScenarioOptions } from './support/scenario.ts';

const config = parseWorkflowConfig({});
const definition = (c: WorkflowConfig = config) => buildReconciliationWorkflow(c, synthResources()).definition;
const run = (completeOn: number, options: ScenarioOptions = {}, c: WorkflowConfig = config) => walk(definition(c), scenario(completeOn, options));

function payloads(result: WalkResult, state: string): unknown[] {
  return (result.calls[state] ?? []).map((p) => (p as { Payload: unknown }).Payload);
}

function dlqNotice(result: WalkResult) {
  const calls = result.calls.SendFailureToDlq ?? [];
  expect(calls, 'one DLQ message').to.have.length(1);
  return FailureNotice.parse((calls[0] as { MessageBody: unknown }).MessageBody);
}

function expectFailure(result: WalkResult, status: string) {
  expect(result.status).to.equal('FAILED');
  expect(result.error).to.equal(status);
  const tail = result.entered.slice(-3);
  expect(tail).to.deep.equal(['RecordFailure', 'SendFailureToDlq', 'ReconciliationFailed']);
  const notice = dlqNotice(result);
  expect(notice.reconciliationStatus).to.equal(status);
  expect(notice.failureReason).to.equal(result.cause);
  return notice;
}

describe('reconciliation workflow routing (walked over the rendered ASL)', () => {
  it('enters 14 states when the export completes on the third poll, 17 on the fourth', () => {
    const third = run(3);
    expect(third.status).to.equal('SUCCEEDED');
    expect(third.entered).to.have.length(14);
    expect(third.entered.filter((s) => s === StateNames.checkExportStatus)).to.have.length(3);
    expect(run(4).entered).to.have.length(17);
  });

  it('builds exactly the Lambda payloads of runtime/contracts.ts and returns the consolidated outcome', () => {
    const result = run(2);
    for (const p of payloads(result, StateNames.createExportJob)) CreateExportJobInput.parse(p);
    const checks = payloads(result, StateNames.checkExportStatus).map((p) => CheckExportStatusInput.parse(p));
    expect(checks.map((c) => c.pollingIteration)).to.deep.equal([1, 2]);
    expect(checks[0]?.exportJobId).to.equal('job-1');
    GetExportMetadataInput.parse(payloads(result, StateNames.getExportMetadata)[0]);
    const notify = NotifyDownloadInput.parse(payloads(result, StateNames.notifyDownloadService)[0]);
    expect(notify.taskToken).to.equal('token-1');
    expect(notify.downloadUrl).to.equal('https://ocp.example.com/exports/job-1.zip');
    const consolidate = ConsolidateInput.parse(payloads(result, StateNames.consolidateReconciliation)[0]);
    expect(consolidate.metadata.format).to.equal('WAV');
    expect(consolidate.download.status).to.equal('STORED');
    expect(result.output).to.deep.equal({ reconciliationStatus: 'COMPLETED', completedAt: '2026-01-01T01:00:00Z', s3Uri: 's3://recordings/recordings/DG-1/CALL-1.wav' });
  });

  it('stops after maxPolls status checks when the export stays IN_PROGRESS', () => {
    const result = run(Infinity);
    expect(result.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    const notice = expectFailure(result, 'FAILED_MAX_RETRIES');
    expect(notice.exportJobId).to.equal('job-1');
    expect(notice.error).to.equal('MaxPollsReached');
  });

  it('counts failed status checks toward the same bound', () => {
    const allErrors = run(Infinity, { check: () => ({ error: 'OCPAPITimeoutError', cause: 'slow' }) });
    expect(allErrors.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    expect(allErrors.entered.filter((s) => s === StateNames.waitAfterStatusError)).to.have.length(config.maxPolls - 1);
    expect(expectFailure(allErrors, 'FAILED_MAX_RETRIES').error).to.equal('OCPAPITimeoutError');

    const mixed = run(Infinity, { check: (call) => (call % 2 === 1 ? { error: 'OCPAPIError' } : 'IN_PROGRESS') });
    expect(mixed.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    const iterations = payloads(mixed, StateNames.checkExportStatus).map((p) => (p as { pollingIteration: number }).pollingIteration);
    expect(iterations).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('recovers from a failed status check when polls are left', () => {
    const result = run(3, { check: (call) => (call === 1 ? { error: 'OCPAPIThrottlingError' } : call >= 3 ? 'COMPLETED' : 'IN_PROGRESS') });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.entered).to.include(StateNames.waitAfterStatusError);
  });

  it('routes FAILED and unknown export statuses to their own failures', () => {
    expectFailure(run(1, { check: () => 'FAILED' }), 'FAILED_EXPORT_ERROR');
    const unknown = run(1, { check: () => 'CANCELLED' });
    expect(unknown.entered).to.include(StateNames.flagUnknownStatus);
    expect(expectFailure(unknown, 'FAILED_UNKNOWN_STATUS').cause).to.contain('CANCELLED');
  });

  it('fails with FAILED_EXPORT_ERROR, not a run-time stop, when COMPLETED arrives without a download URL', () => {
    const result = run(1, {
      override: (s) =>
        s === StateNames.checkExportStatus ? { result: { Payload: { status: 'COMPLETED', pollingIteration: 1, nextWaitSeconds: 30 } } } : undefined,
    });
    expect(expectFailure(result, 'FAILED_EXPORT_ERROR').error).to.equal('DownloadUrlMissing');
    expect(result.entered).not.to.include(StateNames.downloadAndDescribe);
  });

  it('sends exportJobId null when the export job was never created', () => {
    const ocp = run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'OCPAPIError', cause: 'call not found' } : undefined) });
    const notice = expectFailure(ocp, 'FAILED_OCP_API_ERROR');
    expect(notice.exportJobId).to.equal(null);
    expect(notice.cause).to.equal('call not found');
    const other = run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'InvalidInputError' } : undefined) });
    expect(expectFailure(other, 'FAILED_UNEXPECTED_ERROR').exportJobId).to.equal(null);
  });

  const parallelCases: [string, string, string][] = [
    [StateNames.notifyDownloadService, 'States.Timeout', 'FAILED_DOWNLOAD_TIMEOUT'],
    [StateNames.notifyDownloadService, 'States.HeartbeatTimeout', 'FAILED_DOWNLOAD_TIMEOUT'],
    [StateNames.notifyDownloadService, 'DownloadFailed', 'FAILED_DOWNLOAD_ERROR'],
    [StateNames.notifyDownloadService, 'ArchiveInvalid', 'FAILED_DOWNLOAD_ERROR'],
    [StateNames.getExportMetadata, 'OCPAPIError', 'FAILED_OCP_API_ERROR'],
    [StateNames.getExportMetadata, 'Lambda.Unknown', 'FAILED_PARALLEL_ERROR'],
    [StateNames.consolidateReconciliation, 'AudioMismatchError', 'FAILED_AUDIO_MISMATCH'],
    [StateNames.consolidateReconciliation, 'RecordConflictError', 'FAILED_UNEXPECTED_ERROR'],
  ];
  for (const [state, error, status] of parallelCases) {
    it(`records ${status} when ${state} fails with ${error}`, () => {
      const result = run(1, { override: (s) => (s === state ? { error, cause: `${error} happened` } : undefined) });
      const notice = expectFailure(result, status);
      expect(notice).to.include({ error, cause: `${error} happened`, exportJobId: 'job-1', dialogGroupId: 'DG-1', callId: 'CALL-1' });
    });
  }

  it('writes the failure record with status, reason, error details and the execution id', () => {
    const result = run(1, { check: () => 'FAILED' });
    const update = (result.calls.RecordFailure?.[0] ?? {}) as {
      Key: { PK: { S: string } };
      ExpressionAttributeValues: Record<string, { S: string }>;
      ConditionExpression: string;
    };
    expect(update.Key.PK.S).to.equal('CALL#DG-1');
    const values = update.ExpressionAttributeValues;
    expect(values[':status']?.S).to.equal('FAILED_EXPORT_ERROR');
    expect(JSON.parse(values[':details']?.S ?? '{}')).to.have.keys('error', 'cause');
    expect(values[':exec']?.S).to.match(/^arn:aws:states:/);
    // Only this execution's IN_PROGRESS record (or none yet) may be marked failed: the store's own rule.
    expect(update.ConditionExpression).to.equal(FailureWriteCondition.expression);
    expect(values[':inProgress']?.S).to.equal('IN_PROGRESS');
  });

  it('still sends the DLQ message and fails when recording the failure fails, and fails even if the DLQ send fails', () => {
    const recordFails = run(1, {
      check: () => 'FAILED',
      override: (s) => (s === 'RecordFailure' ? { error: 'DynamoDB.ConditionalCheckFailedException' } : undefined),
    });
    expectFailure(recordFails, 'FAILED_EXPORT_ERROR');
    const bothFail = run(1, {
      check: () => 'FAILED',
      override: (s) => (s === 'RecordFailure' || s === 'SendFailureToDlq' ? { error: 'States.TaskFailed' } : undefined),
    });
    expect(bothFail.status).to.equal('FAILED');
    expect(bothFail.error).to.equal('FAILED_EXPORT_ERROR');
    expect(bothFail.entered.at(-1)).to.equal('ReconciliationFailed');
  });

  it('bounds the loop by a configured maxPolls', () => {
    const two = parseWorkflowConfig({ maxPolls: 2 });
    expect(run(Infinity, {}, two).calls[StateNames.checkExportStatus]).to.have.length(2);
  });
});
