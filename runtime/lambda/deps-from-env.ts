/**
 * Dependencies of a deployed handler, built from the environment. Each handler's `handler` export
 * calls these once (see lazy-handler.ts); tests and the local mode build deps themselves and call
 * `makeHandler(deps)` instead.
 */
import { createOcpClient, type OcpClient } from '../ocp/client.ts';
import { secretsManagerTokenProvider } from '../ocp/token.ts';
import { awsClientsFromEnv } from '../aws/clients.ts';
import { readEnv } from '../env.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ReconciliationStore } from '../store/reconciliation-store.ts';

export function loggerFromEnv(): Logger {
  return createLogger();
}

export function storeFromEnv(): ReconciliationStore {
  const env = readEnv(['tableName', 'recordTtlDays']);
  return new ReconciliationStore({ ddb: awsClientsFromEnv().ddb, tableName: env.tableName, ttlDays: env.recordTtlDays });
}

/** OCP retries are logged here, once, with the operation and status but never the token. */
export function ocpFromEnv(logger: Logger): OcpClient {
  const env = readEnv(['ocpBaseUrl', 'ocpTokenSecretArn']);
  return createOcpClient({
    baseUrl: env.ocpBaseUrl,
    token: secretsManagerTokenProvider({ secretArn: env.ocpTokenSecretArn }),
    onRetry: (event) => logger.warn('retrying OCP request', { ...event }),
  });
}
