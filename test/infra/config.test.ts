import { expect } from 'chai';
import { parseStackConfig, StackConfigError, type RawStackConfig } from '../../infra/config.ts';
import { runProgram, stackFileConfig } from './support/program.ts';

function raw(stack: string): RawStackConfig {
  const file = stackFileConfig(stack);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(file)) {
    const [ns, name] = key.split(':');
    if (ns === 'audio-reconciliation' && name !== 'workflow') settings[name!] = JSON.parse(value);
  }
  return {
    project: 'audio-reconciliation',
    stack,
    region: file['aws:region'],
    workflow: JSON.parse(file['audio-reconciliation:workflow']!),
    settings,
  };
}

function problems(input: RawStackConfig): string {
  try {
    parseStackConfig(input);
  } catch (err) {
    expect(err).to.be.instanceOf(StackConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('infra: stack config', () => {
  it('accepts both stack files as committed', () => {
    const dev = parseStackConfig(raw('dev'));
    const prod = parseStackConfig(raw('prod'));
    expect(dev.network.mode).to.equal('default-vpc');
    expect(prod.network.mode).to.equal('subnets');
    expect(prod.workflow.maxPolls).to.equal(8);
  });

  it('names aws:region when it is missing', () => {
    expect(problems({ ...raw('dev'), region: undefined })).to.match(/aws:region: is required/);
  });

  it('names each bad key with its full path, all at once', () => {
    const r = raw('dev');
    const message = problems({
      ...r,
      workflow: { ...(r.workflow as object), maxPolls: 0 },
      settings: { ...r.settings, lambda: { memoryMb: 64 }, logs: { retentionDays: 10 }, ...{ surprise: true } },
    });
    expect(message).to.include("Invalid config for stack 'dev'");
    expect(message).to.match(/audio-reconciliation:lambda\.memoryMb: /);
    expect(message).to.match(/audio-reconciliation:logs\.retentionDays: must be one of 1, 3, 5/);
    expect(message).to.match(/audio-reconciliation:workflow\.maxPolls: /);
    expect(message).to.include('audio-reconciliation: unknown key(s) surprise');
  });

  it('reports a misspelt key instead of ignoring it', async () => {
    let error: unknown;
    try {
      await runProgram('dev', { override: { 'audio-reconciliation:triger': { batchSize: 5 } } });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.include('audio-reconciliation:triger: unknown key');
  });

  it('rejects a Fargate cpu/memory pair AWS would refuse', () => {
    const r = raw('dev');
    const message = problems({ ...r, settings: { ...r.settings, worker: { cpu: 256, memoryMb: 4096 } } });
    expect(message).to.include('audio-reconciliation:worker.memoryMb: must be between 512 and 2048 MiB');
    expect(problems({ ...r, settings: { ...r.settings, worker: { cpu: 300 } } })).to.include('audio-reconciliation:worker.cpu: must be one of 256, 512');
  });

  it('only takes a worker image pinned by digest', () => {
    const r = raw('prod');
    const message = problems({ ...r, settings: { ...r.settings, worker: { image: { uri: 'repo/worker:latest' } } } });
    expect(message).to.include('audio-reconciliation:worker.image');
    const pinned = parseStackConfig({ ...r, settings: { ...r.settings, worker: { image: { uri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/w@sha256:${'b'.repeat(64)}` } } } });
    expect(pinned.worker.image).to.deep.equal({ uri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/w@sha256:${'b'.repeat(64)}` });
  });

  it('requires the network ids in subnets mode and checks their shape', () => {
    const r = raw('prod');
    const message = problems({ ...r, settings: { ...r.settings, network: { mode: 'subnets', vpcId: 'my-vpc', subnetIds: [] } } });
    expect(message).to.include('audio-reconciliation:network.vpcId: must be a VPC id');
    expect(message).to.match(/audio-reconciliation:network\.subnetIds: /);
  });

  it('checks rules that span sections and names both keys', () => {
    const r = raw('dev');
    const message = problems({ ...r, settings: { ...r.settings, worker: { visibilityTimeoutSeconds: 60 } } });
    expect(message).to.include('audio-reconciliation:worker.visibilityTimeoutSeconds: must be at least min(audio-reconciliation:workflow.heartbeatSeconds, 300)');
  });

  it('the program refuses to start without the OCP token and says how to set it', async () => {
    let error: unknown;
    try {
      await runProgram('dev', { withoutToken: true });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.include('audio-reconciliation:ocpApiToken');
    expect((error as Error).message).to.include('pulumi config set --secret ocpApiToken');
  });

  it('the program reports invalid stack config before creating anything', async () => {
    let error: unknown;
    try {
      await runProgram('prod', { override: { 'audio-reconciliation:trigger': { batchSize: 50 } } });
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/audio-reconciliation:trigger\.batchSize: /);
  });
});
