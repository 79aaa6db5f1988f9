/**
 * Dependencies of a deployed handler, built from the environment. Each handler's `handler` export
 * calls these once (see lazy-handler.ts); tests and the local mode build deps themselves and call
 * `makeHandler(deps)` instead.
 *
 * Deps that need an AWS SDK client live beside their client (runtime/aws/store-from-env.ts,
 * runtime/aws/ocp-from-env.ts, runtime/aws/sqs.ts, runtime/aws/sfn.ts) and each handler imports only
 * the ones it uses: every SDK package a bundle imports is loaded on each cold start, used or not.
 * Keep this module free of SDK imports for the same reason.
 */
import { createLogger, type Logger } from '../logging/logger.ts';

export function loggerFromEnv(): Logger {
  return createLogger();
}
