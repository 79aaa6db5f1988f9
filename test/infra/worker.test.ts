import { expect } from 'chai';
import { projectRoot } from '../../infra/bundle.ts';
import { readFileSync } from 'node:fs';
import { readWorkerConfig } from '../../container/src/config.ts';
import { parse } from 'yaml';
import { WorkerBuildDefaults } from '../../infra/config.ts';
import { ecrRepositoryArn, egressPorts, WorkerHealthCheck, WorkerHealthProbe, workerDrainSeconds } from '../../infra/worker.ts';
import { Env } from '../../system/functions.ts';
import { one, ofType, runProgram, stackRun, type ProgramRun } from './support/program.ts';
import { resourcesFor, role } from './support/policies.ts';

interface ContainerDefinition {
  name: string;
  image: string;
  essential: boolean;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  readonlyRootFilesystem: boolean;
  mountPoints: unknown[];
  healthCheck: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
  command?: string[];
  entryPoint?: string[];
}

const dockerfile = () => readFileSync(`${projectRoot}container/Dockerfile`, 'utf8');

/** The Dockerfile's HEALTHCHECK as ECS spells it: `['CMD', ...]` and the timings in seconds. */
function dockerfileHealthCheck(text: string) {
  const line = /^HEALTHCHECK\s+(.*)$/m.exec(text)?.[1];
  expect(line, 'container/Dockerfile has a HEALTHCHECK').to.be.a('string');
  const seconds = (flag: string) => {
    const m = new RegExp(`--${flag}=(\\d+)s\\b`).exec(line!);
    expect(m, `HEALTHCHECK --${flag}=<n>s`).to.not.equal(null);
    return Number(m![1]);
  };
  const retries = /--retries=(\d+)/.exec(line!);
  const exec = /\bCMD\s+(\[.*\])\s*$/.exec(line!);
  expect(retries, 'HEALTHCHECK --retries').to.not.equal(null);
  expect(exec, 'HEALTHCHECK CMD in exec form').to.not.equal(null);
  return {
    command: ['CMD', ...(JSON.parse(exec![1]!) as string[])],
    interval: seconds('interval'),
    timeout: seconds('timeout'),
    retries: Number(retries![1]),
    startPeriod: seconds('start-period'),
  };
}

/** Paths a `*`-then-`!allow` dockerignore admits (the only form Dockerfile.dockerignore uses). */
function admittedBy(ignoreFile: string) {
  const lines = ignoreFile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(lines[0], 'the dockerignore starts by excluding everything').to.equal('*');
  const allow = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
  return (path: string) => allow.some((a) => path === a || path.startsWith(`${a}/`));
}

function container(run: ProgramRun): ContainerDefinition {
  const defs = JSON.parse(String(one(run, 'aws:ecs/taskDefinition:TaskDefinition', 'worker-task').inputs.containerDefinitions)) as ContainerDefinition[];
  expect(defs).to.have.length(1);
  return defs[0]!;
}

const sizes = { dev: { cpu: '512', memory: '1024', desired: 1 }, prod: { cpu: '1024', memory: '2048', desired: 3 } };

