/**
 * What the simulated OCP does for one call: how long its export takes, how it ends, what the
 * recording is, which faults it throws at the client and how the download misbehaves.
 *
 * Scenarios stack: built-in defaults ← the run's scenario ← the longest matching callId prefix ← the
 * call's own override. Each layer is a patch; nested option objects merge field by field, while
 * tagged values (distributions, outcomes) and the fault list are replaced whole.
 */
import { z } from 'zod';

export const Distribution = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), seconds: z.number().nonnegative() }),
  z
    .object({ kind: z.literal('uniform'), minSeconds: z.number().nonnegative(), maxSeconds: z.number().nonnegative() })
    .refine((d) => d.maxSeconds >= d.minSeconds, { message: 'maxSeconds must be >= minSeconds' }),
  z.object({
    kind: z.literal('lognormal'),
    medianSeconds: z.number().positive(),
    sigma: z.number().nonnegative(),
    /** Clamp for the long tail. */
    maxSeconds: z.number().positive().optional(),
  }),
]);
export type Distribution = z.infer<typeof Distribution>;

export const Outcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('complete') }),
  z.object({ kind: z.literal('fail'), errorMessage: z.string().default('Recording could not be retrieved from the media store.') }),
  /** Stays IN_PROGRESS for ever; progress creeps towards 99. */
  z.object({ kind: z.literal('never') }),
  /** Reports a status this project does not know, once the job "finishes". */
  z.object({ kind: z.literal('unknownStatus'), status: z.string().min(1).default('ARCHIVED') }),
]);
export type Outcome = z.infer<typeof Outcome>;

export const Endpoints = ['create', 'status', 'metadata', 'download'] as const;
export type Endpoint = (typeof Endpoints)[number];

const FaultTarget = {
  endpoint: z.enum([...Endpoints, 'any']).default('any'),
  /** Applies to this job's first N requests at the endpoint (create: per callId). */
  times: z.number().int().positive().optional(),
  /** Or applies at random with this probability (seeded). Neither: every request. */
  probability: z.number().min(0).max(1).optional(),
};

export const Fault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('throttle'), retryAfterSeconds: z.number().int().nonnegative().default(1), ...FaultTarget }),
  z.object({
    kind: z.literal('serverError'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    ...FaultTarget,
  }),
  /** Answers correctly, but only after this delay (beyond a client's timeout, typically). */
  z.object({ kind: z.literal('slow'), delayMs: z.number().int().nonnegative(), ...FaultTarget }),
  z.object({ kind: z.literal('malformedJson'), ...FaultTarget }),
  /** A 200 whose JSON breaks the contract (wrong types, missing fields). */
  z.object({ kind: z.literal('schemaBreak'), ...FaultTarget }),
  /** The connection is closed before any response. */
  z.object({ kind: z.literal('reset'), ...FaultTarget }),
  /** The request is carried out (a job is created), then the connection is closed instead of answering. */
  z.object({ kind: z.literal('lostResponse'), ...FaultTarget }),
]);
export type Fault = z.infer<typeof Fault>;
export type FaultKind = Fault['kind'];

export const RecordingOptions = z.object({
  duration: Distribution,
  channels: z.number().int().min(1).max(8),
  sampleRate: z.number().int().min(1000).max(192_000),
  agentId: z.string().optional(),
  queueName: z.string().optional(),
});

/** What /metadata reports instead of the truth, to provoke audio-mismatch handling downstream. */
export const MetadataOverride = z.object({
  duration: z.number().nonnegative().optional(),
  channels: z.number().int().positive().optional(),
  sampleRate: z.number().int().positive().optional(),
  format: z.string().optional(),
});

