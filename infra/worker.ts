/**
 * The download worker on Fargate: ECR repository and image, cluster, task definition and
 * service, a task role limited to its queue, its slice of the bucket and the task-token
 * callbacks, an execution role that can only pull its image and write its logs.
 */
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { isAbsolute, join } from 'node:path';
import { Env } from '../system/functions.ts';
import type { StackConfig } from './config.ts';
import { logGroupWrite, serviceRole, type Permission } from './iam.ts';
import type { WorkerNetwork } from './network.ts';

export interface WorkerArgs {
  prefix: string;
  region: string;
  accountId: pulumi.Input<string>;
  /** Absolute path the image build context is resolved against. */
  projectRoot: string;
  settings: StackConfig['worker'];
  network: WorkerNetwork;
  queue: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
  /** Where the worker moves malformed messages itself (they can never succeed, so no redrive wait). */
  deadLetterQueue: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
  bucket: { name: pulumi.Input<string>; recordingsArn: pulumi.Input<string> };
  stateMachineArn: pulumi.Input<string>;
  allowedDownloadHosts: string[];
  /** The workflow's heartbeat timeout; the worker heartbeats well inside it. */
  heartbeatSeconds: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  logRetentionDays: number;
  allowDestroy: boolean;
}

/** Ports the worker may open outbound: HTTPS for AWS APIs, plus each allowed download host's port. */
export function egressPorts(allowedDownloadHosts: string[]): number[] {
  const ports = new Set<number>([443]);
  for (const host of allowedDownloadHosts) {
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port) ports.add(Number(port));
  }
  return [...ports].sort((a, b) => a - b);
}

/** The health probe container/Dockerfile puts in the image (it reads the worker's health file). */
export const WorkerHealthProbe = '/app/healthcheck.mjs';

/**
 * ECS ignores the image's HEALTHCHECK, so the task definition repeats it: same probe, same timings
 * (seconds) as container/Dockerfile. The probe is plain `node`: the heap flags of the
 * image's CMD are for the worker process, which the task definition leaves to the image (no command).
 */
export const WorkerHealthCheck = {
  command: ['CMD', 'node', WorkerHealthProbe],
  interval: 30,
  timeout: 5,
  retries: 3,
  startPeriod: 30,
} as const;

/** How long the worker drains after SIGTERM: ECS's stop timeout minus a margin for the last callbacks. */
export function workerDrainSeconds(stopTimeoutSeconds: number): number {
  return Math.max(1, stopTimeoutSeconds - Math.min(15, Math.ceil(stopTimeoutSeconds / 4)));
}

