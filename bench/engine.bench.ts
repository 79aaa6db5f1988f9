/**
 * `npm run bench:engine`: executions per second of a polling workflow on this engine (virtual clock)
 * and on aws-local-stepfunctions (Wait and Retry pauses overridden to zero), same machine, same
 * in-process handlers, same run. The reconciliation ASL depends on Assign, which that library
 * ignores, so both run a JSONPath-only machine of the same shape: create, a wait/poll loop of several
 * rounds, parallel branches, retries, catches, DynamoDB and SQS integration tasks. Prints the rate of
 * each and, last, `ratio: X` (ours / theirs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { Engine, TaskFailure, VirtualClock, type TaskHandler } from '../local/engine/index.ts';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 2000);
const BATCH = 100;
const POLL_ROUNDS = 4;

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const fn = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:bench-${name}`;

const definition = {
  Comment: 'Polling workflow of the reconciliation shape, JSONPath only.',
  StartAt: 'CreateExportJob',
  States: {
    CreateExportJob: {
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { FunctionName: fn('create'), Payload: { 'dialogGroupId.$': '$.dialogGroupId', 'callId.$': '$.callId', 'executionId.$': '$$.Execution.Id' } },
      ResultSelector: { 'exportJobId.$': '$.Payload.exportJobId', polls: 0 },
      ResultPath: '$.job',
      Retry: [{ ErrorEquals: ['OCPAPIThrottlingError'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
      Next: 'WaitForExport',
    },
    WaitForExport: { Type: 'Wait', Seconds: 300, Next: 'CheckExportStatus' },
    CheckExportStatus: {
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { FunctionName: fn('check'), Payload: { 'exportJobId.$': '$.job.exportJobId', 'polls.$': '$.job.polls', 'callId.$': '$.callId' } },
      ResultSelector: { 'status.$': '$.Payload.status', 'exportJobId.$': '$.Payload.exportJobId', 'polls.$': '$.Payload.polls', 'downloadUrl.$': '$.Payload.downloadUrl' },
      ResultPath: '$.job',
      Retry: [{ ErrorEquals: ['OCPAPITimeoutError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
      Next: 'EvaluateExportStatus',
    },
    EvaluateExportStatus: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.job.status', StringEquals: 'COMPLETED', Next: 'DownloadAndDescribe' },
        { And: [{ Variable: '$.job.status', StringEquals: 'IN_PROGRESS' }, { Variable: '$.job.polls', NumericLessThan: 6 }], Next: 'WaitForExport' },
      ],
      Default: 'RecordFailure',
    },
    DownloadAndDescribe: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'GetExportMetadata',
          States: {
            GetExportMetadata: {
              Type: 'Task',
              Resource: LAMBDA,
              Parameters: { FunctionName: fn('metadata'), Payload: { 'exportJobId.$': '$.job.exportJobId' } },
              OutputPath: '$.Payload',
              Retry: [{ ErrorEquals: ['OCPAPIThrottlingError'], IntervalSeconds: 2, MaxAttempts: 3 }],
              End: true,
            },
          },
        },
        {
          StartAt: 'NotifyDownloadService',
          States: {
            NotifyDownloadService: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/downloads', MessageBody: { 'exportJobId.$': '$.job.exportJobId', 'downloadUrl.$': '$.job.downloadUrl' } },
              ResultSelector: { 'messageId.$': '$.MessageId' },
              End: true,
            },
          },
        },
      ],
      ResultSelector: { 'metadata.$': '$[0].metadata', 'download.$': '$[1]' },
      ResultPath: '$.results',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
      Next: 'RecordCompleted',
    },
    RecordCompleted: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: 'reconciliation',
        Key: { PK: { 'S.$': "States.Format('CALL#{}', $.dialogGroupId)" }, SK: { S: 'RECONCILIATION' } },
        UpdateExpression: 'SET reconciliationStatus = :s',
        ExpressionAttributeValues: { ':s': { S: 'COMPLETED' } },
      },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['DynamoDB.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 3 }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    RecordFailure: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: 'reconciliation', Item: { PK: { 'S.$': "States.Format('CALL#{}', $.dialogGroupId)" }, status: { S: 'FAILED' } } },
      ResultPath: null,
      Next: 'SendFailureToDlq',
    },
    SendFailureToDlq: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', MessageBody: { 'callId.$': '$.callId', 'error.$': '$.error' } },
      ResultPath: null,
      Next: 'ReconciliationFailed',
    },
    ReconciliationFailed: { Type: 'Fail', Error: 'ReconciliationFailed', Cause: 'see the DLQ message' },
  },
};

/**
 * The in-process handlers both engines call, keyed by state name. Every 10th call fails once on its
 * first attempt (keyed by call and state, so the retry always succeeds however the runs interleave).
 */
