/**
 * The reconciliation workflow, written with the DSL. Happy path (export done on the 3rd poll):
 * CreateExportJob, 3 × (WaitForExport, CheckExportStatus, EvaluateExportStatus),
 * DownloadAndDescribe with its two branch tasks, ConsolidateReconciliation: 14 states entered.
 * The other success end: a new execution for a call already COMPLETED goes from CreateExportJob's
 * AlreadyReconciledError catch straight to AlreadyReconciled, with no failure record or DLQ message.
 *
 * Data flow: ids always come from the execution input ($$), job id, poll counter and failure facts
 * travel in variables, and the state data carries only the latest Lambda result (what the next
 * Wait or Choice reads).
 */
import {
  Choice,
  Condition,
  Duration,
  JsonPath,
  Parallel,
  Pass,
  States,
  Succeed,
  WaitTime,
  Wait,
  buildStateMachine,
  lambdaInvoke,
  type Permission,
  type StateMachineDefinition,
  type Template,
} from '../asl/index.ts';
import type { WaitPolicy } from '../runtime/contracts.ts';
import { DownloadErrors, ErrorNames, StatesErrors } from '../runtime/errors.ts';
import type { WorkflowConfig, WorkflowResources } from './config.ts';
import { failureAssign, failurePath } from './failure-path.ts';
import { OcpErrors, RetryLambdaService, RetryOcpTransient } from './retry-policies.ts';
import { Vars, path, ref } from './variables.ts';

export const StateNames = {
  createExportJob: 'CreateExportJob',
  waitForExport: 'WaitForExport',
  checkExportStatus: 'CheckExportStatus',
  evaluateExportStatus: 'EvaluateExportStatus',
  waitAfterStatusError: 'WaitAfterStatusError',
  flagUnknownStatus: 'FlagUnknownStatus',
  downloadAndDescribe: 'DownloadAndDescribe',
  getExportMetadata: 'GetExportMetadata',
  notifyDownloadService: 'NotifyDownloadService',
  consolidateReconciliation: 'ConsolidateReconciliation',
  alreadyReconciled: 'AlreadyReconciled',
} as const;

/** OCP's export statuses the workflow routes on; anything else is FAILED_UNKNOWN_STATUS. */
export const ExportStatus = { completed: 'COMPLETED', inProgress: 'IN_PROGRESS', failed: 'FAILED' } as const;

export function waitPolicyOf(config: WorkflowConfig): WaitPolicy {
  return {
    kind: config.pollingPolicy,
    fixedSeconds: config.pollIntervalSeconds,
    minSeconds: config.adaptiveMinWaitSeconds,
    maxSeconds: config.adaptiveMaxWaitSeconds,
  };
}

/** The ids every Lambda receives, read from the execution input so they exist on every path. */
function callRef(): Template {
  return {
    dialogGroupId: JsonPath.executionInput('dialogGroupId'),
    callId: JsonPath.executionInput('callId'),
    executionId: JsonPath.executionId,
  };
}

