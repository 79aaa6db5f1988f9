/**
 * A chaos run: a seeded batch of calls through the whole local system while faults are injected at
 * configurable rates — OCP 429/5xx/timeouts/malformed bodies, FAILED exports, dropped downloads,
 * duplicate SQS deliveries, the worker SIGKILLed mid-download and restarted, the workflow host
 * (engine + API + handlers) SIGKILLed and restarted on its checkpoints — then the invariants.
 */
import { z } from 'zod';
import type { Fault } from '../ocp-sim/scenario.ts';
import type { WorkflowConfig } from '../../workflow/config.ts';
import { awaitRun } from './await-run.ts';
import { checkInvariants, RecordWatcher, type InvariantReport } from './invariants.ts';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from './local-system.ts';
import { queueDepth, scanRecords } from './observe.ts';
import { finishedCount, type ProgressSnapshot } from './progress.ts';
import { Scenarios, planCalls, type ScenarioMix } from './scenarios.ts';
import { seededRandom } from './random.ts';

export const ChaosOptions = z.object({
  calls: z.number().int().positive().max(100_000),
  seed: z.number().int().default(1),
  /**
   * Slow enough that a download whose worker was killed comes back (after the worker queue's 30 s
   * real visibility timeout) inside the 600 s heartbeat (60 s real at x10) and resumes; faster
   * speeds turn those kills into FAILED_DOWNLOAD_TIMEOUT, which the invariants accept too.
   */
  speed: z.number().positive().default(10),
  /** Probability that any one OCP request meets each fault. */
  ocpThrottleRate: z.number().min(0).max(1).default(0.05),
  ocpServerErrorRate: z.number().min(0).max(1).default(0.03),
  ocpTimeoutRate: z.number().min(0).max(1).default(0.002),
  ocpMalformedRate: z.number().min(0).max(1).default(0.01),
  /** Share of calls whose export ends FAILED, whose first download is cut, delivered twice, malformed. */
  exportFailedRate: z.number().min(0).max(1).default(0.05),
  droppedDownloadRate: z.number().min(0).max(1).default(0.1),
  duplicateRate: z.number().min(0).max(1).default(0.05),
  malformedRate: z.number().min(0).max(1).default(0.01),
  workerKills: z.number().int().min(0).default(2),
  engineKills: z.number().int().min(0).default(1),
  timeoutSeconds: z.number().positive().default(900),
  dataRoot: z.string().optional(),
});
export type ChaosOptions = z.input<typeof ChaosOptions>;

export interface ChaosEvent {
  atMs: number;
  what: string;
}

export interface ChaosResult {
  invariants: InvariantReport;
  events: ChaosEvent[];
  byStatus: Record<string, number>;
  submittedMessages: number;
  dataDir: string;
  wallClockMs: number;
  /** What the simulator actually injected, by fault kind, and download responses it cut. */
  injected: Record<string, number>;
}

/** The OCP client gives up after 10 s; a "timeout" answers later than that. */
const SlowerThanClientTimeoutMs = 11_000;

export function chaosFaults(o: z.output<typeof ChaosOptions>): Fault[] {
  const faults: Fault[] = [];
  if (o.ocpThrottleRate > 0) faults.push({ kind: 'throttle', endpoint: 'any', retryAfterSeconds: 0, probability: o.ocpThrottleRate });
  if (o.ocpServerErrorRate > 0) faults.push({ kind: 'serverError', endpoint: 'any', status: 503, probability: o.ocpServerErrorRate });
  if (o.ocpTimeoutRate > 0) faults.push({ kind: 'slow', endpoint: 'status', delayMs: SlowerThanClientTimeoutMs, probability: o.ocpTimeoutRate });
  if (o.ocpMalformedRate > 0) faults.push({ kind: 'malformedJson', endpoint: 'status', probability: o.ocpMalformedRate });
  return faults;
}

export function chaosMix(o: z.output<typeof ChaosOptions>): ScenarioMix {
  const rest = Math.max(0, 1 - o.exportFailedRate - o.droppedDownloadRate - o.duplicateRate - o.malformedRate);
  return {
    completes: rest,
    'export-failed': o.exportFailedRate,
    'download-dropped': o.droppedDownloadRate,
    'duplicate-delivery': o.duplicateRate,
    'malformed-message': o.malformedRate,
  };
}

export interface ChaosHooks {
  onProgress?: (s: ProgressSnapshot) => void;
  onEvent?: (e: ChaosEvent) => void;
  /** Extra system options, e.g. shared servers and a prefix in tests. */
  system?: Pick<LocalSystemOptions, 'external' | 'prefix' | 'stack'>;
}