for (const stack of ['dev', 'prod'] as const) {
  describe(`infra: download worker (${stack})`, () => {
    let run: ProgramRun;
    before(async function () {
      this.timeout(60_000);
      run = await stackRun(stack);
    });

    it('keeps images in an immutable, scanned, encrypted ECR repository and builds container/ for arm64', () => {
      const repo = one(run, 'aws:ecr/repository:Repository', 'worker-repository');
      expect(repo.inputs).to.deep.include({ imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
      const image = one(run, 'awsx:ecr:Image', 'worker-image').inputs;
      expect(image).to.deep.include({ repositoryUrl: repo.state.repositoryUrl, context: projectRoot.replace(/\/$/, ''), platform: 'linux/arm64' });
      expect(image.dockerfile).to.equal(`${projectRoot}container/Dockerfile`);
      expect(container(run).image).to.equal(run.outputs.workerImageUri).and.to.match(/@sha256:[0-9a-f]{64}$/);
    });

    it('runs a Fargate ARM64 task sized from config, with a stop timeout for draining', () => {
      const td = one(run, 'aws:ecs/taskDefinition:TaskDefinition', 'worker-task').inputs;
      expect(td).to.deep.include({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: sizes[stack].cpu, memory: sizes[stack].memory });
      expect(td.runtimePlatform).to.deep.equal({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
      expect(td.taskRoleArn).to.equal(one(run, 'aws:iam/role:Role', 'worker-task-role').state.arn);
      expect(td.executionRoleArn).to.equal(one(run, 'aws:iam/role:Role', 'worker-execution-role').state.arn);
      const c = container(run);
      expect(c.stopTimeout).to.equal(120);
      const env = Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
      expect(Number(env[Env.workerStopTimeoutSeconds])).to.be.below(c.stopTimeout);
      expect(c.logConfiguration.logDriver).to.equal('awslogs');
      expect(c.readonlyRootFilesystem).to.equal(true);
      expect(c.mountPoints).to.deep.equal([{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }]);
      expect(td.volumes).to.deep.equal([{ name: 'tmp' }]);
      expect(c.healthCheck).to.deep.equal({ command: ['CMD', 'node', '/app/healthcheck.mjs'], interval: 30, timeout: 5, retries: 3, startPeriod: 30 });
      // The image's CMD (node --max-semi-space-size=1 /app/main.mjs) must run as built: no override here.
      expect(c).to.not.have.any.keys('command', 'entryPoint');
      expect(c.logConfiguration.options['awslogs-group']).to.equal(one(run, 'aws:cloudwatch/logGroup:LogGroup', 'worker-logs').inputs.name);
    });

    it('tells the worker its queue, DLQ, bucket, allowed hosts and heartbeat', () => {
      const env = Object.fromEntries(container(run).environment.map((e) => [e.name, e.value]));
      expect(env).to.deep.include({
        [Env.workerQueueUrl]: one(run, 'aws:sqs/queue:Queue', 'queues-worker').state.url,
        [Env.workerDeadLetterQueueUrl]: one(run, 'aws:sqs/queue:Queue', 'queues-worker-dlq').state.url,
        [Env.bucketName]: one(run, 'aws:s3/bucket:Bucket', 'recordings-bucket').state.bucket,
        [Env.allowedDownloadHosts]: stack === 'dev' ? 'exports.ocp-sandbox.example.com' : 'exports.ocp.example.com',
        [Env.heartbeatIntervalSeconds]: stack === 'dev' ? '600' : '300',
        [Env.workerVisibilitySeconds]: '600',
        [Env.downloadPrivateAddresses]: 'deny',
        AWS_REGION: 'eu-west-1',
      });
      expect(env).to.not.have.property(Env.ocpTokenSecretArn);
    });

    it("gives the worker an environment its own config reader accepts, with the stack's values", () => {
      const env = Object.fromEntries(container(run).environment.map((e) => [e.name, e.value]));
      const config = readWorkerConfig(env);
      expect(config.queueUrl).to.equal(one(run, 'aws:sqs/queue:Queue', 'queues-worker').state.url);
      expect(config.deadLetterQueueUrl).to.equal(one(run, 'aws:sqs/queue:Queue', 'queues-worker-dlq').state.url);
      expect(config.allowedOrigins.map((o) => `${o.protocol}//${o.hostname}:${o.port}`)).to.deep.equal([
        stack === 'dev' ? 'https://exports.ocp-sandbox.example.com:443' : 'https://exports.ocp.example.com:443',
      ]);
      expect(config.privateAddresses).to.equal('deny');
      expect(config.concurrency).to.equal(stack === 'dev' ? 2 : 4);
      expect(config.stopTimeoutSeconds).to.be.below(container(run).stopTimeout);
      expect(config.logLevel).to.equal(stack === 'dev' ? 'debug' : 'info');
    });

    it('runs the service in the configured subnets behind an egress-only security group', () => {
      const svc = one(run, 'aws:ecs/service:Service', 'worker-service').inputs;
      expect(svc).to.deep.include({ launchType: 'FARGATE', desiredCount: sizes[stack].desired, deploymentCircuitBreaker: { enable: true, rollback: true } });
      const net = svc.networkConfiguration as { subnets: string[]; assignPublicIp: boolean; securityGroups: string[] };
      expect(net.subnets).to.deep.equal(stack === 'dev' ? ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'] : ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722', 'subnet-0a1b2c3d4e5f60733']);
      expect(net.assignPublicIp).to.equal(stack === 'dev');
      const sg = one(run, 'aws:ec2/securityGroup:SecurityGroup', 'worker-sg').inputs;
      expect(sg.ingress ?? []).to.deep.equal([]);
      expect((sg.egress as { fromPort: number }[]).map((e) => e.fromPort)).to.deep.equal([443]);
      expect(sg.vpcId).to.equal(stack === 'dev' ? 'vpc-0default0000000000' : 'vpc-0a1b2c3d4e5f60718');
      expect(run.invokes.includes('aws:ec2/getVpc:getVpc'), 'default VPC looked up only in dev').to.equal(stack === 'dev');
    });
  });
}

describe('infra: download worker with a pinned image', () => {
  it('deploys the given digest without building, and pulls only from its repository', async function () {
    this.timeout(60_000);
    const uri = `210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/worker@sha256:${'c'.repeat(64)}`;
    const run = await runProgram('prod', { override: { 'audio-reconciliation:worker': { cpu: 1024, memoryMb: 2048, image: { uri } } } });
    expect(ofType(run, 'awsx:ecr:Image')).to.have.length(0);
    expect(container(run).image).to.equal(uri);
    expect(resourcesFor(role(run, 'worker-execution'), 'ecr:BatchGetImage')).to.deep.equal(['arn:aws:ecr:eu-west-1:210987654321:repository/shared/worker']);
  });
});

describe('infra: worker image built from the repository root by default', () => {
  it('builds with context = the repository root and container/Dockerfile when the stack names no image', async function () {
    this.timeout(60_000);
    const run = await runProgram('dev', { override: { 'audio-reconciliation:worker': { cpu: 512, memoryMb: 1024 } } });
    const image = one(run, 'awsx:ecr:Image', 'worker-image').inputs;
    expect(image.context).to.equal(projectRoot.replace(/\/$/, ''));
    expect(image.dockerfile).to.equal(`${projectRoot}container/Dockerfile`);
  });

  it('sets the same build in both stack files', () => {
    for (const stack of ['dev', 'prod']) {
      const doc = parse(readFileSync(`${projectRoot}Pulumi.${stack}.yaml`, 'utf8')) as { config: Record<string, { image?: unknown }> };
      expect(doc.config['audio-reconciliation:worker']!.image, stack).to.deep.equal({ build: { ...WorkerBuildDefaults } });
    }
  });

  it("sends the build every path container/Dockerfile copies, through the Dockerfile.dockerignore beside it", () => {
    const admits = admittedBy(readFileSync(`${projectRoot}container/Dockerfile.dockerignore`, 'utf8'));
    const sources = [...dockerfile().matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    expect(sources).to.include.members(['system', 'runtime', 'container', 'package.json']);
    for (const source of sources) expect(admits(source.replace(/^\.\//, '')), source).to.equal(true);
  });
});

describe('infra: worker helpers', () => {
  it("probes health with the script container/Dockerfile installs", () => {
    expect(dockerfile()).to.include(`"${WorkerHealthProbe}"`);
  });

  it("repeats the Dockerfile's HEALTHCHECK (probe and timings) in the task definition", () => {
    expect({ ...WorkerHealthCheck, command: [...WorkerHealthCheck.command] }).to.deep.equal(dockerfileHealthCheck(dockerfile()));
  });

  it('opens egress on 443 plus each explicit download port', () => {
    expect(egressPorts(['a.example.com'])).to.deep.equal([443]);
    expect(egressPorts(['a.example.com:8443', 'b.example.com:443', 'c.example.com:8443'])).to.deep.equal([443, 8443]);
  });

  it('reads the repository of an ECR image and nothing from other registries', () => {
    expect(ecrRepositoryArn(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/w@sha256:${'d'.repeat(64)}`)).to.equal('arn:aws:ecr:us-east-1:123456789012:repository/team/w');
    expect(ecrRepositoryArn(`ghcr.io/org/w@sha256:${'d'.repeat(64)}`)).to.equal(undefined);
  });

  it('drains the worker before ECS kills it', () => {
    for (const stop of [2, 10, 30, 120]) {
      expect(workerDrainSeconds(stop)).to.be.below(stop);
      expect(workerDrainSeconds(stop)).to.be.at.least(1);
    }
    expect(workerDrainSeconds(120)).to.equal(105);
  });
});
