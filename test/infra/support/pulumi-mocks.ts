/**
 * Runs the Pulumi program in process under `pulumi.runtime.setMocks`: every resource the program
 * registers is recorded with its fully resolved inputs, and gets back a plausible state (ARNs,
 * names, URLs shaped like AWS's) so dependent resources see realistic values.
 */
import * as pulumi from '@pulumi/pulumi';
// Not part of the public surface, but it is what `pulumi up` itself awaits before exiting: the
// point at which every registration the program started has reached the (mock) monitor.
// It is marked @internal, hence the cast.
import * as runtimeSettings from '@pulumi/pulumi/runtime/settings.js';

const { waitForRPCs } = runtimeSettings as unknown as { waitForRPCs(): Promise<void> };

export const Project = 'audio-reconciliation';
export const Region = 'eu-west-1';
export const Account = '123456789012';

export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}

function physicalName(args: pulumi.runtime.MockResourceArgs): string {
  const inputs = args.inputs as Record<string, unknown>;
  for (const key of ['name', 'dashboardName', 'family'] as const) if (typeof inputs[key] === 'string') return inputs[key];
  return args.name;
}

/** State AWS would report for a new resource: enough for ARNs and URLs to flow onward. */
export function stateFor(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, unknown>;
  const name = physicalName(args);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${Region}:${Account}:${resource}`;
  const extra = ((): Record<string, unknown> => {
    switch (args.type) {
      case 'aws:lambda/function:Function':
        return { name, arn: arn('lambda', `function:${name}`), invokeArn: `arn:aws:apigateway:${Region}:lambda:path/functions/${arn('lambda', `function:${name}`)}/invocations` };
      case 'aws:dynamodb/table:Table':
        return { name, arn: arn('dynamodb', `table/${name}`) };
      case 'aws:sqs/queue:Queue':
        return { name, arn: arn('sqs', name), url: `https://sqs.${Region}.amazonaws.com/${Account}/${name}` };
      case 'aws:s3/bucket:Bucket': {
        const bucket = `${String(inputs.bucketPrefix ?? name)}20261125000000000001`;
        return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}` };
      }
      case 'aws:sfn/stateMachine:StateMachine':
        return { name, arn: arn('states', `stateMachine:${name}`) };
      case 'aws:iam/role:Role':
        return { name, arn: `arn:aws:iam::${Account}:role/${name}` };
      case 'aws:cloudwatch/logGroup:LogGroup':
        return { name, arn: arn('logs', `log-group:${name}`) };
      case 'aws:secretsmanager/secret:Secret':
        return { name, arn: arn('secretsmanager', `secret:${name}-Ab12Cd`) };
      case 'aws:ecr/repository:Repository':
        return { name, arn: arn('ecr', `repository/${name}`), repositoryUrl: `${Account}.dkr.ecr.${Region}.amazonaws.com/${name}` };
      case 'awsx:ecr:Image':
        return { imageUri: `${String(inputs.repositoryUrl)}@sha256:${'a'.repeat(64)}` };
      case 'aws:ecs/cluster:Cluster':
        return { name, arn: arn('ecs', `cluster/${name}`) };
      case 'aws:ecs/taskDefinition:TaskDefinition':
        return { arn: arn('ecs', `task-definition/${name}:1`) };
      case 'aws:ecs/service:Service':
        return { name };
      case 'aws:sns/topic:Topic':
        return { name, arn: arn('sns', name) };
      case 'aws:cloudwatch/metricAlarm:MetricAlarm':
        return { name, arn: arn('cloudwatch', `alarm:${name}`) };
      case 'aws:cloudwatch/dashboard:Dashboard':
        return { dashboardName: name, dashboardArn: `arn:aws:cloudwatch::${Account}:dashboard/${name}` };
      case 'aws:ec2/securityGroup:SecurityGroup':
        return { id: 'sg-0123456789abcdef0' };
      default:
        return {};
    }
  })();
  const id = typeof extra.id === 'string' ? extra.id : `${name}-id`;
  return { id, state: { ...inputs, ...extra } };
}

export const calls: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  'aws:index/getCallerIdentity:getCallerIdentity': () => ({ accountId: Account, arn: `arn:aws:iam::${Account}:user/deployer`, userId: 'AIDAEXAMPLE', id: Account }),
  'aws:index/getRegion:getRegion': () => ({ name: Region, region: Region, id: Region }),
  'aws:ec2/getVpc:getVpc': () => ({ id: 'vpc-0default0000000000', cidrBlock: '172.31.0.0/16' }),
  'aws:ec2/getSubnets:getSubnets': () => ({ ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'], id: 'subnets' }),
};

export interface MockRun {
  resources: MockedResource[];
  invokes: string[];
}

/** Installs fresh mocks for one stack; the returned run fills in as the program registers resources. */
export async function installMocks(stack: string): Promise<MockRun> {
  const run: MockRun = { resources: [], invokes: [] };
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const { id, state } = stateFor(args);
        run.resources.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, state });
        return { id, state };
      },
      call(args) {
        run.invokes.push(args.token);
        const handler = calls[args.token];
        if (!handler) throw new Error(`No mock for invoke ${args.token}: add one to test/infra/support/pulumi-mocks.ts`);
        return handler(args.inputs as Record<string, unknown>);
      },
    },
    Project,
    stack,
    false,
  );
  return run;
}

/** Resolves an output's value (outputs under mocks are known, never unknown). */
export function valueOf<T>(output: pulumi.Output<T> | T): Promise<T> {
  if (!pulumi.Output.isInstance(output)) return Promise.resolve(output as T);
  return new Promise((resolve) => (output as pulumi.Output<T>).apply((v) => { resolve(v); return v; }));
}

/** Deeply resolves a module's exports (stack outputs), then waits for every registration to land. */
export async function settle(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved = (await valueOf(pulumi.output(exports))) as Record<string, unknown>;
  await waitForRPCs();
  return resolved;
}
