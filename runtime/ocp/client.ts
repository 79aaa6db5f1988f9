/**
 * The OCP export API client the handlers use (contract: docs/ocp-openapi.yaml).
 *
 * ky does the transport: a per-attempt timeout, bounded retries with exponential backoff for
 * 429/502/503/504 and network errors, and `Retry-After` honoured up to a cap. POST is retried too,
 * which is safe only because every create carries an `Idempotency-Key`. Whatever is left after the
 * retries becomes one of the three named errors the workflow's Retry/Catch rules match.
 */
import { createHash } from 'node:crypto';
import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import type { z } from 'zod';
import {
  CreateExportJobResponse,
  ExportMetadataResponse,
  OcpErrorBody,
  statusVariantFor,
  type ExportStatusResponse,
} from './schemas.ts';
import {
  OcpApiError,
  OcpApiThrottlingError,
  OcpApiTimeoutError,
  type AnyOcpError,
  type OcpErrorContext,
  type OcpOperation,
} from './errors.ts';

/** Returns the bearer token; `invalidate` (when present) drops a cached token OCP has rejected. */
export type OcpTokenProvider = (() => Promise<string>) & { invalidate?: () => void };

export interface OcpRetryOptions {
  /** Retries after the first attempt. */
  limit?: number;
  /** First backoff delay; doubles per retry. */
  backoffBaseMs?: number;
  /** Upper bound of one backoff delay. */
  backoffLimitMs?: number;
  /** Upper bound of a delay OCP asks for with Retry-After; a Lambda cannot wait for ever. */
  maxRetryAfterMs?: number;
  /**
   * Also retry an attempt that timed out. Off by default: a Lambda's time is better spent failing
   * with OCPAPITimeoutError and letting the workflow's Retry back off.
   */
  retryOnTimeout?: boolean;
}

export interface OcpRetryEvent {
  operation: OcpOperation;
  /** 1 for the first retry. */
  retry: number;
  reason: string;
  httpStatus?: number;
  ocpRequestId?: string;
}

export interface OcpClientOptions {
  baseUrl: string;
  token: OcpTokenProvider;
  /** Per attempt. */
  timeoutMs?: number;
  /** Whole call including retries and their delays; keep it below the Lambda's timeout. `false`: unbounded. */
  totalTimeoutMs?: number | false;
  retry?: OcpRetryOptions;
  /** Told about each retry, e.g. to log it; never given the token. */
  onRetry?: (event: OcpRetryEvent) => void;
  fetch?: typeof globalThis.fetch;
}

export interface CreateExportJobArgs {
  dialogGroupId: string;
  callId: string;
  /** ISO 8601. */
  requestedAt: string;
  /** Same key → same job; derive it from the execution so a retried Lambda does not create a second job. */
  idempotencyKey: string;
}

export interface ExportJobRef {
  exportJobId: string;
  dialogGroupId: string;
}

export interface OcpClient {
  createExportJob(args: CreateExportJobArgs): Promise<CreateExportJobResponse>;
  getExportStatus(args: ExportJobRef): Promise<ExportStatusResponse>;
  getExportMetadata(args: ExportJobRef): Promise<ExportMetadataResponse>;
}

/**
 * Sized for a 30 s Lambda: the whole call, retries and waits included, ends within 20 s, so it fails
 * with a named OCP error the workflow can retry rather than being killed by the Lambda timeout.
 */
export const OcpClientDefaults = {
  timeoutMs: 8_000,
  totalTimeoutMs: 20_000,
  retry: { limit: 3, backoffBaseMs: 300, backoffLimitMs: 5_000, maxRetryAfterMs: 10_000, retryOnTimeout: false },
} as const;

const RetriedStatuses = [429, 502, 503, 504];
const RequestIdHeader = 'x-request-id';

