/**
 * Export jobs of the simulated OCP and how each one evolves with the clock. Everything random about a
 * job (duration, recording, ETA noise) is drawn from a stream keyed by the run's seed and the job, so
 * a run replays exactly for the same seed whatever the request interleaving.
 */
import { randomFor, stableId, type Random } from './prng.ts';
import type { Distribution, Scenario } from './scenario.ts';
import { durationSeconds, framesFor, type RecordingSpec } from './recording.ts';

export interface ExportJob {
  exportJobId: string;
  dialogGroupId: string;
  callId: string;
  requestedAt: string;
  idempotencyKey: string | undefined;
  /** Clock time (ms) the job was created. */
  createdAt: number;
  /** How long the export takes, ms (for `never`, the nominal time after which progress stalls at 99). */
  durationMs: number;
  scenario: Scenario;
  recording: RecordingSpec;
  agentId: string;
  queueName: string;
  entryName: string;
  /** Status polls answered so far; keys the ETA noise so a poll's answer is reproducible. */
  polls: number;
  /** Download responses started so far; the first `drops` of them are cut. */
  downloadResponses: number;
}

export type JobState =
  | { status: 'IN_PROGRESS'; progress: number; estimatedSecondsRemaining?: number }
  | { status: 'COMPLETED'; completedAt: string }
  | { status: 'FAILED'; errorMessage: string }
  | { status: 'OTHER'; reported: string };

export function sampleSeconds(distribution: Distribution, random: Random): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.seconds;
    case 'uniform':
      return distribution.minSeconds + random.next() * (distribution.maxSeconds - distribution.minSeconds);
    case 'lognormal': {
      const value = distribution.medianSeconds * Math.exp(distribution.sigma * random.normal());
      return distribution.maxSeconds === undefined ? value : Math.min(value, distribution.maxSeconds);
    }
  }
}

/** Names that cannot escape the extraction folder of a careless unzip. */
export function safeEntryName(callId: string): string {
  const cleaned = callId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 200);
  return `${cleaned || 'recording'}.wav`;
}

const Agents = ['agent-0117', 'agent-0342', 'agent-0589', 'agent-0764', 'agent-0931'];
const Queues = ['billing', 'support-tier-1', 'support-tier-2', 'sales', 'retention'];

export interface CreateJobArgs {
  seed: number | string;
  dialogGroupId: string;
  callId: string;
  requestedAt: string;
  idempotencyKey: string | undefined;
  /** Distinguishes repeated creates without an idempotency key. */
  sequence: number;
  now: number;
  scenario: Scenario;
}

export function newJob(args: CreateJobArgs): ExportJob {
  const identity = args.idempotencyKey ?? `#${args.sequence}`;
  const exportJobId = `exp_${stableId(args.seed, args.dialogGroupId, args.callId, identity)}`;
  const random = randomFor(args.seed, 'job', exportJobId);
  const { scenario } = args;
  const durationMs = Math.round(sampleSeconds(scenario.jobDuration, random) * 1000);
  const seconds = sampleSeconds(scenario.recording.duration, random);
  const recording: RecordingSpec = {
    key: `${args.seed}|${exportJobId}`,
    channels: scenario.recording.channels,
    sampleRate: scenario.recording.sampleRate,
    frames: framesFor(seconds, scenario.recording.channels, scenario.recording.sampleRate),
  };
  return {
    exportJobId,
    dialogGroupId: args.dialogGroupId,
    callId: args.callId,
    requestedAt: args.requestedAt,
    idempotencyKey: args.idempotencyKey,
    createdAt: args.now,
    durationMs,
    scenario,
    recording,
    agentId: scenario.recording.agentId ?? Agents[random.int(0, Agents.length - 1)]!,
    queueName: scenario.recording.queueName ?? Queues[random.int(0, Queues.length - 1)]!,
    entryName: scenario.download.entryName ?? safeEntryName(args.callId),
    polls: 0,
    downloadResponses: 0,
  };
}

/** OCP's estimate of a duration: exact, off by a seeded log-normal factor, or not given. */
function estimate(job: ExportJob, trueMs: number, key: string): number | undefined {
  const { mode, noise } = job.scenario.eta;
  if (mode === 'absent') return undefined;
  if (mode === 'exact') return trueMs;
  const factor = Math.exp(noise * randomFor(job.recording.key, 'eta', key).normal());
  return trueMs * factor;
}

export function estimatedCompletionTime(job: ExportJob): string | undefined {
  const ms = estimate(job, job.durationMs, 'create');
  return ms === undefined ? undefined : new Date(job.createdAt + ms).toISOString();
}

export function jobState(job: ExportJob, now: number, pollKey: number): JobState {
  const elapsed = Math.max(0, now - job.createdAt);
  const outcome = job.scenario.outcome;
  if (outcome.kind === 'never') {
    const nominal = Math.max(job.durationMs, 1);
    const progress = Math.min(99, Math.floor(99 * (1 - Math.exp(-elapsed / nominal))));
    // A job that never ends keeps promising a little more time.
    const remaining = estimate(job, Math.max(5000, nominal - elapsed), `poll-${pollKey}`);
    return withRemaining({ status: 'IN_PROGRESS', progress }, remaining);
  }
  if (elapsed < job.durationMs) {
    const progress = Math.min(99, Math.floor((100 * elapsed) / job.durationMs));
    return withRemaining({ status: 'IN_PROGRESS', progress }, estimate(job, job.durationMs - elapsed, `poll-${pollKey}`));
  }
  switch (outcome.kind) {
    case 'complete':
      return { status: 'COMPLETED', completedAt: new Date(job.createdAt + job.durationMs).toISOString() };
    case 'fail':
      return { status: 'FAILED', errorMessage: outcome.errorMessage };
    case 'unknownStatus':
      return { status: 'OTHER', reported: outcome.status };
  }
}

function withRemaining(state: { status: 'IN_PROGRESS'; progress: number }, remainingMs: number | undefined): JobState {
  return remainingMs === undefined ? state : { ...state, estimatedSecondsRemaining: Math.max(0, Math.round(remainingMs / 1000)) };
}

/** What /metadata reports: the truth about the WAV unless the scenario says to lie. */
export function reportedMetadata(job: ExportJob): {
  duration: number;
  channels: number;
  sampleRate: number;
  format: string;
  agentId: string;
  queueName: string;
} {
  const override = job.scenario.metadataOverride ?? {};
  return {
    duration: override.duration ?? Math.round(durationSeconds(job.recording) * 1000) / 1000,
    channels: override.channels ?? job.recording.channels,
    sampleRate: override.sampleRate ?? job.recording.sampleRate,
    format: override.format ?? 'WAV',
    agentId: job.agentId,
    queueName: job.queueName,
  };
}
