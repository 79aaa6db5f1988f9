/**
 * Reads the workflow section of a stack's config file (Pulumi.<stack>.yaml) for tools that run
 * without the Pulumi engine: synth, graph, local mode, benchmarks. The Pulumi program itself reads
 * the same key through pulumi.Config, so both see one source.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseWorkflowConfig, type WorkflowConfig } from './config.ts';

export const ProjectName = 'audio-reconciliation';
export const WorkflowConfigKey = `${ProjectName}:workflow`;

const root = fileURLToPath(new URL('..', import.meta.url));

export function stackConfigPath(stack: string): string {
  return `${root}Pulumi.${stack}.yaml`;
}

/** The `config:` map of a stack's file (Pulumi.<stack>.yaml), keys as written (`project:key`). */
export function readStackConfigFile(stack: string): { path: string; config: Record<string, unknown> } {
  const path = stackConfigPath(stack);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read stack config ${path}: ${(err as Error).message}`);
  }
  return { path, config: (doc as { config?: Record<string, unknown> } | null)?.config ?? {} };
}

export function readStackWorkflowConfig(stack: string): WorkflowConfig {
  const { path, config } = readStackConfigFile(stack);
  try {
    return parseWorkflowConfig(config[WorkflowConfigKey]);
  } catch (err) {
    throw new Error(`${path} (${WorkflowConfigKey}): ${(err as Error).message}`);
  }
}
