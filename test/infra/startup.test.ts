import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { projectRoot } from '../../infra/bundle.ts';
import { stackFileConfig, TestToken, TokenKey } from './support/program.ts';

const run = promisify(execFile);

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

  it('runs index.ts in a fresh Node 24 started with the nodeargs, config from PULUMI_CONFIG', async function () {
    this.timeout(60_000);
    const config = { ...stackFileConfig('dev'), [TokenKey]: TestToken };
    const nodeargs = project.runtime.options.nodeargs.split(/\s+/).filter(Boolean);
    const { stdout } = await run(`${projectRoot}node_modules/.bin/node`, [...nodeargs, 'test/infra/support/start-program.ts', 'dev', project.main], {
      cwd: projectRoot,
      env: { ...process.env, PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify([TokenKey]) },
      maxBuffer: 10 * 1024 * 1024,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { node: string; registered: number; outputs: Record<string, unknown> };
    expect(result.node).to.match(/^v24\./);
    expect(result.registered).to.be.above(50);
    expect(result.outputs.stateMachineArn).to.equal('arn:aws:states:eu-west-1:123456789012:stateMachine:audio-reconciliation-dev');
  });
});
