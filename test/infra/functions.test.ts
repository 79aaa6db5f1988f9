import { expect } from 'chai';
import { Env, FunctionNames } from '../../system/functions.ts';
import { one, ofType, stackRun, type ProgramRun } from './support/program.ts';

interface Archive { assets: Promise<Record<string, { text: Promise<string> }>> }

const expected = {
  dev: { memoryMb: 256, timeout: 30, retention: 14, level: 'DEBUG', batchSize: 10, maxConcurrency: 2 },
  prod: { memoryMb: 512, timeout: 60, retention: 90, level: 'INFO', batchSize: 10, maxConcurrency: 20 },
};

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: Lambda functions (${stack})`, () => {
    let run: ProgramRun;
    const fn = (name: string) => one(run, 'aws:lambda/function:Function', `${name}-function`);
    const env = (name: string) => (fn(name).inputs.environment as { variables: Record<string, string> }).variables;
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it('deploys one nodejs24.x arm64 function per handler, traced, sized from config', () => {
      expect(ofType(run, 'aws:lambda/function:Function')).to.have.length(FunctionNames.length);
      for (const name of FunctionNames) {
        const i = fn(name).inputs;
        expect(i.name).to.equal(`audio-reconciliation-${stack}-${name}`);
        expect(i.runtime).to.equal('nodejs24.x');
        expect(i.architectures).to.deep.equal(['arm64']);
        expect(i.handler).to.equal('index.handler');
        expect(i.tracingConfig).to.deep.equal({ mode: 'Active' });
        expect(i.memorySize).to.equal(expected[stack].memoryMb);
        expect(i.timeout).to.equal(name === 'trigger' ? 30 : expected[stack].timeout);
        expect(i.role).to.equal(one(run, 'aws:iam/role:Role', `${name}-role`).state.arn);
      }
    });

    it('writes JSON logs to its own log group, which has a retention period', () => {
      for (const name of FunctionNames) {
        const group = one(run, 'aws:cloudwatch/logGroup:LogGroup', `${name}-logs`).inputs;
        expect(group.name).to.equal(`/aws/lambda/audio-reconciliation-${stack}-${name}`);
        expect(group.retentionInDays).to.equal(expected[stack].retention);
        expect(fn(name).inputs.loggingConfig).to.deep.equal({ logFormat: 'JSON', logGroup: group.name, applicationLogLevel: expected[stack].level, systemLogLevel: 'WARN' });
        expect(env(name)[Env.logLevel]).to.equal(expected[stack].level);
        expect(env(name)[Env.serviceName]).to.equal(name);
      }
    });

    it('ships the minified ESM bundle of the real handler with its source map', async () => {
      for (const name of FunctionNames) {
        const assets = await (fn(name).inputs.code as Archive).assets;
        expect(Object.keys(assets).sort(), name).to.deep.equal(['index.mjs', 'index.mjs.map']);
        const code = await assets['index.mjs']!.text;
        const map = JSON.parse(await assets['index.mjs.map']!.text) as { sources: string[] };
        expect(map.sources, name).to.include(`runtime/handlers/${name}.ts`);
        expect(code, name).to.match(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\b/);
        expect(code.length / code.split('\n').length, `${name} is minified (characters per line)`).to.be.above(1000);
        expect(env(name).NODE_OPTIONS).to.equal('--enable-source-maps');
      }
    });

    it('points each handler at exactly the resources it uses', () => {
      const arn = (type: string, name: string) => one(run, type, name).state.arn;
      const url = (name: string) => one(run, 'aws:sqs/queue:Queue', name).state.url;
      const table = one(run, 'aws:dynamodb/table:Table', 'records-table').state.name;
      const secret = arn('aws:secretsmanager/secret:Secret', 'ocp-token-secret');
      expect(env('trigger')).to.deep.include({ [Env.stateMachineArn]: arn('aws:sfn/stateMachine:StateMachine', 'workflow-state-machine'), [Env.inputDlqUrl]: url('queues-input-dlq') });
      expect(env('notifyDownloadService')).to.deep.include({ [Env.workerQueueUrl]: url('queues-worker'), [Env.tableName]: table });
      for (const name of ['createExportJob', 'checkExportStatus', 'getExportMetadata'])
        expect(env(name), name).to.deep.include({ [Env.ocpTokenSecretArn]: secret, [Env.ocpBaseUrl]: stack === 'dev' ? 'https://ocp-sandbox.example.com/api/v1' : 'https://ocp.example.com/api/v1' });
      for (const name of ['createExportJob', 'checkExportStatus', 'notifyDownloadService', 'consolidateReconciliation'])
        expect(env(name), name).to.deep.include({ [Env.tableName]: table, [Env.recordTtlDays]: stack === 'dev' ? '30' : '365' });
      for (const name of ['trigger', 'notifyDownloadService', 'consolidateReconciliation']) expect(env(name), name).to.not.have.property(Env.ocpTokenSecretArn);
      expect(env('getExportMetadata')).to.not.have.property(Env.tableName);
      for (const name of FunctionNames.filter((n) => n !== 'trigger')) expect(env(name), name).to.not.have.property(Env.stateMachineArn);
    });

    it('feeds the trigger from the input queue with partial batch failures and a concurrency cap', () => {
      const mappings = ofType(run, 'aws:lambda/eventSourceMapping:EventSourceMapping');
      expect(mappings).to.have.length(1);
      const m = mappings[0]!.inputs;
      expect(m.eventSourceArn).to.equal(one(run, 'aws:sqs/queue:Queue', 'queues-input').state.arn);
      expect(m.functionName).to.equal(fn('trigger').state.arn);
      expect(m.functionResponseTypes).to.deep.equal(['ReportBatchItemFailures']);
      expect(m.batchSize).to.equal(expected[stack].batchSize);
      expect(m.scalingConfig).to.deep.equal({ maximumConcurrency: expected[stack].maxConcurrency });
    });
  });
}
