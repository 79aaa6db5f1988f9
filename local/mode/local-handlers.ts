/**
 * The six Lambda handlers as local mode runs them: the same `makeHandler` each deployed `handler`
 * uses, with dependencies built here instead of from the environment, for one reason: on a sped-up
 * clock the handlers must read the workflow's time (TTL, timestamps, "seconds until the estimated
 * completion"), or an OCP estimate made on the workflow clock would look hours away in real time.
 */
import { createAwsClients } from '../../runtime/aws/clients.ts';
import { createLogger } from '../../runtime/logging/logger.ts';
import { createOcpClient } from '../../runtime/ocp/client.ts';
import { secretsManagerTokenProvider } from '../../runtime/ocp/token.ts';
import { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { makeHandler as checkExportStatus } from '../../runtime/handlers/checkExportStatus.ts';
import { makeHandler as consolidateReconciliation } from '../../runtime/handlers/consolidateReconciliation.ts';
import { makeHandler as createExportJob } from '../../runtime/handlers/createExportJob.ts';
import { makeHandler as getExportMetadata } from '../../runtime/handlers/getExportMetadata.ts';
import { makeHandler as notifyDownloadService } from '../../runtime/handlers/notifyDownloadService.ts';
import { makeHandler as trigger } from '../../runtime/handlers/trigger.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FunctionName } from '../../system/functions.ts';
import type { LambdaHandler } from '../integrations/lambda.ts';
import type { Clock } from '../engine/types.ts';
import { LocalCredentials, LocalRegion, type LocalWiring } from './environment.ts';

export interface LocalHandlerOptions {
  /** Powertools log level; benchmarks pass SILENT. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** The OCP client's per-request timeout (real time); benchmarks raise it so load cannot change their figures. */
  ocpTimeoutMs?: number;
}

export function localHandlers(w: LocalWiring, clock: Clock, options: LocalHandlerOptions = {}): Record<FunctionName, LambdaHandler> {
  const now = (): Date => new Date(clock.now());
  const aws = createAwsClients({
    region: LocalRegion,
    credentials: { ...LocalCredentials },
    endpoints: { dynamodb: w.endpoints.dynamodb, sqs: w.endpoints.sqsS3, sfn: w.endpoints.stepFunctions },
  });
  const logger = createLogger(options.logLevel ? { logLevel: options.logLevel } : {});
  const store = new ReconciliationStore({ ddb: aws.ddb, tableName: w.tableName, ttlDays: w.recordTtlDays, clock: now });
  const ocp = createOcpClient({
    baseUrl: w.endpoints.ocp,
    ...(options.ocpTimeoutMs ? { timeoutMs: options.ocpTimeoutMs } : {}),
    token: secretsManagerTokenProvider({
      secretArn: w.ocpTokenSecretArn,
      client: new SecretsManagerClient({ region: LocalRegion, credentials: { ...LocalCredentials }, endpoint: w.endpoints.secretsManager }),
    }),
    onRetry: (event) => logger.warn('retrying OCP request', { ...event }),
  });
  return {
    trigger: trigger({ logger, sfn: aws.sfn, sqs: aws.sqs, stateMachineArn: w.stateMachineArn, inputDlqUrl: w.inputDlqUrl, clock: now }),
    createExportJob: createExportJob({ logger, store, ocp, clock: now }),
    checkExportStatus: checkExportStatus({ logger, store, ocp }),
    getExportMetadata: getExportMetadata({ logger, ocp }),
    notifyDownloadService: notifyDownloadService({ logger, store, sqs: aws.sqs, workerQueueUrl: w.workerQueueUrl }),
    consolidateReconciliation: consolidateReconciliation({ logger, store }),
  };
}
