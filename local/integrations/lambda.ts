/**
 * Lambda Tasks run local handler modules in this process:
 * - `arn:aws:states:::lambda:invoke` (and `.waitForTaskToken`) with Parameters `{FunctionName, Payload}`
 *   answers like the optimised integration: `{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}`;
 * - a plain function ARN as Resource answers with the function's result itself.
 * The event and result cross a JSON boundary as they do in Lambda. A thrown error fails the Task with
 * Error = the error's name and Cause = Lambda's error document `{"errorMessage","errorType","trace"}`.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { TaskFailure, type TaskHandler, type TaskRequest, type TaskResolver } from '../engine/types.ts';
import { whileHoldingClock } from './hold-clock.ts';
import { lambdaContext } from './lambda-context.ts';
import { functionArn, isFunctionArn, parseFunctionRef, type FunctionRef } from './lambda-function-ref.ts';
import { sdkEnvelope } from './sdk-metadata.ts';

// Handlers type their own events; the invoker only promises JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<unknown> | unknown;

export interface LocalLambdaFunction {
  /** The handler itself, or `load` to import it on first invocation. */
  handler?: LambdaHandler;
  load?: () => Promise<LambdaHandler>;
  /** Lambda's timeout; 3 s like a new function when absent. */
  timeoutSeconds?: number;
  memorySizeMb?: number;
}

export interface LambdaResolverOptions {
  /** By function name or ARN (names and ARNs find the same function). */
  functions: Record<string, LocalLambdaFunction | LambdaHandler>;
  region?: string;
  accountId?: string;
  /** Told about failures of `InvocationType: Event` invocations, which nobody awaits. */
  onAsyncError?: (functionName: string, err: unknown) => void;
}

const invokeResource = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

const InvokeParameters = z.object({
  FunctionName: z.string().min(1),
  Payload: z.unknown().optional(),
  InvocationType: z.enum(['RequestResponse', 'Event', 'DryRun']).optional(),
  Qualifier: z.string().optional(),
  ClientContext: z.string().optional(),
  LogType: z.enum(['None', 'Tail']).optional(),
});

interface LoadedFunction {
  definition: LocalLambdaFunction;
  handler?: Promise<LambdaHandler>;
}

export function lambdaResolver(options: LambdaResolverOptions): TaskResolver {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const byName = new Map<string, LoadedFunction>();
  for (const [id, fn] of Object.entries(options.functions)) {
    const ref = parseFunctionRef(id);
    if (!ref) throw new Error(`'${id}' is not a Lambda function name or ARN; use a name like 'createExportJob' or a function ARN.`);
    byName.set(ref.name, { definition: typeof fn === 'function' ? { handler: fn } : fn });
  }

  const invoke = async (ref: FunctionRef, payload: unknown, req: TaskRequest) => {
    const fn = byName.get(ref.name);
    const arn = functionArn(ref, region, accountId);
    const requestId = randomUUID();
    if (!fn) {
      throw new TaskFailure(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${arn} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${requestId}; Proxy: null)`,
      );
    }
    const timeoutMs = (fn.definition.timeoutSeconds ?? 3) * 1000;
    const event = throughJson(payload ?? {});
    const run = async (): Promise<unknown> => {
      const handler = await loadHandler(ref.name, fn);
      const context = lambdaContext({
        functionName: ref.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn,
        memoryLimitInMB: fn.definition.memorySizeMb ?? 128,
        awsRequestId: requestId,
        deadline: req.clock.now() + timeoutMs,
        clock: req.clock,
      });
      return throughJson(await handler(event, context));
    };
    return { requestId, run: () => withTimeout(run, timeoutMs, requestId, req) };
  };

  const optimised: TaskHandler = async (req) => {
    const parsed = InvokeParameters.safeParse(req.parameters);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'Parameters'}: ${i.message}`).join('; ');
      throw new TaskFailure(
        'Lambda.AWSLambdaException',
        `Invalid lambda:invoke Parameters in state '${req.stateName}': ${problems} (Service: AWSLambda; Status Code: 400; Error Code: InvalidParameterValueException; Request ID: null; Proxy: null)`,
      );
    }
    const params = parsed.data;
    const parsedRef = parseFunctionRef(params.FunctionName);
    if (!parsedRef) {
      throw new TaskFailure(
        'Lambda.AWSLambdaException',
        `'${params.FunctionName}' is not a valid function name or ARN (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; Request ID: null; Proxy: null)`,
      );
    }
    const ref = params.Qualifier ? { ...parsedRef, qualifier: params.Qualifier } : parsedRef;
    const executedVersion = ref.qualifier && /^\d+$/.test(ref.qualifier) ? ref.qualifier : '$LATEST';
    const { requestId, run } = await invoke(ref, params.Payload, req);
    const envelope = (status: number) => sdkEnvelope(requestId, 'application/json', status, { 'X-Amz-Executed-Version': executedVersion });

    if (params.InvocationType === 'DryRun') return { ...envelope(204), StatusCode: 204, Payload: '' };
    if (params.InvocationType === 'Event') {
      // Lambda queues the event and answers at once; the handler runs on its own, still holding the
      // clock so that virtual time does not race ahead of its real work.
      whileHoldingClock(req.clock, run).catch((err: unknown) => options.onAsyncError?.(ref.name, err));
      return { ...envelope(202), StatusCode: 202, Payload: '' };
    }
    const payload = await whileHoldingClock(req.clock, run);
    return { ExecutedVersion: executedVersion, Payload: payload, ...envelope(200), StatusCode: 200 };
  };

  return {
    resolve(resource) {
      if (invokeResource.test(resource)) return optimised;
      if (!isFunctionArn(resource)) return undefined;
      const ref = parseFunctionRef(resource);
      // An unknown function ARN is reported when the machine is loaded, not halfway through a run.
      if (!ref || !byName.has(ref.name)) return undefined;
      return async (req) => {
        if (req.pattern) {
          throw new TaskFailure('States.Runtime', `A Lambda function ARN Resource does not support .${req.pattern}; use arn:aws:states:::lambda:invoke.${req.pattern} (state '${req.stateName}').`);
        }
        const { run } = await invoke(ref, req.parameters, req);
        return whileHoldingClock(req.clock, run);
      };
    },
  };
}