function makeHandlers(): Record<string, (input: unknown) => Promise<unknown>> {
  const failedOnce = new Set<string>();
  const flaky = (key: string, n: number, error: string): void => {
    if (n % 10 === 0 && !failedOnce.has(key)) {
      failedOnce.add(key);
      throw new TaskFailure(error, 'transient');
    }
  };
  let checks = 0;
  return {
    CreateExportJob: async (input) => {
      const p = (input as { Payload: { callId: string } }).Payload;
      flaky(`create:${p.callId}`, Number(p.callId.slice(5)), 'OCPAPIThrottlingError');
      return { StatusCode: 200, Payload: { exportJobId: `JOB-${p.callId}`, status: 'CREATED' } };
    },
    CheckExportStatus: async (input) => {
      const p = (input as { Payload: { exportJobId: string; polls: number } }).Payload;
      flaky(`check:${p.exportJobId}:${p.polls}`, ++checks, 'OCPAPITimeoutError');
      const polls = p.polls + 1;
      const done = polls >= POLL_ROUNDS;
      return { StatusCode: 200, Payload: { exportJobId: p.exportJobId, polls, status: done ? 'COMPLETED' : 'IN_PROGRESS', downloadUrl: done ? `https://ocp/${p.exportJobId}.zip` : null } };
    },
    GetExportMetadata: async () => ({ StatusCode: 200, Payload: { metadata: { duration: 61, channels: 2, format: 'WAV' } } }),
    NotifyDownloadService: async () => ({ MessageId: 'm-1', MD5OfMessageBody: 'x' }),
    RecordCompleted: async () => ({}),
    RecordFailure: async () => ({}),
    SendFailureToDlq: async () => ({ MessageId: 'dlq-1' }),
  };
}

const inputOf = (i: number): Record<string, unknown> => ({ dialogGroupId: `DG-${i}`, callId: `CALL-${i}`, retryAttempt: 0 });

