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
import { RetryLambdaService, RetryOcpTransient } from '../../workflow/retry-policies.ts';
import { synthResources } from '../../workflow/synth-resources.ts';
import { runScripted, type ScriptedRun, type TaskOutcome } from '../support/scripted-engine.ts';
import { scenario, type ScenarioOptions } from './support/scenario.ts';

const config = parseWorkflowConfig({});
const definition = (c: WorkflowConfig = config) => buildReconciliationWorkflow(c, synthResources()).definition;
const input = { dialogGroupId: 'DG-1', callId: 'CALL-1' };
const run = (completeOn: number, options: ScenarioOptions = {}, c: WorkflowConfig = config) =>
  runScripted(definition(c), input, scenario(completeOn, options), { heartbeatEverySeconds: c.heartbeatSeconds / 2 });

function payloads(result: ScriptedRun, state: string): unknown[] {
  return (result.calls[state] ?? []).map((p) => (p as { Payload: unknown }).Payload);
}

function dlqNotice(result: ScriptedRun) {
  const calls = result.calls.SendFailureToDlq ?? [];
  expect(calls, 'one DLQ message').to.have.length(1);
  return FailureNotice.parse((calls[0] as { MessageBody: unknown }).MessageBody);
}

function expectFailure(result: ScriptedRun, status: string) {
  expect(result.status).to.equal('FAILED');
  expect(result.error).to.equal(status);
  const tail = result.entered.slice(-3);
  expect(tail).to.deep.equal(['RecordFailure', 'SendFailureToDlq', 'ReconciliationFailed']);
  const notice = dlqNotice(result);
  expect(notice.reconciliationStatus).to.equal(status);
  expect(notice.failureReason).to.equal(result.cause);
  return notice;
}

