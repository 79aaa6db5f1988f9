import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startOcpSimulator, type OcpSimulator } from '../../local/ocp-sim/index.ts';
import { startSecretsManager } from '../../local/sfn-api/secrets-manager.ts';
import { startStepFunctionsApi, type StepFunctionsApi } from '../../local/sfn-api/server.ts';
import type { RunningService } from '../../local/sfn-api/aws-json.ts';
import { Engine, VirtualClock } from '../../local/engine/index.ts';
import { Env, type FunctionName } from '../../system/functions.ts';
import { ReconciliationStore } from '../../runtime/store/reconciliation-store.ts';
import { localAws, sqsS3Local } from '../support/services.ts';
import { freshTable } from './store-fixture.ts';

const child = fileURLToPath(new URL('./deployed-handler-child.ts', import.meta.url));
const OcpToken = 'ocp-bearer-do-not-log';
const secretArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ocp/token-AbCdEf';

interface Outcome {
  ok: boolean;
  result?: Record<string, unknown>;
  name?: string;
  message?: string;
}

/** Runs a handler's `handler` export in a fresh Node process, configured only through `env`. */
function invoke(name: FunctionName, event: unknown, env: Record<string, string>): Promise<{ outcome: Outcome; stdout: string; logs: Record<string, unknown>[] }> {
  // The parent's AWS_* and handler variables must not leak in: the child sees only what the test sets.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !Object.values(Env).includes(k as never)));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', child, name, JSON.stringify(event)],
      { env: { ...base, AWS_REGION: localAws.region, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('OUTCOME '));
        if (!line) return reject(new Error(`no outcome from ${name}: ${err?.message ?? ''}\n${stdout}\n${stderr}`));
        const logs = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ outcome: JSON.parse(line.slice('OUTCOME '.length)) as Outcome, stdout, logs });
      },
    );
  });
}

describe('deployed handlers: built from the environment alone, in a fresh process', function () {
  this.timeout(60_000);
  let sim: OcpSimulator;
  let secrets: RunningService;
  let engine: Engine;
  let sfnApi: StepFunctionsApi;
  let table: Awaited<ReturnType<typeof freshTable>>;
  let sqsEndpoint: string;
  let env: Record<string, string>;

  before(async () => {
    sim = await startOcpSimulator({ token: OcpToken, seed: 3, scenario: { jobDuration: { kind: 'fixed', seconds: 600 } } });
    secrets = await startSecretsManager({ secrets: { [secretArn]: JSON.stringify({ token: OcpToken }) } });
    engine = new Engine({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), resolvers: [] });
    sfnApi = await startStepFunctionsApi({ engine });
    table = await freshTable('deployed');
    sqsEndpoint = (await sqsS3Local()).endpoint;
    env = {
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_SFN: sfnApi.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      [Env.tableName]: table.tableName,
      [Env.recordTtlDays]: '7',
      [Env.ocpBaseUrl]: sim.baseUrl,
      [Env.ocpTokenSecretArn]: secretArn,
      [Env.logLevel]: 'INFO',
    };
  });
  after(async () => {
    await sim.stop();
    await secrets.stop();
    await sfnApi.stop();
    await engine.close();
  });

  const exec = 'arn:aws:states:us-east-1:000000000000:execution:recon:deployed-1';
  const waitPolicy = { kind: 'adaptive', fixedSeconds: 300, minSeconds: 30, maxSeconds: 900 };

  it('createExportJob reads its table, OCP URL and token secret from the environment and logs JSON without the token', async () => {
    const { outcome, stdout, logs } = await invoke('createExportJob', { dialogGroupId: 'DG-deployed-1', callId: 'CALL-d1', executionId: exec, waitPolicy }, env);
    expect(outcome, JSON.stringify(outcome)).to.include({ ok: true });
    expect(outcome.result).to.include({ status: 'CREATED', nextWaitSeconds: 600 });
    const store = new ReconciliationStore({ ddb: table.ddb, tableName: table.tableName, ttlDays: 7 });
    expect((await store.get('DG-deployed-1'))?.exportJobId).to.equal(outcome.result?.exportJobId);
    expect(stdout).not.to.contain(OcpToken);
    const done = logs.find((l) => l.message === 'step done');
    expect(done).to.include({ level: 'INFO', dialogGroupId: 'DG-deployed-1', callId: 'CALL-d1', executionId: exec, function_name: 'createExportJob' });
  });

  it('notifyDownloadService keeps the task token in the record and out of every log line', async () => {
    const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAd-task-token-secret';
    const store = new ReconciliationStore({ ddb: table.ddb, tableName: table.tableName, ttlDays: 7 });
    const ref = { dialogGroupId: 'DG-deployed-2', executionId: exec, exportJobId: 'job-d2' };
    await store.start({ ...ref, callId: 'CALL-d2' });
    await store.recordExportCreated({ ...ref, exportCreatedAt: store.now() });
    await store.recordExportCompleted({ ...ref, pollingIteration: 1, exportCompletedAt: store.now(), downloadUrl: 'http://127.0.0.1:9/x.zip' });
    const sqs = new SQSClient({ ...localAws, endpoint: sqsEndpoint });
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: `deployed-worker-${Date.now()}` }))).QueueUrl!;
    sqs.destroy();

    const { outcome, stdout } = await invoke(
      'notifyDownloadService',
      { ...ref, callId: 'CALL-d2', taskToken, downloadUrl: 'http://127.0.0.1:9/x.zip' },
      { ...env, [Env.workerQueueUrl]: queue },
    );
    expect(outcome, JSON.stringify(outcome)).to.include({ ok: true });
    expect((await store.get('DG-deployed-2'))?.taskToken).to.equal(taskToken);
    expect(stdout).not.to.contain(taskToken);
  });

  it('trigger starts executions on the Step Functions endpoint named by AWS_ENDPOINT_URL_SFN', async () => {
    const sfn = new SFNClient({ ...localAws, endpoint: sfnApi.endpoint });
    const sm = await sfn.send(
      new CreateStateMachineCommand({ name: `deployed-${Date.now()}`, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), roleArn: 'arn:aws:iam::000000000000:role/x' }),
    );
    sfn.destroy();
    const event = { Records: [{ messageId: 'm-1', body: JSON.stringify({ dialogGroupId: 'DG-t', callId: 'C-t' }), eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:in' }] };
    const { outcome } = await invoke('trigger', event, { ...env, [Env.stateMachineArn]: sm.stateMachineArn!, [Env.inputDlqUrl]: `${sqsEndpoint}/000000000000/unused-dlq` });
    expect(outcome, JSON.stringify(outcome)).to.deep.include({ ok: true, result: { batchItemFailures: [] } });
    expect(engine.listExecutions({ stateMachineArn: sm.stateMachineArn! })).to.have.length(1);
  });

  it('fails the invocation naming every missing or malformed variable', async () => {
    const { outcome } = await invoke('consolidateReconciliation', {}, { [Env.recordTtlDays]: 'soon' });
    expect(outcome.ok).to.equal(false);
    expect(outcome.message).to.contain('TABLE_NAME is not set').and.contain('RECORD_TTL_DAYS="soon"');
  });
});