function loadHandler(name: string, fn: LoadedFunction): Promise<LambdaHandler> {
  if (fn.definition.handler) return Promise.resolve(fn.definition.handler);
  const load = fn.definition.load;
  if (!load) return Promise.reject(lambdaError('Runtime.HandlerNotFound', `Function ${name} has neither a handler nor a loader.`));
  fn.handler ??= load().then(
    (handler) => {
      if (typeof handler !== 'function') throw lambdaError('Runtime.HandlerNotFound', `${name}.handler is undefined or not exported`);
      return handler;
    },
    (err: unknown) => {
      throw lambdaError('Runtime.ImportModuleError', `Error: Cannot load the module of ${name}: ${err instanceof Error ? err.message : String(err)}`);
    },
  );
  // A failed import is retried on the next invocation, as a fresh Lambda sandbox would.
  fn.handler.catch(() => (fn.handler = undefined));
  return fn.handler;
}

/** Races the handler against Lambda's timeout and the Task's abort signal (state timeout, execution stop). */
async function withTimeout<T>(run: () => Promise<T>, timeoutMs: number, requestId: string, req: TaskRequest): Promise<T> {
  const done = new AbortController();
  const signal = AbortSignal.any([done.signal, req.signal]);
  const timedOut = req.clock.sleep(timeoutMs, signal).then(() => {
    const message = `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
    throw new TaskFailure('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message }));
  });
  const aborted = new Promise<never>((_, reject) => {
    if (req.signal.aborted) reject(req.signal.reason);
    req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true, signal: done.signal });
  });
  timedOut.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    return await Promise.race([run().catch((err: unknown) => Promise.reject(toTaskFailure(err))), timedOut, aborted]);
  } finally {
    done.abort();
  }
}

/** Lambda's error document for a thrown value, as the Node.js runtime writes it. */
function toTaskFailure(err: unknown): TaskFailure {
  if (err instanceof TaskFailure) return err;
  if (err instanceof Error) {
    const errorType = err.name || 'Error';
    const trace = (err.stack ?? '').split('\n');
    return new TaskFailure(errorType, JSON.stringify({ errorMessage: err.message, errorType, trace }));
  }
  const errorType = typeof err;
  return new TaskFailure(errorType, JSON.stringify({ errorMessage: String(err), errorType, trace: [] }));
}

function lambdaError(errorType: string, message: string): TaskFailure {
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage: message }));
}

/** What a value looks like after Lambda serialised it: dates become strings, undefined disappears. */
function throughJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
