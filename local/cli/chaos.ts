/**
 * `npm run chaos -- --calls 1000`: the whole local system under injected faults, then the
 * invariants with counts; the last line is `lost: N`. `--help` lists the rates.
 */
import { parseArgs } from 'node:util';
import { readStackConfig } from '../../local/mode/stack-settings.ts';
import { ChaosOptions, runChaos } from '../../local/mode/chaos.ts';
import { renderInvariants } from '../../local/mode/invariants.ts';
import { createProgressView } from '../../local/mode/progress.ts';

const numeric = [
  'calls', 'seed', 'speed', 'ocp-throttle-rate', 'ocp-server-error-rate', 'ocp-timeout-rate', 'ocp-malformed-rate',
  'export-failed-rate', 'dropped-download-rate', 'duplicate-rate', 'malformed-rate', 'worker-kills', 'engine-kills', 'timeout',
] as const;

const usage = `Usage: npm run chaos -- --calls N [options]
  ${numeric.map((n) => `--${n} X`).join('\n  ')}
  --stack NAME   workflow settings from Pulumi.<NAME>.yaml (default dev)
  --data-dir D   parent of the run folder (default .local-data)
Rates are probabilities (0-1): per OCP request for the ocp-* faults, per call for the others.`;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^timeout$/, 'timeoutSeconds');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(numeric.map((n) => [n, { type: 'string' as const }])),
      stack: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const raw: Record<string, unknown> = {};
  for (const n of numeric) {
    const v = (values as Record<string, unknown>)[n];
    if (typeof v !== 'string') continue;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`--${n} must be a number, got "${v}"\n\n${usage}`);
    raw[camel(n)] = x;
  }
  raw.calls ??= 100;
  if (typeof values['data-dir'] === 'string') raw.dataRoot = values['data-dir'];
  const parsed = ChaosOptions.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${usage}`);
  const stack = readStackConfig(typeof values.stack === 'string' ? values.stack : 'dev');

  const view = createProgressView();
  console.log(`Chaos run: ${parsed.data.calls} calls, seed ${parsed.data.seed ?? 1}, clock x${parsed.data.speed ?? 10}`);
  const result = await runChaos(parsed.data, stack.workflow, {
    system: { stack },
    onProgress: (s) => view.update(s),
    onEvent: (e) => {
      view.done();
      console.log(`  [${(e.atMs / 1000).toFixed(1)}s] ${e.what}`);
    },
  });
  view.done();
  console.log(`\nData folder: ${result.dataDir}`);
  console.log(`Outcome: ${Object.entries(result.byStatus).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`Injected: ${Object.entries(result.injected).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`Wall clock: ${(result.wallClockMs / 1000).toFixed(1)} s\n\nInvariants:`);
  console.log(renderInvariants(result.invariants));
  return result.invariants.lost === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`chaos run failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
