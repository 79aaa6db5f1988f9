import { expect } from 'chai';
import { one, ofType, stackRun, type ProgramRun } from './support/program.ts';

describe('infra: dev and prod differ where their config does', () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async function () {
    this.timeout(60_000);
    dev = await stackRun('dev');
    prod = await stackRun('prod');
  });

  it('creates the same resources in both stacks', () => {
    const shape = (run: ProgramRun) => run.resources.map((r) => `${r.type}::${r.name}`).sort();
    expect(shape(prod)).to.deep.equal(shape(dev));
  });

  it('groups resources in our own components, typed audio-reconciliation:<module>:<Type>', () => {
    const components = [...new Set(dev.resources.filter((r) => !/^aws(x)?:/.test(r.type)).map((r) => r.type))].sort();
    expect(components).to.deep.equal([
      'audio-reconciliation:compute:HandlerFunction',
      'audio-reconciliation:messaging:ReconciliationQueues',
      'audio-reconciliation:observability:Monitoring',
      'audio-reconciliation:security:OcpTokenSecret',
      'audio-reconciliation:storage:ReconciliationTable',
      'audio-reconciliation:storage:RecordingsBucket',
      'audio-reconciliation:worker:DownloadWorker',
      'audio-reconciliation:workflow:ReconciliationStateMachine',
    ]);
  });

  it('turns on point-in-time recovery and deletion protection only in prod', () => {
    const table = (run: ProgramRun) => one(run, 'aws:dynamodb/table:Table', 'records-table').inputs;
    expect(table(dev)).to.deep.include({ pointInTimeRecovery: { enabled: false }, deletionProtectionEnabled: false });
    expect(table(prod)).to.deep.include({ pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true });
  });

  it('versions the bucket only in prod, and lets only dev be destroyed with its contents', () => {
    const versioning = (run: ProgramRun) => one(run, 'aws:s3/bucketVersioning:BucketVersioning', 'recordings-versioning').inputs.versioningConfiguration;
    expect(versioning(dev)).to.deep.equal({ status: 'Suspended' });
    expect(versioning(prod)).to.deep.equal({ status: 'Enabled' });
    expect(one(dev, 'aws:s3/bucket:Bucket', 'recordings-bucket').inputs.forceDestroy).to.equal(true);
    expect(one(prod, 'aws:s3/bucket:Bucket', 'recordings-bucket').inputs.forceDestroy).to.equal(false);
    expect(one(prod, 'aws:secretsmanager/secret:Secret', 'ocp-token-secret').inputs.recoveryWindowInDays).to.equal(7);
  });

  it('sizes Lambdas, the trigger and the worker per stack', () => {
    const memory = (run: ProgramRun) => new Set(ofType(run, 'aws:lambda/function:Function').map((f) => f.inputs.memorySize));
    expect([...memory(dev)]).to.deep.equal([256]);
    expect([...memory(prod)]).to.deep.equal([512]);
    const concurrency = (run: ProgramRun) => (ofType(run, 'aws:lambda/eventSourceMapping:EventSourceMapping')[0]!.inputs.scalingConfig as { maximumConcurrency: number }).maximumConcurrency;
    expect([concurrency(dev), concurrency(prod)]).to.deep.equal([2, 20]);
    const desired = (run: ProgramRun) => one(run, 'aws:ecs/service:Service', 'worker-service').inputs.desiredCount;
    expect([desired(dev), desired(prod)]).to.deep.equal([1, 3]);
  });

  it('keeps logs longer and quieter in prod', () => {
    const retention = (run: ProgramRun) => new Set(ofType(run, 'aws:cloudwatch/logGroup:LogGroup').map((g) => g.inputs.retentionInDays));
    expect([...retention(dev)]).to.deep.equal([14]);
    expect([...retention(prod)]).to.deep.equal([90]);
    const level = (run: ProgramRun) => (one(run, 'aws:sfn/stateMachine:StateMachine', 'workflow-state-machine').inputs.loggingConfiguration as { level: string }).level;
    expect([level(dev), level(prod)]).to.deep.equal(['ALL', 'ERROR']);
  });

  it("carries each stack's workflow tunables into its definition", () => {
    const asl = (run: ProgramRun) => JSON.parse(String(one(run, 'aws:sfn/stateMachine:StateMachine', 'workflow-state-machine').inputs.definition)) as Record<string, unknown>;
    const heartbeats = (run: ProgramRun) => JSON.stringify(asl(run)).match(/"HeartbeatSeconds":(\d+)/g);
    expect(heartbeats(dev)).to.include('"HeartbeatSeconds":600');
    expect(heartbeats(prod)).to.include('"HeartbeatSeconds":300');
  });
});
