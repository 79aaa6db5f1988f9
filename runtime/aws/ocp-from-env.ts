/**
 * The OCP client of a deployed handler: base URL from the environment, token from Secrets Manager
 * (the only AWS SDK package this module loads).
 */
import { readEnv } from '../env.ts';
import type { Logger } from '../logging/logger.ts';
import { createOcpClient, type OcpClient } from '../ocp/client.ts';
import { secretsManagerTokenProvider } from '../ocp/token.ts';

/** OCP retries are logged here, once, with the operation and status but never the token. */
export function ocpFromEnv(logger: Logger): OcpClient {
  const env = readEnv(['ocpBaseUrl', 'ocpTokenSecretArn']);
  return createOcpClient({
    baseUrl: env.ocpBaseUrl,
    token: secretsManagerTokenProvider({ secretArn: env.ocpTokenSecretArn }),
    onRetry: (event) => logger.warn('retrying OCP request', { ...event }),
  });
}
