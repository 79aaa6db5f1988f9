/**
 * One Lambda handler: its bundle, its own role (only what that handler touches), its log group
 * with retention, X-Ray tracing, and optionally the SQS event source mapping that feeds it.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Env, type FunctionName } from '../system/functions.ts';
import { BundleHandler, type FunctionBundle } from './bundle.ts';
import { logGroupWrite, serviceRole, XRayWrite, type Permission } from './iam.ts';

export interface QueueEventSource {
  queueArn: pulumi.Input<string>;
  batchSize: number;
  maximumConcurrency: number;
}

export interface HandlerFunctionArgs {
  handler: FunctionName;
  functionName: string;
  bundle: Promise<FunctionBundle>;
  accountId: pulumi.Input<string>;
  permissions: Permission[];
  environment: Record<string, pulumi.Input<string>>;
  memoryMb: number;
  timeoutSeconds: number;
  architecture: 'arm64' | 'x86_64';
  logRetentionDays: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  eventSource?: QueueEventSource;
}

export class HandlerFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:compute:HandlerFunction', name, {}, opts);
    const parent = { parent: this };

    // Created before the function so Lambda never auto-creates it without a retention period.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays },
      parent,
    );

    const permissions: Permission[] = [logGroupWrite('WriteOwnLogs', logGroup.arn), XRayWrite, ...args.permissions];
    if (args.eventSource)
      permissions.push({
        sid: 'ConsumeSourceQueue',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [args.eventSource.queueArn],
      });
    const role = serviceRole(
      name,
      { service: 'lambda.amazonaws.com', accountId: args.accountId, permissions, description: `Runs the ${args.handler} Lambda` },
      this,
    );

    const code = pulumi.output(args.bundle).apply(
      (b) =>
        new pulumi.asset.AssetArchive({
          [b.fileName]: new pulumi.asset.StringAsset(b.code),
          [`${b.fileName}.map`]: new pulumi.asset.StringAsset(b.sourceMap),
        }),
    );

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: `audio-reconciliation ${args.handler} handler`,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: [args.architecture],
        handler: BundleHandler,
        code,
        role: role.arn,
        memorySize: args.memoryMb,
        timeout: args.timeoutSeconds,
        tracingConfig: { mode: 'Active' },
        loggingConfig: {
          logFormat: 'JSON',
          logGroup: logGroup.name,
          applicationLogLevel: args.logLevel,
          systemLogLevel: 'WARN',
        },
        environment: {
          variables: {
            ...args.environment,
            [Env.serviceName]: args.handler,
            [Env.logLevel]: args.logLevel,
            // Stack traces through the bundle's source map point at runtime/*.ts lines.
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      },
      // The policy must be attached before the first invocation.
      { parent: this, dependsOn: [logGroup, role.policy] },
    );

    if (args.eventSource)
      new aws.lambda.EventSourceMapping(
        `${name}-source`,
        {
          eventSourceArn: args.eventSource.queueArn,
          functionName: this.function.arn,
          batchSize: args.eventSource.batchSize,
          // Failed messages are retried alone; the rest of the batch is deleted.
          functionResponseTypes: ['ReportBatchItemFailures'],
          scalingConfig: { maximumConcurrency: args.eventSource.maximumConcurrency },
        },
        // AWS checks the role can read the queue when the mapping is created.
        { parent: this, dependsOn: [role.policy] },
      );

    this.arn = this.function.arn;
    this.name = this.function.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ arn: this.arn, name: this.name, roleArn: this.roleArn });
  }
}
