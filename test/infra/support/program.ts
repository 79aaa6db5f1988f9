/**
 * Runs index.ts — the entry point `pulumi up` starts — for one stack, under mocks, with the
 * config of Pulumi.<stack>.yaml passed the way the engine passes it (every value a string,
 * objects as JSON, the token as a secret key). Each stack's run is shared by all test files.
 */
import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { stackConfigPath } from '../../../workflow/stack-config.ts';
import { installMocks, Project, settle, type MockedResource } from './pulumi-mocks.ts';

export const TokenKey = `${Project}:ocpApiToken`;
export const TestToken = 'test-ocp-token-value';

export interface ProgramRun {
  stack: string;
  resources: MockedResource[];
  outputs: Record<string, unknown>;
  invokes: string[];
}

export interface RunOptions {
  /** Replaces (or, with undefined, removes) config keys of the stack file, e.g. `audio-reconciliation:lambda`. */
  override?: Record<string, unknown>;
  /** Leave the OCP token unset. */
  withoutToken?: boolean;
}

/** The stack file's config as the engine hands it to the program: `key -> string`. */
export function stackFileConfig(stack: string): Record<string, string> {
  const doc = parse(readFileSync(stackConfigPath(stack), 'utf8')) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

let runs = 0;
let queue: Promise<unknown> = Promise.resolve();

/** Runs the program once for these options; runs never overlap (the mocks are process-wide). */
export function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const next = queue.then(() => runOnce(stack, options));
  queue = next.catch(() => undefined);
  return next;
}

async function runOnce(stack: string, options: RunOptions): Promise<ProgramRun> {
  const config = stackFileConfig(stack);
  for (const [key, value] of Object.entries(options.override ?? {})) {
    if (value === undefined) delete config[key];
    else config[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (!options.withoutToken) config[TokenKey] = TestToken;
  const mocks = await installMocks(stack);
  pulumi.runtime.setAllConfig(config, options.withoutToken ? [] : [TokenKey]);
  // A fresh module instance per run (ESM caches by URL), exactly as Pulumi would load it.
  const program = (await import(`../../../index.ts?stack=${stack}&run=${++runs}`)) as Record<string, unknown>;
  const outputs = await settle(program);
  return { stack, resources: mocks.resources, outputs, invokes: mocks.invokes };
}

const shared = new Map<string, Promise<ProgramRun>>();

/** The stack file's own run, shared by every test file. */
export function stackRun(stack: 'dev' | 'prod'): Promise<ProgramRun> {
  let run = shared.get(stack);
  if (!run) {
    run = runProgram(stack);
    shared.set(stack, run);
  }
  return run;
}

export function ofType(run: ProgramRun, type: string): MockedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, name: string): MockedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`Expected one ${type} named ${name}, found ${found.length}: ${ofType(run, type).map((r) => r.name).join(', ')}`);
  return found[0]!;
}
