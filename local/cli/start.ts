/**
 * `npm start`: runs the whole system locally, submits a batch of calls, shows live progress and a
 * summary. `npm start -- --help` lists the options.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { awaitRun } from '../../local/mode/await-run.ts';
import { startLocalSystem, type LocalSystem } from '../../local/mode/local-system.ts';
import { createProgressView } from '../../local/mode/progress.ts';
import { collectRunReport, type SubmittedCall } from '../../local/mode/run-report.ts';
import { readSampleCalls } from '../../local/mode/sample-events.ts';
import { DefaultMix, Scenarios, parseMix, planCalls } from '../../local/mode/scenarios.ts';
import { renderSummary } from '../../local/mode/summary.ts';
import { defaultSpeed } from '../../local/mode/clock-speed.ts';
import { compareWithScenarios, renderExpectations } from '../../local/mode/expectations.ts';
import { scanRecords } from '../../local/mode/observe.ts';
import { readStackConfig } from '../../local/mode/stack-settings.ts';
import { keepRunningHelp } from '../../local/mode/keep-help.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

const usage = `Usage: npm start -- [options]

  --calls N          submit N generated calls with a scenario mix (default: the events/ samples)
  --mix LIST         scenario weights, e.g. completes=5,export-failed=1 (default: every scenario)
  --seed N           seed of the generated calls and the OCP simulator (default 42)
  --speed N          workflow clock speed: 200 makes a 30-minute export take 9 s (default: up to 200,
                     lower for big batches so the worker's real-time downloads keep up with the
                     heartbeat; see local/mode/clock-speed.ts)
  --stack NAME       stack config (Pulumi.<NAME>.yaml) for the workflow, trigger, Lambda and worker settings (default dev)
  --worker-concurrency N
                     downloads the worker runs at once (default: the stack's worker.concurrency)
  --keep             leave everything running after the batch, print endpoints and examples
  --data-dir DIR     parent folder of the run folder (default .local-data)
  --timeout S        give up when the batch has not settled after S real seconds (default 300)
  --port-dynamodb, --port-sqs, --port-sfn, --port-secrets, --port-ocp N
                     fixed ports (default: free ones)
  --help             this text`;

const Options = z.object({
  calls: z.coerce.number().int().min(0).max(100_000).optional(),
  mix: z.string().optional(),
  seed: z.coerce.number().int().default(42),
  speed: z.coerce.number().positive().max(100_000).optional(),
  stack: z.string().default('dev'),
  keep: z.boolean().default(false),
  'data-dir': z.string().optional(),
  timeout: z.coerce.number().positive().default(300),
  'worker-concurrency': z.coerce.number().int().min(1).max(64).optional(),
  'port-dynamodb': z.coerce.number().int().min(1).max(65_535).optional(),
  'port-sqs': z.coerce.number().int().min(1).max(65_535).optional(),
  'port-sfn': z.coerce.number().int().min(1).max(65_535).optional(),
  'port-secrets': z.coerce.number().int().min(1).max(65_535).optional(),
  'port-ocp': z.coerce.number().int().min(1).max(65_535).optional(),
});

function readOptions(): z.infer<typeof Options> | undefined {
  const str = { type: 'string' } as const;
  const { values } = parseArgs({
    options: {
      calls: str, mix: str, seed: str, speed: str, stack: str, 'data-dir': str, timeout: str, 'worker-concurrency': str,
      'port-dynamodb': str, 'port-sqs': str, 'port-sfn': str, 'port-secrets': str, 'port-ocp': str,
      keep: { type: 'boolean' }, help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const parsed = Options.safeParse(values);
  if (!parsed.success) throw new Error(`Invalid options: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${usage}`);
  return parsed.data;
}

const interrupted = new AbortController();
let running: LocalSystem | undefined;
let stopping: Promise<void> | undefined;
/** Stops whatever is running, once, however we got here (end, Ctrl-C, an error). */
function shutdown(): Promise<void> {
  stopping ??= running?.stop() ?? Promise.resolve();
  return stopping;
}

