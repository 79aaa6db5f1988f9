/**
 * The settings local mode takes from a stack's config file (Pulumi.<stack>.yaml), parsed with the
 * same schema the Pulumi program uses (infra/config.ts), so the local trigger's batch size and
 * concurrency, the Lambda timeout, the worker's concurrency and the record TTL are the deployed ones.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseStackConfig, SettingsKeys, type StackConfig } from '../../infra/config.ts';
import { ProjectName, stackConfigPath } from '../../workflow/stack-config.ts';

export function readStackConfig(stack: string): StackConfig {
  const path = stackConfigPath(stack);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read stack config ${path}: ${(err as Error).message}`);
  }
  const config = ((doc as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const prefix = `${ProjectName}:`;
  const own = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  try {
    return parseStackConfig({
      project: ProjectName,
      stack,
      region: typeof config['aws:region'] === 'string' ? config['aws:region'] : undefined,
      workflow: own.workflow,
      settings: Object.fromEntries(SettingsKeys.flatMap((k) => (k in own ? [[k, own[k]]] : []))),
      presentKeys: Object.keys(own),
    });
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
