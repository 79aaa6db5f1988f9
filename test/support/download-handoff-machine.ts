/**
 * A one-state machine that hands a download to the worker queue exactly as the workflow's
 * NotifyDownloadService does (the DownloadTask message with the task token) and waits for the
 * worker's callback. Shared by the worker's tests and bench/download.bench.ts.
 */
export interface HandoffTiming {
  timeoutSeconds: number;
  heartbeatSeconds: number;
}

export function downloadHandoffDefinition(queueUrl: string, timing: HandoffTiming): string {
  return JSON.stringify({
    StartAt: 'Download',
    States: {
      Download: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: {
          QueueUrl: queueUrl,
          MessageBody: {
            'taskToken.$': '$$.Task.Token',
            'exportJobId.$': '$.exportJobId',
            'dialogGroupId.$': '$.dialogGroupId',
            'callId.$': '$.callId',
            'downloadUrl.$': '$.downloadUrl',
            'executionId.$': '$$.Execution.Id',
          },
        },
        TimeoutSeconds: timing.timeoutSeconds,
        HeartbeatSeconds: timing.heartbeatSeconds,
        End: true,
      },
    },
  });
}
