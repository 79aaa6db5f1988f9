/**
 * The scenario mix of a local run: each generated call carries a scenario in its callId prefix,
 * the OCP simulator is told what to do for each prefix, and each scenario states the terminal
 * status the workflow must reach, so the e2e test and the summary can judge a run.
 */
import { ReconciliationRequest } from '../../runtime/contracts.ts';
import type { ScenarioPatch } from '../ocp-sim/scenario.ts';
import { pickWeighted, seededRandom } from './random.ts';

export const ScenarioNames = [
  'completes',
  'slow-export',
  'export-failed',
  'never-finishes',
  'unknown-status',
  'throttled',
  'ocp-server-errors',
  'download-dropped',
  'download-failure',
  'malformed-message',
  'duplicate-delivery',
] as const;
export type ScenarioName = (typeof ScenarioNames)[number];

export interface ScenarioDefinition {
  /** callId prefix the simulator matches. */
  prefix: string;
  /** What the simulator does for these calls (absent: its defaults). */
  ocp?: ScenarioPatch;
  /** Terminal reconciliationStatus the call must end in; undefined when no record may exist. */
  expectedStatus?: string;
  /** The SQS message is not a valid request: it must land in the input DLQ and start nothing. */
  malformed?: boolean;
  /** The same message is sent twice: still one execution. */
  duplicate?: boolean;
  /** Whether a recording must end up stored. */
  stored: boolean;
}

// Small recordings keep a thousand-call run's objects in memory comfortably.
const smallRecording = { duration: { kind: 'uniform', minSeconds: 5, maxSeconds: 20 } } as const;

export const Scenarios: Record<ScenarioName, ScenarioDefinition> = {
  completes: { prefix: 'CALL-OK-', ocp: { recording: smallRecording }, expectedStatus: 'COMPLETED', stored: true },
  // A 25-minute export with a noisy estimate: several polls before it completes.
  'slow-export': {
    prefix: 'CALL-SLOW-',
    ocp: { jobDuration: { kind: 'fixed', seconds: 1500 }, eta: { mode: 'noisy', noise: 0.4 }, recording: smallRecording },
    expectedStatus: 'COMPLETED',
    stored: true,
  },
  'export-failed': { prefix: 'CALL-EXPFAIL-', ocp: { outcome: { kind: 'fail', errorMessage: 'Recording purged from the media store.' } }, expectedStatus: 'FAILED_EXPORT_ERROR', stored: false },
  'never-finishes': { prefix: 'CALL-NEVER-', ocp: { outcome: { kind: 'never' } }, expectedStatus: 'FAILED_MAX_RETRIES', stored: false },
  'unknown-status': { prefix: 'CALL-UNKNOWN-', ocp: { outcome: { kind: 'unknownStatus', status: 'ARCHIVED' } }, expectedStatus: 'FAILED_UNKNOWN_STATUS', stored: false },
  // Two 429s on each status check endpoint: the client and the workflow's retries absorb them.
  throttled: {
    prefix: 'CALL-THROTTLE-',
    ocp: { faults: [{ kind: 'throttle', endpoint: 'status', times: 2, retryAfterSeconds: 0 }], recording: smallRecording },
    expectedStatus: 'COMPLETED',
    stored: true,
  },
  'ocp-server-errors': {
    prefix: 'CALL-5XX-',
    ocp: { faults: [{ kind: 'serverError', endpoint: 'status', times: 1, status: 503 }], recording: smallRecording },
    expectedStatus: 'COMPLETED',
    stored: true,
  },
  // Download responses are cut after 200 kB: the worker's small tail read passes, the body read is
  // cut and resumed with a Range request. (A cut inside the tail read itself fails the download
  // today rather than being retried; 200 kB keeps this scenario about resuming the body.)
  'download-dropped': {
    prefix: 'CALL-DROP-',
    ocp: { download: { dropAfterBytes: 200_000, drops: 2 }, recording: { duration: { kind: 'fixed', seconds: 15 } } },
    expectedStatus: 'COMPLETED',
    stored: true,
  },
  'download-failure': { prefix: 'CALL-DLFAIL-', ocp: { download: { corruption: 'not-zip' }, recording: smallRecording }, expectedStatus: 'FAILED_DOWNLOAD_ERROR', stored: false },
  'malformed-message': { prefix: 'CALL-MALFORMED-', malformed: true, stored: false },
  'duplicate-delivery': { prefix: 'CALL-DUP-', ocp: { recording: smallRecording }, expectedStatus: 'COMPLETED', duplicate: true, stored: true },
};

