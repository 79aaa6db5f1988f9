import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { projectRoot } from '../../infra/bundle.ts';
import { startFakeEngine } from './support/fake-engine.ts';
import { stackFileConfig, TestToken, TokenKey } from './support/program.ts';


interface ProjectFile {
  name: string;
  main: string;
  runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
}

const project = parse(readFileSync(`${projectRoot}Pulumi.yaml`, 'utf8')) as ProjectFile;
const packageJson = JSON.parse(readFileSync(`${projectRoot}package.json`, 'utf8')) as { type: string };

describe('infra: the program starts the way Pulumi starts it', () => {
  it('declares a nodejs project whose main is ESM TypeScript loaded through tsx', () => {
    expect(project.name).to.equal('audio-reconciliation');
    expect(project.runtime.name).to.equal('nodejs');
    expect(project.runtime.options.typescript).to.equal(false);
    expect(project.runtime.options.nodeargs).to.equal('--import=tsx');
    expect(existsSync(`${projectRoot}${project.main}`)).to.equal(true);
    // With "type": "module" the language host import()s main instead of require()-ing it.
    expect(packageJson.type).to.equal('module');
  });

  it("resolves the nodeargs loader from the project, as node does for --import", () => {
    const loaders = project.runtime.options.nodeargs.split(/\s+/).filter((a) => a.startsWith('--import=')).map((a) => a.slice('--import='.length));
    expect(loaders).to.deep.equal(['tsx']);
    const require = createRequire(`${projectRoot}package.json`);
    for (const loader of loaders) expect(existsSync(require.resolve(loader)), loader).to.equal(true);
  });

  /** What the nodejs language host runs for `pulumi up`: node <nodeargs> <SDK run harness> <flags> <main>. */
  async function pulumiRun(stack: string, config: Record<string, string>, secretKeys: string[]) {
    const engine = await startFakeEngine(project.name, stack);
    const nodeargs = project.runtime.options.nodeargs.split(/\s+/).filter(Boolean);
    const harness = createRequire(`${projectRoot}package.json`).resolve('@pulumi/pulumi/cmd/run/index.js');
    const args = [...nodeargs, harness, `--monitor=${engine.address}`, `--engine=${engine.address}`, `--project=${project.name}`, `--stack=${stack}`, `--pwd=${projectRoot}`, project.main];
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
      PULUMI_NODEJS_TYPESCRIPT: String(project.runtime.options.typescript),
    };
    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        const child = execFile(`${projectRoot}node_modules/.bin/node`, args, { cwd: projectRoot, env, maxBuffer: 10 * 1024 * 1024 }, () => undefined);
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
      return { exitCode, resources: engine.resources, outputs: engine.stackOutputs(), errors: engine.log.filter((l) => l.severity >= 3).map((l) => l.message) };
    } finally {
      await engine.close();
    }
  }

  it("runs index.ts through Pulumi's own run harness, started with the nodeargs, against a stand-in engine", async function () {
    this.timeout(60_000);
    const result = await pulumiRun('dev', { ...stackFileConfig('dev'), [TokenKey]: TestToken }, [TokenKey]);
    expect(result.errors).to.deep.equal([]);
    expect(result.exitCode).to.equal(0);
    expect(result.resources[0]!.type).to.equal('pulumi:pulumi:Stack');
    expect(result.resources.length).to.be.above(50);
    expect(result.outputs?.stateMachineArn).to.equal('arn:aws:states:eu-west-1:123456789012:stateMachine:audio-reconciliation-dev');
  });

  it('fails the run with the missing key named when the OCP token is not set', async function () {
    this.timeout(60_000);
    const result = await pulumiRun('dev', stackFileConfig('dev'), []);
    expect(result.exitCode).to.not.equal(0);
    expect(result.errors.join('\n')).to.include('Missing secret config audio-reconciliation:ocpApiToken');
    expect(result.resources.map((r) => r.type)).to.deep.equal(['pulumi:pulumi:Stack']);
  });
});