export const DownloadOptions = z.object({
  /** Real-time pacing of the body; absent = as fast as the socket takes it. */
  bandwidthBytesPerSecond: z.number().positive().optional(),
  /** Close the connection after this many body bytes of a response… */
  dropAfterBytes: z.number().int().nonnegative().optional(),
  /** …for this job's first N download responses (later ones complete, so a resume can succeed). */
  drops: z.number().int().nonnegative().default(1),
  /** Stop sending (connection left open) after this many body bytes of every response… */
  stallAfterBytes: z.number().int().nonnegative().optional(),
  /** …for this long, then carry on; a client with an idle timeout shorter than this gives up first. */
  stallMs: z.number().int().nonnegative().default(0),
  /** crc: one data byte flipped (CRC check fails); not-zip: an HTML error page served as the archive. */
  corruption: z.enum(['none', 'crc', 'not-zip']).default('none'),
  /** Name of the WAV inside the ZIP; default `<callId>.wav` with unsafe characters replaced. */
  entryName: z.string().min(1).optional(),
  /** Lifetime of the signed download URL. */
  urlTtlSeconds: z.number().int().positive().default(6 * 3600),
});

export const Scenario = z.object({
  jobDuration: Distribution,
  eta: z.object({ mode: z.enum(['exact', 'noisy', 'absent']), noise: z.number().min(0).max(1) }),
  outcome: Outcome,
  faults: z.array(Fault),
  recording: RecordingOptions,
  metadataOverride: MetadataOverride.optional(),
  download: DownloadOptions,
});
export type Scenario = z.infer<typeof Scenario>;

export const ScenarioPatch = z.object({
  jobDuration: Distribution.optional(),
  eta: Scenario.shape.eta.partial().optional(),
  outcome: Outcome.optional(),
  faults: z.array(Fault).optional(),
  recording: RecordingOptions.partial().optional(),
  metadataOverride: MetadataOverride.optional(),
  download: DownloadOptions.partial().optional(),
});
export type ScenarioPatch = z.input<typeof ScenarioPatch>;

export const DefaultScenario: Scenario = Scenario.parse({
  jobDuration: { kind: 'uniform', minSeconds: 5, maxSeconds: 20 },
  eta: { mode: 'exact', noise: 0.3 },
  outcome: { kind: 'complete' },
  faults: [],
  recording: { duration: { kind: 'uniform', minSeconds: 30, maxSeconds: 300 }, channels: 2, sampleRate: 8000 },
  download: {},
});

/** Validates a patch, naming the field that is wrong. */
export function parseScenarioPatch(input: unknown, where: string): z.output<typeof ScenarioPatch> {
  const parsed = ScenarioPatch.strict().safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid OCP simulator scenario for ${where}: ${problems}`);
  }
  return parsed.data;
}

function isMergeable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value);
}

export function applyPatch(base: Scenario, patch: z.output<typeof ScenarioPatch>): Scenario {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isMergeable(current) && isMergeable(value) ? { ...current, ...value } : value;
  }
  return Scenario.parse(out);
}

/** The scenario layers of a run, and how one call's scenario is resolved from them. */
export class ScenarioBook {
  private run: z.output<typeof ScenarioPatch> = {};
  private readonly byPrefix = new Map<string, z.output<typeof ScenarioPatch>>();
  private readonly byCallId = new Map<string, z.output<typeof ScenarioPatch>>();

  set(patch: ScenarioPatch, target: ScenarioTarget = {}): void {
    if (target.callId !== undefined) {
      this.byCallId.set(target.callId, parseScenarioPatch(patch, `callId ${target.callId}`));
    } else if (target.callIdPrefix !== undefined) {
      this.byPrefix.set(target.callIdPrefix, parseScenarioPatch(patch, `callId prefix ${target.callIdPrefix}`));
    } else {
      this.run = parseScenarioPatch(patch, 'the run');
    }
  }

  resolve(callId: string): Scenario {
    let scenario = applyPatch(DefaultScenario, this.run);
    let best: string | undefined;
    for (const prefix of this.byPrefix.keys()) {
      if (callId.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    if (best !== undefined) scenario = applyPatch(scenario, this.byPrefix.get(best)!);
    const own = this.byCallId.get(callId);
    if (own) scenario = applyPatch(scenario, own);
    return scenario;
  }
}

export interface ScenarioTarget {
  callId?: string;
  callIdPrefix?: string;
}
