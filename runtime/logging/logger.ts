/**
 * One structured JSON logger (Powertools) for every handler. Each invocation logs through a child
 * carrying the call's ids as keys, so concurrent invocations in the local mode never mix keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { redactSecrets } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  serviceName?: string;
  /** Defaults to POWERTOOLS_LOG_LEVEL, then INFO. `SILENT` turns logging off (tests). */
  logLevel?: LogLevel;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'audio-reconciliation',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: redactSecrets,
  });
}

/** The ids that make a log line findable: added as top-level keys, never the task token. */
export interface CallKeys {
  dialogGroupId?: string;
  callId?: string;
  executionId?: string;
  exportJobId?: string;
}

const CALL_KEYS = ['dialogGroupId', 'callId', 'executionId', 'exportJobId'] as const;

/** Picks only the known id fields, so a payload's URLs (possibly presigned) or tokens never become keys. */
export function callLogger(parent: Logger, source: object): Logger {
  const persistentKeys: CallKeys = {};
  for (const k of CALL_KEYS) {
    const v = (source as Record<string, unknown>)[k];
    if (typeof v === 'string') persistentKeys[k] = v;
  }
  return parent.createChild({ persistentKeys: { ...persistentKeys } });
}
