/**
 * The AWS JSON RPC protocol (1.0 for Step Functions, 1.1 for Secrets Manager) on a loopback HTTP
 * server: one POST to `/`, the action in `X-Amz-Target: <Service>.<Action>`, a JSON body in and out,
 * errors as HTTP 4xx/5xx with `{"__type","message"}`. The SDK clients need nothing else, so a local
 * service only supplies its actions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { assertPortFree } from '../services/ports.ts';

/** An error the client should see with this `__type`; anything else is an InternalFailure (HTTP 500). */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type ActionHandler = (body: unknown) => unknown;

export interface AwsJsonLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
}
/** Receives one structured entry per notable event; the CLI writes them as JSON lines. */
export type AwsJsonLog = (entry: AwsJsonLogEntry) => void;

export interface AwsJsonServiceOptions {
  /** `X-Amz-Target` prefix, e.g. `AWSStepFunctions` or `secretsmanager`. */
  targetPrefix: string;
  /** `1.0` or `1.1`: only the content type differs. */
  jsonVersion: '1.0' | '1.1';
  actions: Record<string, ActionHandler>;
  /** Maps errors thrown by actions (e.g. domain errors) to AWS errors; return undefined to keep InternalFailure. */
  mapError?: (err: unknown) => AwsServiceError | undefined;
  port?: number;
  /** What the port-in-use message calls this server. */
  description: string;
  log?: AwsJsonLog;
}

export interface RunningService {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Step Functions caps request payloads (input, output) at 256 KiB; leave room for the envelope. */
const maxBodyBytes = 1024 * 1024;

export async function startAwsJsonService(options: AwsJsonServiceOptions): Promise<RunningService> {
  if (options.port) await assertPortFree(options.port, options.description);
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const log: AwsJsonLog = options.log ?? (() => undefined);

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, requestId)
      .then((result) => send(res, requestId, 200, result ?? {}))
      .catch((err: unknown) => {
        const aws = err instanceof AwsServiceError ? err : options.mapError?.(err);
        if (aws) {
          send(res, requestId, aws.statusCode, { __type: aws.type, message: aws.message }, aws.type);
          return;
        }
        log({ level: 'error', message: 'request failed unexpectedly', requestId, error: describe(err) });
        send(res, requestId, 500, { __type: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' }, 'InternalFailure');
      });
  });

  async function handle(req: IncomingMessage, requestId: string): Promise<unknown> {
    const target = req.headers['x-amz-target'];
    const prefix = `${options.targetPrefix}.`;
    const action = typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
    const run = action !== undefined && Object.hasOwn(options.actions, action) ? options.actions[action] : undefined;
    if (req.method !== 'POST' || !run) {
      await drain(req);
      throw new AwsServiceError('UnknownOperationException', `Unknown operation ${String(target ?? '(no X-Amz-Target header)')}`);
    }
    const body = parseJson(await readBody(req));
    log({ level: 'info', message: 'request', action, requestId });
    return run(body);
  }

  function send(res: ServerResponse, requestId: string, status: number, payload: unknown, errorType?: string): void {
    const text = JSON.stringify(toWire(payload));
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading past the limit (discarding) so the answer reaches a client that is still sending.
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  if (size > maxBodyBytes) throw new AwsServiceError('ValidationException', `Request body of ${size} bytes exceeds ${maxBodyBytes} bytes.`);
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req as AsyncIterable<Buffer>) {
    /* discard */
  }
}

function parseJson(text: string): unknown {
  // The SDK sends `{}` for actions without input; an empty body is the same request.
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsServiceError('ValidationException', 'The request body is not valid JSON.');
  }
}

/** AWS JSON sends timestamps as epoch seconds (fractional milliseconds allowed). */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

/**
 * Parses a request body with its schema, failing the way AWS does:
 * `1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`.
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const constraint = missing ? 'Member must not be null' : issue.message;
    const shown = missing ? 'null' : JSON.stringify(issue.input)?.slice(0, 80);
    return `Value ${shown} at '${at}' failed to satisfy constraint: ${constraint}`;
  });
  const count = problems.length;
  throw new AwsServiceError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}

function describe(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { value: String(err) };
}