export type ScenarioMix = Partial<Record<ScenarioName, number>>;

/** The default mix of `npm start -- --calls N`: mostly successes, every failure path represented. */
export const DefaultMix: ScenarioMix = {
  completes: 50,
  'slow-export': 10,
  'export-failed': 6,
  'never-finishes': 3,
  'unknown-status': 2,
  throttled: 8,
  'ocp-server-errors': 5,
  'download-dropped': 6,
  'download-failure': 4,
  'malformed-message': 3,
  'duplicate-delivery': 3,
};

/** Parses `completes=5,export-failed=1` into a mix, naming any unknown scenario. */
export function parseMix(text: string): ScenarioMix {
  const mix: ScenarioMix = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, weight] = part.split('=');
    if (!(ScenarioNames as readonly string[]).includes(name ?? '')) throw new Error(`Unknown scenario "${name}" in --mix; choose from: ${ScenarioNames.join(', ')}`);
    const w = Number(weight);
    if (!Number.isFinite(w) || w < 0) throw new Error(`Scenario weight for "${name}" must be a non-negative number, got "${weight}"`);
    mix[name as ScenarioName] = w;
  }
  if (Object.values(mix).every((w) => !w)) throw new Error('--mix must give at least one scenario a positive weight');
  return mix;
}

export interface PlannedCall {
  scenario: ScenarioName;
  dialogGroupId: string;
  callId: string;
  /** The SQS message bodies to send for this call (two for a duplicate delivery). */
  bodies: string[];
}

/** Generates `count` calls from the mix; the same seed gives the same calls. */
export function planCalls(count: number, mix: ScenarioMix, seed: number, now = new Date('2026-01-01T00:00:00Z')): PlannedCall[] {
  const random = seededRandom(seed);
  const weights = Object.fromEntries(Object.entries(mix).filter(([, w]) => (w ?? 0) > 0)) as Record<ScenarioName, number>;
  const calls: PlannedCall[] = [];
  for (let i = 0; i < count; i++) {
    const scenario = pickWeighted(random, weights);
    const def = Scenarios[scenario];
    const serial = `${seed}-${String(i).padStart(6, '0')}`;
    const dialogGroupId = `DG-${serial}`;
    const callId = `${def.prefix}${serial}`;
    let bodies: string[];
    if (def.malformed) {
      // Not a request: the callId is missing and the timestamp is not a date.
      bodies = [JSON.stringify({ dialogGroupId, originalTimestamp: 'yesterday-ish', retryAttempt: -1 })];
    } else {
      const request = ReconciliationRequest.parse({ dialogGroupId, callId, originalTimestamp: new Date(now.getTime() - i * 60_000).toISOString(), retryAttempt: 0, source: 'RECONCILIATION_QUEUE' });
      const body = JSON.stringify(request);
      bodies = def.duplicate ? [body, body] : [body];
    }
    calls.push({ scenario, dialogGroupId, callId, bodies });
  }
  return calls;
}

/** One call per scenario of the mix (all scenarios when none given): the e2e test's fixed set. */
export function oneOfEach(names: readonly ScenarioName[] = ScenarioNames, seed = 7): PlannedCall[] {
  return names.flatMap((name, i) => planCalls(1, { [name]: 1 }, seed * 1000 + i));
}