describe('reconciliation workflow routing (the rendered ASL on the local engine, scripted tasks)', () => {
  it('enters 14 states when the export completes on the third poll, 17 on the fourth', async () => {
    const third = await run(3);
    expect(third.status).to.equal('SUCCEEDED');
    expect(third.entered).to.have.length(14);
    expect(third.entered.filter((s) => s === StateNames.checkExportStatus)).to.have.length(3);
    expect((await run(4)).entered).to.have.length(17);
  });

  it('builds exactly the Lambda payloads of runtime/contracts.ts and returns the consolidated outcome', async () => {
    const result = await run(2);
    for (const p of payloads(result, StateNames.createExportJob)) CreateExportJobInput.parse(p);
    const checks = payloads(result, StateNames.checkExportStatus).map((p) => CheckExportStatusInput.parse(p));
    expect(checks.map((c) => c.pollingIteration)).to.deep.equal([1, 2]);
    expect(checks[0]?.exportJobId).to.equal('job-1');
    GetExportMetadataInput.parse(payloads(result, StateNames.getExportMetadata)[0]);
    const notify = NotifyDownloadInput.parse(payloads(result, StateNames.notifyDownloadService)[0]);
    // The Lambda hands the worker the token this very task is waiting on.
    expect(notify.taskToken).to.equal(result.taskTokens[StateNames.notifyDownloadService]?.[0]).and.to.be.a('string');
    expect(notify.downloadUrl).to.equal('https://ocp.example.com/exports/job-1.zip');
    const consolidate = ConsolidateInput.parse(payloads(result, StateNames.consolidateReconciliation)[0]);
    expect(consolidate.metadata.format).to.equal('WAV');
    expect(consolidate.download.status).to.equal('STORED');
    expect(result.output).to.deep.equal({ reconciliationStatus: 'COMPLETED', completedAt: '2026-01-01T01:00:00Z', s3Uri: 's3://recordings/recordings/DG-1/CALL-1.wav' });
  });

  it('stops after maxPolls status checks when the export stays IN_PROGRESS', async () => {
    const result = await run(Infinity);
    expect(result.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    const notice = expectFailure(result, 'FAILED_MAX_RETRIES');
    expect(notice.exportJobId).to.equal('job-1');
    expect(notice.error).to.equal('MaxPollsReached');
  });

  it('counts failed status checks toward the same bound', async () => {
    const allErrors = await run(Infinity, { check: () => ({ error: 'OCPAPITimeoutError', cause: 'slow' }) });
    expect(allErrors.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    expect(allErrors.entered.filter((s) => s === StateNames.waitAfterStatusError)).to.have.length(config.maxPolls - 1);
    expect(expectFailure(allErrors, 'FAILED_MAX_RETRIES').error).to.equal('OCPAPITimeoutError');

    const mixed = await run(Infinity, { check: (call) => (call % 2 === 1 ? { error: 'OCPAPIError' } : 'IN_PROGRESS') });
    expect(mixed.calls[StateNames.checkExportStatus]).to.have.length(config.maxPolls);
    const iterations = payloads(mixed, StateNames.checkExportStatus).map((p) => (p as { pollingIteration: number }).pollingIteration);
    expect(iterations).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('recovers from a failed status check when polls are left', async () => {
    const result = await run(3, { check: (call) => (call === 1 ? { error: 'OCPAPIThrottlingError' } : call >= 3 ? 'COMPLETED' : 'IN_PROGRESS') });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.entered).to.include(StateNames.waitAfterStatusError);
  });

  it('retries a throttled CreateExportJob by its Retry policy, then records FAILED_OCP_API_ERROR', async () => {
    const retries = RetryOcpTransient.maxAttempts ?? 3; // 3 is the ASL default when MaxAttempts is unset
    const throttled = { error: 'OCPAPIThrottlingError', cause: 'slow down' };
    const result = await run(1, { override: (s) => (s === StateNames.createExportJob ? throttled : undefined) });
    // Retries are attempts of the same state: one entry, 1 + maxAttempts calls.
    expect(result.calls[StateNames.createExportJob]).to.have.length(1 + retries);
    expect(result.entered.filter((s) => s === StateNames.createExportJob)).to.have.length(1);
    expect(expectFailure(result, 'FAILED_OCP_API_ERROR')).to.include({ error: 'OCPAPIThrottlingError', cause: 'slow down', exportJobId: null });

    const recovers = await run(1, {
      override: (s, call) => (s === StateNames.createExportJob && call <= retries ? throttled : undefined),
    });
    expect(recovers.status).to.equal('SUCCEEDED');
  });

  it('retries a Lambda service error within the same poll: the poll counter moves once', async () => {
    const result = await run(1, { check: (call) => (call === 1 ? { error: 'Lambda.ServiceException' } : 'COMPLETED') });
    expect(result.status).to.equal('SUCCEEDED');
    const iterations = payloads(result, StateNames.checkExportStatus).map((p) => (p as { pollingIteration: number }).pollingIteration);
    expect(iterations).to.deep.equal([1, 1]);
    expect(result.entered).not.to.include(StateNames.waitAfterStatusError);
    expect(RetryLambdaService.errors).to.include('Lambda.ServiceException');
  });

  it('routes FAILED and unknown export statuses to their own failures', async () => {
    expectFailure(await run(1, { check: () => 'FAILED' }), 'FAILED_EXPORT_ERROR');
    const unknown = await run(1, { check: () => 'CANCELLED' });
    expect(unknown.entered).to.include(StateNames.flagUnknownStatus);
    expect(expectFailure(unknown, 'FAILED_UNKNOWN_STATUS').cause).to.contain('CANCELLED');
  });

  it('fails with FAILED_EXPORT_ERROR, not a run-time stop, when COMPLETED arrives without a download URL', async () => {
    const result = await run(1, {
      override: (s) =>
        s === StateNames.checkExportStatus ? { result: { Payload: { status: 'COMPLETED', pollingIteration: 1, nextWaitSeconds: 30 } } } : undefined,
    });
    expect(expectFailure(result, 'FAILED_EXPORT_ERROR').error).to.equal('DownloadUrlMissing');
    expect(result.entered).not.to.include(StateNames.downloadAndDescribe);
  });

  it('ends a re-run of an already COMPLETED call as a success: no failure record, no DLQ message, the file location in the output', async () => {
    const s3Uri = 's3://recordings/recordings/DG-1/CALL-1.wav';
    // What Lambda sends as Cause for a thrown error: its error document.
    const cause = JSON.stringify({
      errorType: 'AlreadyReconciledError',
      errorMessage: `Call "DG-1" (callId "CALL-1") is already COMPLETED by execution arn:earlier; its recording is stored at ${s3Uri}.`,
      trace: [],
    });
    const result = await run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'AlreadyReconciledError', cause } : undefined) });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.entered).to.deep.equal([StateNames.createExportJob, StateNames.alreadyReconciled]);
    expect(result.calls[StateNames.createExportJob], 'not retried').to.have.length(1);
    expect(result.calls.RecordFailure).to.equal(undefined);
    expect(result.calls.SendFailureToDlq).to.equal(undefined);
    expect(result.output).to.deep.equal({ ...input, alreadyReconciled: { Error: 'AlreadyReconciledError', Cause: cause } });
    expect(JSON.stringify(result.output)).to.contain(s3Uri);

    // Any other conflict on the record is still a failure someone must look at.
    const conflict = await run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'RecordConflictError', cause: 'owned by another execution' } : undefined) });
    expect(expectFailure(conflict, 'FAILED_UNEXPECTED_ERROR')).to.include({ error: 'RecordConflictError', exportJobId: null });
  });

  it('sends exportJobId null when the export job was never created', async () => {
    const ocp = await run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'OCPAPIError', cause: 'call not found' } : undefined) });
    const notice = expectFailure(ocp, 'FAILED_OCP_API_ERROR');
    expect(notice.exportJobId).to.equal(null);
    expect(notice.cause).to.equal('call not found');
    const other = await run(1, { override: (s) => (s === StateNames.createExportJob ? { error: 'InvalidInputError' } : undefined) });
    expect(expectFailure(other, 'FAILED_UNEXPECTED_ERROR').exportJobId).to.equal(null);
  });

  const failWith = (error: string): TaskOutcome => ({ error, cause: `${error} happened` });
  const parallelCases: { state: string; outcome: TaskOutcome; error: string; status: string; how: string }[] = [
    // Timeouts are the engine's own: the scripted worker stays silent, or heartbeats without finishing.
    { state: StateNames.notifyDownloadService, outcome: { callback: 'heartbeats-only' }, error: 'States.Timeout', status: 'FAILED_DOWNLOAD_TIMEOUT', how: 'heartbeats but never reports' },
    { state: StateNames.notifyDownloadService, outcome: { callback: 'never' }, error: 'States.HeartbeatTimeout', status: 'FAILED_DOWNLOAD_TIMEOUT', how: 'never calls back' },
    ...(
      [
        [StateNames.notifyDownloadService, 'DownloadFailed', 'FAILED_DOWNLOAD_ERROR'],
        [StateNames.notifyDownloadService, 'ArchiveInvalid', 'FAILED_DOWNLOAD_ERROR'],
        [StateNames.getExportMetadata, 'OCPAPIError', 'FAILED_OCP_API_ERROR'],
        [StateNames.getExportMetadata, 'Lambda.Unknown', 'FAILED_PARALLEL_ERROR'],
        [StateNames.consolidateReconciliation, 'AudioMismatchError', 'FAILED_AUDIO_MISMATCH'],
        [StateNames.consolidateReconciliation, 'RecordConflictError', 'FAILED_UNEXPECTED_ERROR'],
      ] as const
    ).map(([state, error, status]) => ({ state, outcome: failWith(error), error, status, how: `fails with ${error}` })),
  ];
  for (const { state, outcome, error, status, how } of parallelCases) {
    it(`records ${status} when ${state} ${how}`, async () => {
      const result = await run(1, { override: (s) => (s === state ? outcome : undefined) });
      const notice = expectFailure(result, status);
      // A scripted failure keeps its cause; a timeout carries the cause the engine recorded for it.
      const timedOut = result.history.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails as { error: string; cause: string } | undefined;
      const cause = 'error' in outcome ? `${error} happened` : timedOut?.cause;
      if (!('error' in outcome)) expect(timedOut?.error).to.equal(error);
      expect(notice).to.include({ error, cause, exportJobId: 'job-1', dialogGroupId: 'DG-1', callId: 'CALL-1' });
    });
  }

  it('writes the failure record with status, reason, error details and the execution id', async () => {
    const result = await run(1, { check: () => 'FAILED' });
    const update = (result.calls.RecordFailure?.[0] ?? {}) as {
      Key: { PK: { S: string } };
      ExpressionAttributeValues: Record<string, { S: string }>;
      ConditionExpression: string;
    };
    expect(update.Key.PK.S).to.equal('CALL#DG-1');
    const values = update.ExpressionAttributeValues;
    expect(values[':status']?.S).to.equal('FAILED_EXPORT_ERROR');
    expect(JSON.parse(values[':details']?.S ?? '{}')).to.have.keys('error', 'cause');
    expect(values[':exec']?.S).to.equal(result.executionArn);
    // Only this execution's IN_PROGRESS record (or none yet) may be marked failed: the store's own rule.
    expect(update.ConditionExpression).to.equal(FailureWriteCondition.expression);
    expect(values[':inProgress']?.S).to.equal('IN_PROGRESS');
  });

  it('still sends the DLQ message and fails when recording the failure fails, and fails even if the DLQ send fails', async () => {
    const recordFails = await run(1, {
      check: () => 'FAILED',
      override: (s) => (s === 'RecordFailure' ? { error: 'DynamoDB.ConditionalCheckFailedException' } : undefined),
    });
    expectFailure(recordFails, 'FAILED_EXPORT_ERROR');
    const bothFail = await run(1, {
      check: () => 'FAILED',
      override: (s) => (s === 'RecordFailure' || s === 'SendFailureToDlq' ? { error: 'States.TaskFailed' } : undefined),
    });
    expect(bothFail.status).to.equal('FAILED');
    expect(bothFail.error).to.equal('FAILED_EXPORT_ERROR');
    expect(bothFail.entered.at(-1)).to.equal('ReconciliationFailed');
  });

  it('bounds the loop by a configured maxPolls', async () => {
    const two = parseWorkflowConfig({ maxPolls: 2 });
    expect((await run(Infinity, {}, two)).calls[StateNames.checkExportStatus]).to.have.length(2);
  });
});