async function main(): Promise<number> {
  const options = readOptions();
  if (!options) {
    console.log(usage);
    return 0;
  }
  const stack = readStackConfig(options.stack);
  const workflow = stack.workflow;
  const planned = options.calls !== undefined ? planCalls(options.calls, options.mix ? parseMix(options.mix) : DefaultMix, options.seed) : undefined;
  const samples = planned ? [] : readSampleCalls(join(root, 'events'));
  if (!planned && samples.length === 0) throw new Error('events/ holds no sample calls; pass --calls N to generate some.');
  const speed = options.speed ?? defaultSpeed(workflow.heartbeatSeconds, planned?.length ?? samples.length);

  process.on('SIGINT', () => {
    if (interrupted.signal.aborted) return;
    console.log('\nStopping (Ctrl-C) ...');
    interrupted.abort(new Error('interrupted'));
    void shutdown().then(() => process.exit(130));
  });
  process.on('SIGTERM', () => void shutdown().then(() => process.exit(143)));

  console.log(`Starting local mode (clock x${speed}, stack ${options.stack} settings, ${workflow.pollingPolicy} polling, trigger batches of ${stack.trigger.batchSize} x${stack.trigger.maximumConcurrency}, ${options['worker-concurrency'] ?? stack.worker.concurrency} download slots) ...`);
  const system = await startLocalSystem({
    speed,
    workflow,
    stack,
    seed: options.seed,
    ...(options['worker-concurrency'] ? { worker: { concurrency: options['worker-concurrency'] } } : {}),
    ...(options['data-dir'] ? { dataRoot: options['data-dir'] } : {}),
    ports: {
      dynamodb: options['port-dynamodb'],
      sqsS3: options['port-sqs'],
      stepFunctions: options['port-sfn'],
      secretsManager: options['port-secrets'],
      ocp: options['port-ocp'],
    },
    ocpScenarios: Object.values(Scenarios).flatMap((s) => (s.ocp ? [{ patch: s.ocp, target: { callIdPrefix: s.prefix } }] : [])),
  });
  running = system;
  if (interrupted.signal.aborted) return 130;
  console.log(`Data folder: ${system.folders.root}`);
  console.log(`Logs:        ${system.folders.logs}`);

  const bodies = planned ? planned.flatMap((c) => c.bodies) : samples.map((s) => s.body);
  const calls: SubmittedCall[] = planned
    ? planned.filter((c) => !Scenarios[c.scenario].malformed).map((c) => ({ dialogGroupId: c.dialogGroupId, callId: c.callId }))
    : dedupe(samples.flatMap((s) => (s.dialogGroupId && s.callId ? [{ dialogGroupId: s.dialogGroupId, callId: s.callId }] : [])));
  console.log(`Submitting ${bodies.length} messages (${calls.length} valid calls) to ${system.queues.input.url}`);
  const started = Date.now();
  await system.send(bodies);

  const view = createProgressView();
  try {
    await awaitRun(system, calls, { timeoutMs: options.timeout * 1000, onProgress: (s) => view.update(s), signal: interrupted.signal });
  } finally {
    view.done();
  }
  const report = await collectRunReport(system, calls, Date.now() - started);
  console.log(`\n${renderSummary(report)}\n`);
  if (planned) console.log(`${renderExpectations(compareWithScenarios(planned, await scanRecords(system.clients.ddb, system.wiring.tableName)))}\n`);
  console.log(`Data folder: ${system.folders.root}`);

  if (options.keep) {
    console.log(`\n${keepRunningHelp(system)}\n\nRunning until Ctrl-C.`);
    await new Promise<void>((resolve) => interrupted.signal.addEventListener('abort', () => resolve(), { once: true }));
    await shutdown();
    return 130;
  }
  await shutdown();
  return 0;
}

function dedupe(calls: SubmittedCall[]): SubmittedCall[] {
  const seen = new Set<string>();
  return calls.filter((c) => !seen.has(c.dialogGroupId) && seen.add(c.dialogGroupId));
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (interrupted.signal.aborted) return;
    console.error(`\nlocal mode failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown().catch(() => undefined);
    process.exit(1);
  },
);