export function buildReconciliationWorkflow(config: WorkflowConfig, resources: WorkflowResources): StateMachineDefinition {
  const fn = resources.functions;
  const waitPolicy = { ...waitPolicyOf(config) };
  const toFailure = failurePath(resources);
  const maxPolls = config.maxPolls;

  // A new execution (higher retryAttempt, operator's StartExecution) for a call already COMPLETED:
  // the recording is recovered, so this is not a failure. RecordFailure would refuse to touch the
  // COMPLETED record anyway, and a DLQ message would be a false alarm.
  const alreadyReconciled = new Succeed(StateNames.alreadyReconciled, {
    comment: 'The call was already reconciled by an earlier execution; $.alreadyReconciled.Cause says where its recording is stored.',
  });

  const createExportJob = lambdaInvoke(StateNames.createExportJob, {
    comment: 'Records the call IN_PROGRESS, creates the OCP export job and records CREATED (the Lambda writes both).',
    functionArn: fn.createExportJob,
    payload: { ...callRef(), waitPolicy },
    // No ResultSelector here on purpose: AWS does not document whether a JSONPath Task's Assign
    // reads the result before or after ResultSelector, and without one both readings agree.
    assign: { [Vars.exportJobId]: JsonPath.at('$.Payload.exportJobId'), [Vars.pollCount]: 0 },
    outputPath: '$.Payload',
  })
    .addRetry(RetryOcpTransient)
    .addRetry(RetryLambdaService)
    // The execution input plus the error, so the output names the call and where its file is.
    .addCatch(alreadyReconciled, { errors: [ErrorNames.AlreadyReconciled], resultPath: '$.alreadyReconciled' })
    .addCatch(toFailure, {
      errors: OcpErrors,
      assign: {
        [Vars.exportJobId]: null,
        ...failureAssign({
          status: 'FAILED_OCP_API_ERROR',
          reason: 'OCP refused or kept failing the export request; check errorDetails and OCP for this call, then resubmit it to the reconciliation queue.',
        }),
      },
    })
    .addCatch(toFailure, {
      assign: {
        [Vars.exportJobId]: null,
        ...failureAssign({
          status: 'FAILED_UNEXPECTED_ERROR',
          reason: 'Creating the export job failed unexpectedly; read errorDetails and the createExportJob logs of this execution, fix the cause and resubmit the call.',
        }),
      },
    });

  const waitForExport = new Wait(StateNames.waitForExport, {
    comment:
      config.pollingPolicy === 'fixed'
        ? `Fixed policy: ${config.pollIntervalSeconds} s between status checks.`
        : `Adaptive policy: OCP's estimate, clamped by the Lambdas to ${config.adaptiveMinWaitSeconds}-${config.adaptiveMaxWaitSeconds} s.`,
    time: config.pollingPolicy === 'fixed' ? WaitTime.duration(Duration.seconds(config.pollIntervalSeconds)) : WaitTime.secondsPath('$.nextWaitSeconds'),
  });

  const nextPoll = States.mathAdd(ref.pollCount, 1);
  const checkExportStatus = lambdaInvoke(StateNames.checkExportStatus, {
    comment: 'One status check; the Lambda records POLLING or EXPORT_COMPLETED itself.',
    functionArn: fn.checkExportStatus,
    payload: { ...callRef(), exportJobId: ref.exportJobId, pollingIteration: nextPoll, waitPolicy },
    resultSelector: { status: JsonPath.at('$.Payload.status'), nextWaitSeconds: JsonPath.at('$.Payload.nextWaitSeconds'), export: JsonPath.at('$.Payload') },
    assign: { [Vars.pollCount]: nextPoll },
  }).addRetry(RetryLambdaService);

  const waitAfterStatusError = new Wait(StateNames.waitAfterStatusError, {
    comment: 'A failed status check waits, then checks again; it counts toward maxPolls.',
    time: WaitTime.duration(Duration.seconds(config.statusErrorWaitSeconds)),
  });
  waitAfterStatusError.next(checkExportStatus);

  // Reached from the Default only: OCP sent a status this workflow does not know.
  const flagUnknownStatus = new Pass(StateNames.flagUnknownStatus, {
    comment: 'Sets the failure facts for a status the workflow does not know.',
    assign: failureAssign({
      status: 'FAILED_UNKNOWN_STATUS',
      reason: 'OCP reported an export status this workflow does not know; check the job in OCP and extend the workflow if the status is new, then resubmit the call.',
      error: 'UnknownExportStatus',
      cause: States.jsonToString(JsonPath.at('$.export')),
    }),
  });
  flagUnknownStatus.next(toFailure);

  const getExportMetadata = lambdaInvoke(StateNames.getExportMetadata, {
    functionArn: fn.getExportMetadata,
    payload: { ...callRef(), exportJobId: ref.exportJobId },
    outputPath: '$.Payload',
  })
    .addRetry(RetryOcpTransient)
    .addRetry(RetryLambdaService);

  const notifyDownloadService = lambdaInvoke(StateNames.notifyDownloadService, {
    comment: 'Queues the download for the worker and pauses until it reports with the task token.',
    functionArn: fn.notifyDownloadService,
    waitForTaskToken: true,
    payload: { ...callRef(), taskToken: JsonPath.taskToken, exportJobId: ref.exportJobId, downloadUrl: JsonPath.at('$.export.downloadUrl') },
    timeout: Duration.seconds(config.downloadTimeoutSeconds),
    heartbeat: Duration.seconds(config.heartbeatSeconds),
  }).addRetry(RetryLambdaService);

  const downloadAndDescribe = new Parallel(StateNames.downloadAndDescribe, {
    comment: "Fetches OCP's metadata while the worker stores the recording.",
    resultSelector: { metadata: JsonPath.at('$[0]'), download: JsonPath.at('$[1]') },
  })
    .branch(getExportMetadata, notifyDownloadService)
    .addCatch(toFailure, {
      errors: [StatesErrors.Timeout, StatesErrors.HeartbeatTimeout],
      assign: failureAssign({
        status: 'FAILED_DOWNLOAD_TIMEOUT',
        reason: 'The download worker did not finish in time or stopped sending heartbeats; check that the worker service is running and read its logs, then resubmit the call.',
      }),
    })
    .addCatch(toFailure, {
      errors: DownloadErrors,
      assign: failureAssign({
        status: 'FAILED_DOWNLOAD_ERROR',
        reason: 'The download worker could not fetch or store the recording; read the worker error in errorDetails, fix the cause and resubmit the call.',
      }),
    })
    .addCatch(toFailure, {
      errors: OcpErrors,
      assign: failureAssign({
        status: 'FAILED_OCP_API_ERROR',
        reason: "OCP failed to return the recording's metadata; check errorDetails and OCP's availability, then resubmit the call.",
      }),
    })
    .addCatch(toFailure, {
      assign: failureAssign({
        status: 'FAILED_PARALLEL_ERROR',
        reason: 'Fetching the metadata or handing the download to the worker failed unexpectedly; read errorDetails and the getExportMetadata and notifyDownloadService logs, then resubmit the call.',
      }),
    });

  const consolidate = lambdaInvoke(StateNames.consolidateReconciliation, {
    comment: 'Checks the stored audio against the metadata and records COMPLETED (the Lambda writes it).',
    functionArn: fn.consolidateReconciliation,
    payload: {
      ...callRef(),
      exportJobId: ref.exportJobId,
      metadata: JsonPath.at('$.metadata'),
      download: JsonPath.at('$.download'),
      durationToleranceSeconds: config.durationToleranceSeconds,
    },
    resultSelector: {
      reconciliationStatus: JsonPath.at('$.Payload.reconciliationStatus'),
      completedAt: JsonPath.at('$.Payload.completedAt'),
      s3Uri: JsonPath.at('$.Payload.s3Uri'),
    },
  })
    .addRetry(RetryLambdaService)
    .addCatch(toFailure, {
      errors: [ErrorNames.AudioMismatch],
      assign: failureAssign({
        status: 'FAILED_AUDIO_MISMATCH',
        reason: "The stored recording does not match OCP's metadata; compare them using errorDetails before trusting the file, then re-export the call.",
      }),
    })
    .addCatch(toFailure, {
      assign: failureAssign({
        status: 'FAILED_UNEXPECTED_ERROR',
        reason: 'Consolidating the reconciliation failed unexpectedly; read errorDetails and the consolidateReconciliation logs of this execution, then resubmit the call.',
      }),
    });

  const statusCheckFailed = Condition.isPresent('$.Error');
  const underBound = Condition.numberLessThan(path.pollCount, maxPolls);
  const status = (value: string) => Condition.stringEquals('$.status', value);

  const evaluate = new Choice(StateNames.evaluateExportStatus, { comment: 'Routes on the last status check; every way round the loop is bounded by maxPolls.' })
    .when(Condition.and(statusCheckFailed, underBound), waitAfterStatusError, { comment: 'status check failed, polls left' })
    .when(statusCheckFailed, toFailure, {
      comment: 'status check failed on the last poll',
      assign: failureAssign({
        status: 'FAILED_MAX_RETRIES',
        reason: `The export status check failed on the last of ${maxPolls} allowed polls; check OCP's availability and the checkExportStatus logs, then resubmit the call.`,
      }),
    })
    .when(Condition.and(status(ExportStatus.completed), Condition.isPresent('$.export.downloadUrl')), downloadAndDescribe.next(consolidate), {
      comment: 'export ready',
    })
    // Without this guard a COMPLETED status lacking its URL would stop the execution with
    // States.Runtime in NotifyDownloadService, which no Catch can see: no record, no DLQ message.
    .when(status(ExportStatus.completed), toFailure, {
      comment: 'export ready but no download URL',
      assign: failureAssign({
        status: 'FAILED_EXPORT_ERROR',
        reason: 'OCP reported the export as COMPLETED without a download URL; check the job in OCP, then resubmit the call.',
        error: 'DownloadUrlMissing',
        cause: States.jsonToString(JsonPath.at('$.export')),
      }),
    })
    .when(status(ExportStatus.failed), toFailure, {
      comment: 'OCP reports the export failed',
      assign: failureAssign({
        status: 'FAILED_EXPORT_ERROR',
        reason: 'OCP reported the export job as FAILED; check the job in OCP and resubmit the call once the recording can be exported.',
        error: 'ExportJobFailed',
        cause: States.jsonToString(JsonPath.at('$.export')),
      }),
    })
    .when(Condition.and(status(ExportStatus.inProgress), underBound), waitForExport, { comment: 'still exporting, polls left' })
    .when(status(ExportStatus.inProgress), toFailure, {
      comment: 'still exporting after the last poll',
      assign: failureAssign({
        status: 'FAILED_MAX_RETRIES',
        reason: `The export was still in progress after ${maxPolls} status checks; raise maxPolls or the poll interval if OCP is this slow, then resubmit the call.`,
        error: 'MaxPollsReached',
        cause: States.format('Export job {} still IN_PROGRESS after {} status checks', ref.exportJobId, ref.pollCount),
      }),
    })
    .otherwise(flagUnknownStatus);

  // Counted like a successful check, so a persistent error cannot loop until the global timeout.
  checkExportStatus.addCatch(evaluate, { resultPath: '$', assign: { [Vars.pollCount]: nextPoll } });

  return buildStateMachine({
    comment: 'Recovers one call recording missing from the archive: export it from OCP, store it, record the outcome.',
    timeout: Duration.seconds(config.stateMachineTimeoutSeconds),
    startWith: createExportJob.next(waitForExport).next(checkExportStatus).next(evaluate),
  });
}

/** The ASL JSON text for the given config and resources; same input, same bytes. */
export function renderReconciliationAsl(config: WorkflowConfig, resources: WorkflowResources): string {
  return buildReconciliationWorkflow(config, resources).render();
}

/** IAM statements the state machine role needs; resources must include tableArn and failureQueueArn. */
export function reconciliationPermissions(config: WorkflowConfig, resources: WorkflowResources): Permission[] {
  return buildReconciliationWorkflow(config, resources).permissions();
}