/** ECR repository ARN for a pinned image in ECR, so the execution role can pull only that repository. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)/.exec(imageUri);
  return m ? `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

export class DownloadWorker extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly imageUri: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:worker:DownloadWorker', name, {}, opts);
    const parent = { parent: this };
    const s = args.settings;

    const repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: `${args.prefix}-worker`,
        // Tags cannot be moved, so a deployed digest always means the same bytes.
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        forceDelete: args.allowDestroy,
      },
      parent,
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-repository-lifecycle`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            { rulePriority: 1, description: 'Keep the last 20 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 }, action: { type: 'expire' } },
          ],
        }),
      },
      parent,
    );

    let imageUri: pulumi.Output<string>;
    let pullFrom: pulumi.Input<string> | undefined;
    if ('uri' in s.image) {
      imageUri = pulumi.output(s.image.uri);
      pullFrom = ecrRepositoryArn(s.image.uri);
    } else {
      const context = isAbsolute(s.image.build.context) ? s.image.build.context : join(args.projectRoot, s.image.build.context);
      const image = new awsx.ecr.Image(
        `${name}-image`,
        {
          repositoryUrl: repository.repositoryUrl,
          context,
          dockerfile: s.image.build.dockerfile ? join(args.projectRoot, s.image.build.dockerfile) : undefined,
          platform: 'linux/arm64',
        },
        parent,
      );
      imageUri = image.imageUri;
      pullFrom = repository.arn;
    }

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/ecs/${args.prefix}-worker`, retentionInDays: args.logRetentionDays },
      parent,
    );

    const executionPermissions: Permission[] = [logGroupWrite('WriteWorkerLogs', logGroup.arn)];
    if (pullFrom) {
      // GetAuthorizationToken acts on the registry, not a repository: AWS only accepts "*".
      executionPermissions.push({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
      executionPermissions.push({ sid: 'PullWorkerImage', actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], resources: [pullFrom] });
    }
    const executionRole = serviceRole(
      `${name}-execution`,
      { service: 'ecs-tasks.amazonaws.com', accountId: args.accountId, permissions: executionPermissions, description: 'Pulls the worker image and writes its logs' },
      this,
    );

    const taskRole = serviceRole(
      `${name}-task`,
      {
        service: 'ecs-tasks.amazonaws.com',
        accountId: args.accountId,
        description: 'What the download worker may do',
        permissions: [
          { sid: 'ConsumeDownloadTasks', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], resources: [args.queue.arn] },
          { sid: 'RejectMalformedTasks', actions: ['sqs:SendMessage'], resources: [args.deadLetterQueue.arn] },
          { sid: 'StoreRecordings', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [args.bucket.recordingsArn] },
          // After the upload the worker rewrites the object's metadata with its sha256 by copying it onto
          // itself (a copy reads its source), and removes a recording whose task can no longer report.
          { sid: 'FinishRecordings', actions: ['s3:GetObject', 's3:DeleteObject'], resources: [args.bucket.recordingsArn] },
          // Task tokens are checked against the execution's state machine, so this ARN is the scope.
          { sid: 'ReportDownloads', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: [args.stateMachineArn] },
        ],
      },
      this,
    );

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { name: `${args.prefix}-worker`, settings: [{ name: 'containerInsights', value: 'enabled' }] },
      parent,
    );

    const environment: Record<string, pulumi.Input<string>> = {
      AWS_REGION: args.region,
      [Env.workerQueueUrl]: args.queue.url,
      [Env.bucketName]: args.bucket.name,
      [Env.allowedDownloadHosts]: args.allowedDownloadHosts.join(','),
      [Env.workerConcurrency]: String(s.concurrency),
      [Env.workerDeadLetterQueueUrl]: args.deadLetterQueue.url,
      [Env.heartbeatIntervalSeconds]: String(args.heartbeatSeconds),
      [Env.workerVisibilitySeconds]: String(s.visibilityTimeoutSeconds),
      // The worker must be done draining before ECS sends SIGKILL at stopTimeout.
      [Env.workerStopTimeoutSeconds]: String(workerDrainSeconds(s.stopTimeoutSeconds)),
      [Env.maxUncompressedBytes]: String(s.maxUncompressedBytes),
      // Export URLs are public OCP hosts; private ranges (the VPC, the metadata endpoint) are refused.
      [Env.downloadPrivateAddresses]: 'deny',
      [Env.logLevel]: args.logLevel,
      [Env.serviceName]: 'download-worker',
    };
    const containerDefinitions = pulumi
      .all([imageUri, pulumi.all(environment), logGroup.name])
      .apply(([image, env, logGroupName]) =>
        JSON.stringify([
          {
            name: 'worker',
            image,
            essential: true,
            // SIGTERM first; the worker stops polling and hands unfinished tasks back within this window.
            stopTimeout: s.stopTimeoutSeconds,
            environment: Object.entries(env)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([n, value]) => ({ name: n, value })),
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': logGroupName, 'awslogs-region': args.region, 'awslogs-stream-prefix': 'worker', mode: 'non-blocking' },
            },
            // Nothing in the image changes at run time; the worker writes only its health file, under /tmp.
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
            // ECS ignores the image's HEALTHCHECK; the same probe here lets ECS replace a stuck worker.
            healthCheck: { ...WorkerHealthCheck, command: [...WorkerHealthCheck.command] },
          },
        ]),
      );

    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${args.prefix}-worker`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(s.cpu),
        memory: String(s.memoryMb),
        runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        volumes: [{ name: 'tmp' }],
      },
      parent,
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        description: 'Download worker: no inbound; outbound to AWS APIs and the allowed download hosts only',
        vpcId: args.network.vpcId,
        egress: egressPorts(args.allowedDownloadHosts).map((port) => ({
          description: port === 443 ? 'HTTPS to AWS APIs and OCP' : `OCP downloads on port ${port}`,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrBlocks: ['0.0.0.0/0'],
        })),
      },
      parent,
    );

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: `${args.prefix}-worker`,
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: s.desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: {
          subnets: args.network.subnetIds,
          securityGroups: [securityGroup.id],
          assignPublicIp: args.network.assignPublicIp,
        },
        // A task that cannot start is rolled back instead of retried forever.
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: 'SERVICE',
        enableExecuteCommand: false,
      },
      { parent: this, dependsOn: [taskRole.policy, executionRole.policy] },
    );

    this.repositoryUrl = repository.repositoryUrl;
    this.imageUri = imageUri;
    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.taskRoleArn = taskRole.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri, serviceName: this.serviceName });
  }
}
