/**
 * The settings local mode takes from a stack's config file (Pulumi.<stack>.yaml), parsed with the
 * same schema the Pulumi program uses (infra/config.ts), so the local trigger's batch size and
 * concurrency, the Lambda timeout, the worker's concurrency and the record TTL are the deployed ones.
 */
import { parseStackConfig, SettingsKeys, type StackConfig } from '../../infra/config.ts';
import { ProjectName, readStackConfigFile } from '../../workflow/stack-config.ts';

export function readStackConfig(stack: string): StackConfig {
  const { path, config } = readStackConfigFile(stack);
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
