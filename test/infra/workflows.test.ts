import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { projectRoot } from '../../infra/bundle.ts';

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { needs?: string | string[]; environment?: string; steps: Step[]; strategy?: { matrix: Record<string, unknown[]> }; permissions?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, Job> }

const workflow = (file: string) => parse(readFileSync(`${projectRoot}.github/workflows/${file}`, 'utf8')) as Workflow;
const pulumiStep = (job: Job) => job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'));
const stacks = ['dev', 'prod'];

describe('infra: CI workflows', () => {
  it('tests every pull request with the README command, then previews each stack on the PR', () => {
    const pr = workflow('pull-request.yml');
    expect(pr.on).to.have.property('pull_request');
    expect(pr.jobs.test!.steps.map((s) => s.run)).to.include('npm ci && npm test');
    const preview = pr.jobs.preview!;
    expect(preview.needs).to.equal('test');
    expect(preview.strategy!.matrix.stack).to.deep.equal(stacks);
    const step = pulumiStep(preview)!;
    expect(step.with).to.deep.include({ command: 'preview', 'comment-on-pr': true, 'stack-name': '${{ vars.PULUMI_ORG }}/${{ matrix.stack }}' });
    expect(step.env).to.have.property('PULUMI_ACCESS_TOKEN');
    expect(preview.permissions).to.deep.include({ 'pull-requests': 'write', 'id-token': 'write' });
  });

  it('deploys main to dev, then to prod behind the production environment', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on).to.have.property('push').that.deep.equals({ branches: ['main'] });
    expect(deploy.jobs.test!.steps.map((s) => s.run)).to.include('npm ci && npm test');
    const dev = deploy.jobs['up-dev']!;
    const prod = deploy.jobs['up-prod']!;
    expect(dev.needs).to.equal('test');
    expect(prod.needs).to.equal('up-dev');
    expect(prod.environment).to.equal('production');
    expect(pulumiStep(dev)!.with).to.deep.include({ command: 'up', 'stack-name': '${{ vars.PULUMI_ORG }}/dev' });
    expect(pulumiStep(prod)!.with).to.deep.include({ command: 'up', 'stack-name': '${{ vars.PULUMI_ORG }}/prod' });
  });

  it('installs dependencies before every Pulumi step (the action does not)', () => {
    for (const [file, jobs] of [['pull-request.yml', ['preview']], ['deploy.yml', ['up-dev', 'up-prod']]] as const)
      for (const name of jobs) {
        const steps = workflow(file).jobs[name]!.steps;
        const install = steps.findIndex((s) => s.run === 'npm ci');
        const pulumi = steps.findIndex((s) => s.uses?.startsWith('pulumi/actions@'));
        expect(install, `${file} ${name}`).to.be.within(0, pulumi - 1);
      }
  });
});
