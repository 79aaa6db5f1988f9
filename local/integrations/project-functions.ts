/**
 * The project's Lambda functions (system/functions.ts) as local functions: each handler module is
 * imported on its first invocation, so a machine that never calls a function never loads its code,
 * and a handler can be swapped for a test double by name.
 */
import { pathToFileURL } from 'node:url';
import { FunctionNames, handlerEntry, type FunctionName } from '../../system/functions.ts';
import type { LambdaHandler, LocalLambdaFunction } from './lambda.ts';

const projectRoot = new URL('../../', import.meta.url);

export interface ProjectFunctionsOptions {
  /** The name the workflow uses for a function (e.g. the stack's physical name); the logical name when absent. */
  physicalName?: (name: FunctionName) => string;
  /** Lambda timeouts, as deployed. */
  timeoutSeconds?: Partial<Record<FunctionName, number>>;
  /** Handlers to use instead of the modules (tests, fault injection). */
  handlers?: Partial<Record<FunctionName, LambdaHandler>>;
}

export function projectLambdaFunctions(options: ProjectFunctionsOptions = {}): Record<string, LocalLambdaFunction> {
  const entries = FunctionNames.map((name): [string, LocalLambdaFunction] => {
    const injected = options.handlers?.[name];
    const timeout = options.timeoutSeconds?.[name];
    const fn: LocalLambdaFunction = {
      ...(injected ? { handler: injected } : { load: () => importHandler(name) }),
      ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    };
    return [options.physicalName?.(name) ?? name, fn];
  });
  return Object.fromEntries(entries);
}

async function importHandler(name: FunctionName): Promise<LambdaHandler> {
  const url = new URL(handlerEntry(name), projectRoot);
  const mod = (await import(pathToFileURL(url.pathname).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') {
    throw new Error(`${handlerEntry(name)} does not export a function named 'handler'.`);
  }
  return mod.handler as LambdaHandler;
}
