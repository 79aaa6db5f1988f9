/**
 * Alarms, the SNS topic they notify, and one dashboard: failed or timed-out executions, any
 * message in a dead-letter queue, Lambda errors and throttles, and a worker queue that is not
 * being drained.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.ts';

export interface MonitoredQueue {
  label: string;
  name: pulumi.Input<string>;
}

export interface MonitoringArgs {
  prefix: string;
  region: string;
  thresholds: StackConfig['alarms'];
  stateMachineArn: pulumi.Input<string>;
  functionNames: Record<string, pulumi.Input<string>>;
  deadLetterQueues: MonitoredQueue[];
  workerQueue: MonitoredQueue;
  worker: { clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string> };
}

export class Monitoring extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[] = [];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:observability:Monitoring', name, {}, opts);
    const t = args.thresholds;
    const topic = new aws.sns.Topic(
      `${name}-alarms`,
      // The AWS managed key lets CloudWatch publish without a key policy of ours.
      { name: `${args.prefix}-alarms`, kmsMasterKeyId: 'alias/aws/sns' },
      { parent: this },
    );
    if (t.email) new aws.sns.TopicSubscription(`${name}-alarms-email`, { topic: topic.arn, protocol: 'email', endpoint: t.email }, { parent: this });

    const alarm = (
      id: string,
      description: string,
      metric: { namespace: string; metricName: string; statistic: 'Sum' | 'Maximum'; dimensions: Record<string, pulumi.Input<string>> },
      threshold: number,
    ) => {
      const a = new aws.cloudwatch.MetricAlarm(
        `${name}-${id}`,
        {
          name: `${args.prefix}-${id}`,
          alarmDescription: description,
          namespace: metric.namespace,
          metricName: metric.metricName,
          statistic: metric.statistic,
          dimensions: metric.dimensions,
          period: t.periodSeconds,
          evaluationPeriods: t.evaluationPeriods,
          threshold,
          comparisonOperator: 'GreaterThanThreshold',
          // No data means nothing happened (no executions, empty queue): not an alarm.
          treatMissingData: 'notBreaching',
          alarmActions: [topic.arn],
          okActions: [topic.arn],
        },
        { parent: this },
      );
      this.alarmNames.push(a.name);
    };

    const sfn = { namespace: 'AWS/States', dimensions: { StateMachineArn: args.stateMachineArn } };
    alarm('executions-failed', 'Reconciliations ended FAILED: see the failure DLQ and the FAILED_* records', { ...sfn, metricName: 'ExecutionsFailed', statistic: 'Sum' }, t.executionsFailed);
    alarm('executions-timed-out', 'Reconciliations hit the state machine timeout', { ...sfn, metricName: 'ExecutionsTimedOut', statistic: 'Sum' }, t.executionsTimedOut);
    for (const q of args.deadLetterQueues)
      alarm(`${q.label}-messages`, `Messages waiting in the ${q.label} dead-letter queue: each is a call someone must look at`, {
        namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum', dimensions: { QueueName: q.name },
      }, t.dlqMessages);
    for (const [fn, functionName] of Object.entries(args.functionNames)) {
      const lambda = { namespace: 'AWS/Lambda', dimensions: { FunctionName: functionName }, statistic: 'Sum' as const };
      alarm(`${fn}-errors`, `The ${fn} Lambda is failing`, { ...lambda, metricName: 'Errors' }, t.lambdaErrors);
      alarm(`${fn}-throttles`, `The ${fn} Lambda is throttled`, { ...lambda, metricName: 'Throttles' }, t.lambdaThrottles);
    }
    alarm('worker-queue-age', 'Download tasks are waiting too long: is the worker service running and scaled?', {
      namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', dimensions: { QueueName: args.workerQueue.name },
    }, t.workerQueueAgeSeconds);

    const dashboardName = `${args.prefix}-reconciliation`;
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName,
        dashboardBody: pulumi
          .all([
            pulumi.output(args.stateMachineArn),
            pulumi.all(args.functionNames),
            pulumi.all(args.deadLetterQueues.map((q) => pulumi.output(q.name))),
            pulumi.output(args.workerQueue.name),
            pulumi.output(args.worker.clusterName),
            pulumi.output(args.worker.serviceName),
          ])
          .apply(([sm, fns, dlqs, workerQueue, cluster, service]) =>
            JSON.stringify(dashboardBody(args.region, { sm, fns, dlqs, workerQueue, cluster, service })),
          ),
      },
      { parent: this },
    );
    this.topicArn = topic.arn;
    this.dashboardName = dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
    this.registerOutputs({ topicArn: this.topicArn, dashboardUrl: this.dashboardUrl });
  }
}

interface DashboardTargets {
  sm: string;
  fns: Record<string, string>;
  dlqs: string[];
  workerQueue: string;
  cluster: string;
  service: string;
}

function dashboardBody(region: string, d: DashboardTargets) {
  const widget = (title: string, metrics: unknown[][], x: number, y: number, stat = 'Sum') => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, stat, period: 300, view: 'timeSeries', metrics },
  });
  const fnMetric = (metricName: string) => Object.values(d.fns).map((fn) => ['AWS/Lambda', metricName, 'FunctionName', fn]);
  return {
    widgets: [
      widget('Executions', ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((m) => ['AWS/States', m, 'StateMachineArn', d.sm]), 0, 0),
      widget('Messages in dead-letter queues', d.dlqs.map((q) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', q]), 12, 0, 'Maximum'),
      widget('Lambda errors', fnMetric('Errors'), 0, 6),
      widget('Lambda throttles', fnMetric('Throttles'), 12, 6),
      widget('Worker queue', [
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', d.workerQueue],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', d.workerQueue],
      ], 0, 12, 'Maximum'),
      widget('Worker CPU and memory', [
        ['AWS/ECS', 'CPUUtilization', 'ClusterName', d.cluster, 'ServiceName', d.service],
        ['AWS/ECS', 'MemoryUtilization', 'ClusterName', d.cluster, 'ServiceName', d.service],
      ], 12, 12, 'Average'),
    ],
  };
}