export async function runChaos(raw: ChaosOptions, workflow: WorkflowConfig, hooks: ChaosHooks = {}): Promise<ChaosResult> {
  const { onProgress, onEvent } = hooks;
  const o = ChaosOptions.parse(raw);
  const planned = planCalls(o.calls, chaosMix(o), o.seed);
  const started = Date.now();
  const events: ChaosEvent[] = [];
  const note = (what: string): void => {
    const e = { atMs: Date.now() - started, what };
    events.push(e);
    onEvent?.(e);
  };

  const system: LocalSystem = await startLocalSystem({
    speed: o.speed,
    workflow,
    seed: o.seed,
    ...(o.dataRoot ? { dataRoot: o.dataRoot } : {}),
    inMemoryDynamoDb: true,
    // More download slots than a dev task has, so a thousand calls are not queued behind two.
    worker: { concurrency: 4 },
    ...hooks.system,
    // Scenario prefixes that set no faults inherit the run's faults; the chaos mix uses only those.
    ocpScenarios: [
      { patch: { faults: chaosFaults(o), recording: { duration: { kind: 'uniform', minSeconds: 5, maxSeconds: 20 } } } },
      ...Object.values(Scenarios).flatMap((s) => (s.ocp ? [{ patch: { ...s.ocp, ...(s.ocp.faults ? {} : { faults: chaosFaults(o) }) }, target: { callIdPrefix: s.prefix } }] : [])),
    ],
  });
  try {
    const random = seededRandom(o.seed ^ 0x5eed);
    const bodies = planned.flatMap((c) => c.bodies);
    // Shuffle so duplicates do not arrive back to back.
    for (let i = bodies.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [bodies[i], bodies[j]] = [bodies[j]!, bodies[i]!];
    }
    await system.send(bodies);
    note(`submitted ${bodies.length} messages for ${planned.length} calls`);

    const valid = planned.filter((c) => !Scenarios[c.scenario].malformed);
    const watcher = new RecordWatcher();
    let latest: ProgressSnapshot | undefined;
    const kills = schedule(o.workerKills, o.engineKills);
    let killing: Promise<void> = Promise.resolve();
    const run = awaitRun(system, valid, {
      timeoutMs: o.timeoutSeconds * 1000,
      onProgress: (s) => {
        latest = s;
        onProgress?.(s);
        const done = valid.length === 0 ? 1 : finishedCount(s) / valid.length;
        while (kills.length > 0 && done >= kills[0]!.at) {
          const k = kills.shift()!;
          killing = killing.then(() => (k.what === 'worker' ? killWorkerMidDownload(system, note) : killWorkflowHost(system, note)));
        }
      },
    });
    // Watch records on the side so a record moving backwards is seen, not just the end state.
    const watching = (async () => {
      for (;;) {
        watcher.observe(await scanRecords(system.clients.ddb, system.wiring.tableName));
        if (await Promise.race([run.then(() => true, () => true), new Promise<false>((r) => setTimeout(() => r(false), 200))])) return;
      }
    })();
    await run;
    await killing;
    await watching;
    // A kill scheduled after the last call finished still happens, so every kill is exercised.
    for (const k of kills) await (k.what === 'worker' ? killWorkerMidDownload(system, note) : killWorkflowHost(system, note));
    await awaitRun(system, valid, { timeoutMs: o.timeoutSeconds * 1000 });

    const invariants = await checkInvariants(
      system,
      planned.map((c) => ({ dialogGroupId: c.dialogGroupId, callId: c.callId, malformed: Scenarios[c.scenario].malformed === true })),
      watcher,
      async (jobId) => (await system.ocp.expectedRecording(jobId).catch(() => undefined))?.sha256,
    );
    const stats = system.ocp.stats();
    const injected: Record<string, number> = { ...(stats.faults as Record<string, number>), downloadsCut: stats.downloads.dropped, duplicateMessages: bodies.length - planned.length };
    return { invariants, events, byStatus: latest?.byStatus ?? {}, submittedMessages: bodies.length, dataDir: system.folders.root, wallClockMs: Date.now() - started, injected };
  } finally {
    await system.stop();
  }
}

/** Kills spread over the run by progress: worker kills and engine kills interleaved. */
function schedule(workerKills: number, engineKills: number): { at: number; what: 'worker' | 'engine' }[] {
  const out: { at: number; what: 'worker' | 'engine' }[] = [];
  for (let i = 0; i < workerKills; i++) out.push({ at: (i + 1) / (workerKills + 1) - 0.05, what: 'worker' });
  for (let i = 0; i < engineKills; i++) out.push({ at: (i + 1) / (engineKills + 1), what: 'engine' });
  return out.sort((a, b) => a.at - b.at);
}

/** Waits (briefly) for a download to be in flight, so the kill lands mid-download when there is one. */
async function killWorkerMidDownload(system: LocalSystem, note: (what: string) => void): Promise<void> {
  let inFlight = 0;
  for (let i = 0; i < 40; i++) {
    inFlight = await queueDepth(system.clients.sqs, system.queues.worker.url);
    if (inFlight > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = system.worker.pid();
  await system.restartWorker();
  note(`worker pid ${pid} SIGKILLed with ${inFlight} download task(s) queued or in flight; restarted as pid ${system.worker.pid()}`);
}

async function killWorkflowHost(system: LocalSystem, note: (what: string) => void): Promise<void> {
  const pid = system.workflowHost.pid();
  const { resumed } = await system.restartWorkflowHost();
  note(`workflow host (engine + API + handlers) pid ${pid} SIGKILLed; restarted as pid ${system.workflowHost.pid()}, resuming ${resumed} running executions from its checkpoints`);
}