export function createOcpClient(options: OcpClientOptions): OcpClient {
  const retry = { ...OcpClientDefaults.retry, ...options.retry };
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const http: KyInstance = ky.create({
    timeout: options.timeoutMs ?? OcpClientDefaults.timeoutMs,
    totalTimeout: options.totalTimeoutMs ?? OcpClientDefaults.totalTimeoutMs,
    throwHttpErrors: true,
    retry: {
      limit: retry.limit,
      methods: ['get', 'post'],
      statusCodes: RetriedStatuses,
      afterStatusCodes: [429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      delay: (attempt) => retry.backoffBaseMs * 2 ** (attempt - 1),
      retryOnTimeout: retry.retryOnTimeout,
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function call<S extends z.ZodType>(
    operation: OcpOperation,
    request: { method: 'get' | 'post'; path: string; json?: unknown; headers?: Record<string, string> },
    schemaFor: (body: unknown) => S,
    ids: Pick<OcpErrorContext, 'exportJobId' | 'dialogGroupId'>,
  ): Promise<z.output<S>> {
    let attempts = 1;
    const token = await options.token();
    const url = new URL(request.path, base);
    let response: Response | undefined;
    let text: string;
    try {
      // The shortcut `.text()` keeps ky's timeout on the body too, so a stalled body is a timeout, not a hang.
      text = await http(url, {
        method: request.method,
        json: request.json,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...request.headers },
        hooks: {
          afterResponse: [
            ({ response: received }) => {
              response = received;
            },
          ],
          beforeRetry: [
            ({ error, retryCount }) => {
              attempts = retryCount + 1;
              const failed = error instanceof HTTPError ? error.response : undefined;
              const requestId = failed?.headers.get(RequestIdHeader);
              options.onRetry?.({
                operation,
                retry: retryCount,
                reason: failed ? `HTTP ${failed.status}` : error.name,
                ...(failed ? { httpStatus: failed.status } : {}),
                ...(requestId ? { ocpRequestId: requestId } : {}),
              });
            },
          ],
        },
      }).text();
    } catch (error) {
      if (error instanceof HTTPError && error.response.status === 401) options.token.invalidate?.();
      throw toOcpError(error, { operation, attempts, ...ids, ...(response ? requestIdOf(response) : {}) });
    }

    const context: OcpErrorContext = {
      operation,
      attempts,
      ...ids,
      ...(response ? { httpStatus: response.status, ...requestIdOf(response) } : {}),
    };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OcpApiError(
        `${describe(context)}: OCP answered ${context.httpStatus ?? ''} with a body that is not JSON; report it to OCP with the request id.`,
        context,
      );
    }
    const parsed = schemaFor(body).safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
      throw new OcpApiError(
        `${describe(context)}: OCP's response breaks the export API contract (${problems}); report it to OCP with the request id.`,
        context,
      );
    }
    return parsed.data;
  }

  return {
    createExportJob(args) {
      return call(
        'createExportJob',
        {
          method: 'post',
          path: 'v1/exports',
          json: { dialogGroupId: args.dialogGroupId, callId: args.callId, requestedAt: args.requestedAt },
          headers: { 'idempotency-key': idempotencyHeader(args.idempotencyKey) },
        },
        () => CreateExportJobResponse,
        { dialogGroupId: args.dialogGroupId },
      );
    },
    getExportStatus(args) {
      return call(
        'getExportStatus',
        { method: 'get', path: `v1/exports/${encodeURIComponent(args.exportJobId)}?${query(args)}` },
        statusVariantFor,
        args,
      );
    },
    getExportMetadata(args) {
      return call(
        'getExportMetadata',
        { method: 'get', path: `v1/exports/${encodeURIComponent(args.exportJobId)}/metadata?${query(args)}` },
        () => ExportMetadataResponse,
        args,
      );
    },
  };
}

/**
 * HTTP header values must be visible ASCII and OCP caps the key at 255 characters, so any other key
 * (unicode ids, very long execution names) is sent as its SHA-256: still one key per input, which is
 * all idempotency needs.
 */
export function idempotencyHeader(key: string): string {
  return /^[\x21-\x7e]{1,255}$/.test(key) ? key : `sha256-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

function query(ref: ExportJobRef): string {
  return new URLSearchParams({ dialogGroupId: ref.dialogGroupId }).toString();
}

function requestIdOf(response: Response): { ocpRequestId?: string } {
  const id = response.headers.get(RequestIdHeader);
  return id ? { ocpRequestId: id } : {};
}

function describe(context: OcpErrorContext): string {
  const target = context.exportJobId ? ` for export job ${context.exportJobId}` : '';
  const tries = context.attempts && context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
  const id = context.ocpRequestId ? ` (OCP request id ${context.ocpRequestId})` : '';
  return `OCP ${context.operation}${target} failed${tries}${id}`;
}

/** Maps what ky threw to the named error the workflow routes on. */
export function toOcpError(error: unknown, base: OcpErrorContext): AnyOcpError {
  if (error instanceof HTTPError) {
    const status = error.response.status;
    const parsedBody = OcpErrorBody.safeParse(error.data);
    const ocpMessage = parsedBody.success ? ` OCP says: ${parsedBody.data.code}: ${parsedBody.data.message}.` : '';
    const context: OcpErrorContext = {
      ...base,
      httpStatus: status,
      ...requestIdOf(error.response),
      ...(parsedBody.success ? { ocpErrorCode: parsedBody.data.code } : {}),
    };
    const head = `${describe(context)} with HTTP ${status}.${ocpMessage}`;
    if (status === 429) {
      return new OcpApiThrottlingError(`${head} OCP is rate limiting this account; the workflow retries later with backoff.`, context);
    }
    if (status === 503) {
      return new OcpApiThrottlingError(`${head} OCP is overloaded or in maintenance; the workflow retries later with backoff.`, context);
    }
    if (status === 504) {
      return new OcpApiTimeoutError(`${head} OCP's gateway timed out; the workflow retries later.`, context);
    }
    if (status === 401 || status === 403) {
      return new OcpApiError(
        `${head} OCP rejected the bearer token; check that the secret named by OCP_TOKEN_SECRET_ARN holds a current OCP API token.`,
        context,
      );
    }
    if (status === 404) {
      return new OcpApiError(`${head} OCP does not know this export job for this dialog group; check the ids.`, context);
    }
    if (status >= 500) {
      return new OcpApiError(`${head} OCP kept failing on its side; check OCP's status and re-drive the call.`, context);
    }
    return new OcpApiError(`${head} OCP rejected the request; fix the request before retrying.`, context);
  }
  if (error instanceof TimeoutError) {
    return new OcpApiTimeoutError(
      `${describe(base)}: no usable answer within the client's time limit (per attempt, or for all attempts together); the workflow retries later.`,
      base,
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new OcpApiError(
    `${describe(base)}: could not reach OCP (${name}); check OCP_BASE_URL and the network path to OCP.`,
    base,
  );
}