interface Timing {
  /** Wall-clock milliseconds. */
  ms: number;
  /** CPU milliseconds of this process (user + system): robust when other work shares the machine. */
  cpuMs: number;
  sample: unknown;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function runOurs(n: number, dataDir?: string): Promise<Timing> {
  const byState = makeHandlers();
  const handler: TaskHandler = (req) => byState[req.stateName]!(req.parameters);
  const engine = new Engine({ clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')), resolvers: [{ resolve: () => handler }], dataDir });
  const sm = engine.createStateMachine({ name: 'bench', definition: JSON.stringify(definition) });
  let sample: unknown;
  const t0 = performance.now();
  const c0 = cpuNow();
  for (let start = 0; start < n; start += BATCH) {
    const arns = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) arns.push(engine.startExecution({ stateMachineArn: sm.stateMachineArn, input: JSON.stringify(inputOf(i)) }).executionArn);
    const done = await Promise.all(arns.map((a) => engine.waitForExecution(a)));
    for (const d of done) if (d.status !== 'SUCCEEDED') throw new Error(`our execution ${d.name} ended ${d.status}: ${d.error} ${d.cause}`);
    sample ??= JSON.parse(done[0]!.output!);
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuNow() - c0;
  await engine.close();
  return { ms, cpuMs, sample };
}

async function runTheirs(n: number): Promise<Timing> {
  const byState = makeHandlers();
  const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const overrides = {
    taskResourceLocalHandlers: byState as never,
    waitTimeOverrides: { WaitForExport: 0 },
    retryIntervalOverrides: { CreateExportJob: 0, CheckExportStatus: 0, GetExportMetadata: 0, RecordCompleted: 0 },
  };
  let sample: unknown;
  const t0 = performance.now();
  const c0 = cpuNow();
  for (let start = 0; start < n; start += BATCH) {
    const runs = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      // The library's default context object has no Execution.Id; give it one as AWS would.
      const input = inputOf(i);
      const context = { Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:bench:e${i}`, Name: `e${i}`, Input: input, StartTime: new Date().toISOString() } };
      runs.push(sm.run(input as never, { overrides, context: context as never }).result);
    }
    const outputs = await Promise.all(runs);
    sample ??= outputs[0];
  }
  return { ms: performance.now() - t0, cpuMs: cpuNow() - c0, sample };
}

function rate(n: number, ms: number): number {
  return n / (ms / 1000);
}

if (process.env.BENCH_ONLY === 'ours') {
  // Profiling aid: `BENCH_ONLY=ours node --cpu-prof --import tsx bench/engine.bench.ts`.
  const r = await runOurs(EXECUTIONS);
  console.log(`local engine only: ${rate(EXECUTIONS, r.ms).toFixed(0)} executions/s`);
  process.exit(0);
}

// Warm both up (JIT, module init) before measuring.
await runOurs(200);
await runTheirs(200);

// Interleaved rounds, alternating which engine goes first, so that load from other processes on
// the machine falls on both sides alike.
const ROUNDS = 4;
const per = Math.ceil(EXECUTIONS / ROUNDS);
const total = { ours: { ms: 0, cpuMs: 0 }, theirs: { ms: 0, cpuMs: 0 } };
let samples: { ours?: unknown; theirs?: unknown } = {};
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const);
  for (const side of order) {
    const t = side === 'ours' ? await runOurs(per) : await runTheirs(per);
    total[side].ms += t.ms;
    total[side].cpuMs += t.cpuMs;
    samples = { ...samples, [side]: samples[side] ?? t.sample };
  }
}
if (JSON.stringify(samples.ours) !== JSON.stringify(samples.theirs))
  throw new Error(`the engines disagree on the output:\n ours:   ${JSON.stringify(samples.ours)}\n theirs: ${JSON.stringify(samples.theirs)}`);

const n = per * ROUNDS;
const oursCpu = rate(n, total.ours.cpuMs);
const theirsCpu = rate(n, total.theirs.cpuMs);
console.log(`polling workflow: ${POLL_ROUNDS} poll rounds, parallel branches, retries (every 10th call fails once), DynamoDB/SQS tasks`);
console.log(`${n} executions per engine in ${ROUNDS} interleaved rounds, batches of ${BATCH}; same output checked`);
console.log(`local engine (virtual clock):          ${oursCpu.toFixed(0)} executions/s of CPU, ${rate(n, total.ours.ms).toFixed(0)} executions/s wall`);
console.log(`aws-local-stepfunctions (zero waits):  ${theirsCpu.toFixed(0)} executions/s of CPU, ${rate(n, total.theirs.ms).toFixed(0)} executions/s wall`);

// For information (not in the ratio): the same run with checkpoints in node:sqlite.
const dataDir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
try {
  const persisted = await runOurs(Math.min(n, 500), dataDir);
  console.log(`local engine with sqlite checkpoints:  ${rate(Math.min(n, 500), persisted.cpuMs).toFixed(0)} executions/s of CPU (${Math.min(n, 500)} executions, for information)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`ratio: ${(oursCpu / theirsCpu).toFixed(2)}`);
