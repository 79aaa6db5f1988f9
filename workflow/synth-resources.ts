/**
 * Placeholder resources for tools that render the ASL without a deployed stack (synth, graph,
 * snapshot tests). The account id is AWS's documentation example; nothing here exists.
 */
import { ProjectName } from './stack-config.ts';
import type { WorkflowResources } from './config.ts';

export function synthResources(stack = 'dev', region = 'eu-west-1', account = '123456789012'): WorkflowResources {
  const prefix = `${ProjectName}-${stack}`;
  const fn = (name: string) => `arn:aws:lambda:${region}:${account}:function:${prefix}-${name}`;
  return {
    functions: {
      createExportJob: fn('createExportJob'),
      checkExportStatus: fn('checkExportStatus'),
      getExportMetadata: fn('getExportMetadata'),
      notifyDownloadService: fn('notifyDownloadService'),
      consolidateReconciliation: fn('consolidateReconciliation'),
    },
    tableName: `${prefix}-reconciliation`,
    tableArn: `arn:aws:dynamodb:${region}:${account}:table/${prefix}-reconciliation`,
    failureQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${prefix}-failure-dlq`,
    failureQueueArn: `arn:aws:sqs:${region}:${account}:${prefix}-failure-dlq`,
  };
}
