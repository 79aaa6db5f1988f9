/**
 * The three ways an OCP call fails, named for the workflow's Retry/Catch rules (runtime/errors.ts):
 * throttling and timeouts are worth retrying later, anything else is not.
 * Messages and details never carry the bearer token: they are built from our own words,
 * the HTTP status, OCP's request id and OCP's error text, never from request headers.
 */
import { ErrorNames, NamedError, type ErrorName } from '../errors.ts';

export type OcpOperation = 'createExportJob' | 'getExportStatus' | 'getExportMetadata';

/** What every OCP error carries so a person can find the call in OCP's logs. */
export interface OcpErrorContext {
  operation: OcpOperation;
  httpStatus?: number;
  /** OCP's `X-Request-Id` of the last response, when there was one. */
  ocpRequestId?: string;
  /** Requests made, including retries. */
  attempts?: number;
  exportJobId?: string;
  dialogGroupId?: string;
  /** OCP's machine-readable error code from the body, when it sent one. */
  ocpErrorCode?: string;
}

abstract class OcpError extends NamedError {
  readonly httpStatus: number | undefined;
  readonly ocpRequestId: string | undefined;
  readonly operation: OcpOperation;

  protected constructor(name: ErrorName, message: string, context: OcpErrorContext) {
    super(name, message, { ...context });
    this.httpStatus = context.httpStatus;
    this.ocpRequestId = context.ocpRequestId;
    this.operation = context.operation;
  }
}

/** OCP refused for rate (429) or load (503) even after the client's own retries. */
export class OcpApiThrottlingError extends OcpError {
  constructor(message: string, context: OcpErrorContext) {
    super(ErrorNames.OcpThrottling, message, context);
  }
}

/** No answer within the timeout (client-side), or OCP's gateway timed out (504). */
export class OcpApiTimeoutError extends OcpError {
  constructor(message: string, context: OcpErrorContext) {
    super(ErrorNames.OcpTimeout, message, context);
  }
}

/** Anything else: a 4xx, a persistent 5xx, a network failure, malformed JSON, a body that breaks the contract. */
export class OcpApiError extends OcpError {
  constructor(message: string, context: OcpErrorContext) {
    super(ErrorNames.OcpApi, message, context);
  }
}

export type AnyOcpError = OcpApiError | OcpApiThrottlingError | OcpApiTimeoutError;

export function isOcpError(error: unknown): error is AnyOcpError {
  return error instanceof OcpApiError || error instanceof OcpApiThrottlingError || error instanceof OcpApiTimeoutError;
}
