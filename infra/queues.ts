/**
 * The queues, from the shared specs in system/resources.ts: the input queue and the worker
 * queue each redrive to their own dead-letter queue, and the failure queue collects every call
 * the workflow gave up on. All use SQS-managed encryption, so producers and consumers need no
 * KMS grants.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { queueSpecs, resourceName, type QueueSizing, type QueueSpec } from '../system/resources.ts';

export interface QueueRef {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  url: pulumi.Output<string>;
}

export interface ReconciliationQueuesArgs {
  /** Stack prefix for physical names (`<prefix>-input`, ...). */
  prefix: string;
  sizing: QueueSizing;
}

export class ReconciliationQueues extends pulumi.ComponentResource {
  readonly input: QueueRef;
  readonly inputDlq: QueueRef;
  readonly worker: QueueRef;
  readonly workerDlq: QueueRef;
  readonly failure: QueueRef;

  constructor(name: string, args: ReconciliationQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:messaging:ReconciliationQueues', name, {}, opts);
    const specs = queueSpecs(args.sizing);
    const [input, inputDlq] = this.queueWithDlq(name, args.prefix, specs.input);
    const [worker, workerDlq] = this.queueWithDlq(name, args.prefix, specs.worker);
    this.input = input;
    this.inputDlq = inputDlq;
    this.worker = worker;
    this.workerDlq = workerDlq;
    this.failure = this.queue(name, args.prefix, specs.failure.suffix, {
      visibilityTimeoutSeconds: specs.failure.visibilityTimeoutSeconds,
      messageRetentionSeconds: specs.failure.messageRetentionSeconds,
    });
    this.registerOutputs({
      inputUrl: this.input.url,
      inputDlqUrl: this.inputDlq.url,
      workerUrl: this.worker.url,
      workerDlqUrl: this.workerDlq.url,
      failureUrl: this.failure.url,
    });
  }

  private queueWithDlq(name: string, prefix: string, spec: QueueSpec): [QueueRef, QueueRef] {
    if (!spec.deadLetter) throw new Error(`Queue spec '${spec.suffix}' has no dead-letter queue; system/resources.ts must define one`);
    const dlq = this.queue(name, prefix, spec.deadLetter.suffix, {
      // A DLQ keeps messages longer than its source, or they could expire before anyone looks.
      messageRetentionSeconds: 14 * 24 * 3600,
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
    });
    const main = this.queue(name, prefix, spec.suffix, {
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
      messageRetentionSeconds: spec.messageRetentionSeconds,
      redrivePolicy: dlq.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: spec.deadLetter?.maxReceiveCount })),
    });
    return [main, dlq];
  }

  private queue(
    name: string,
    prefix: string,
    suffix: string,
    settings: Pick<aws.sqs.QueueArgs, 'visibilityTimeoutSeconds' | 'messageRetentionSeconds' | 'redrivePolicy'>,
  ): QueueRef {
    const queue = new aws.sqs.Queue(
      `${name}-${suffix}`,
      {
        name: resourceName(prefix, suffix),
        sqsManagedSseEnabled: true,
        // Long polling by default: fewer empty receives for the worker.
        receiveWaitTimeSeconds: 20,
        ...settings,
      },
      { parent: this },
    );
    // Refuse plain-HTTP access, whoever the caller is.
    new aws.sqs.QueuePolicy(
      `${name}-${suffix}-tls-only`,
      {
        queueUrl: queue.url,
        policy: queue.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: arn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            ],
          }),
        ),
      },
      { parent: this },
    );
    return { name: queue.name, arn: queue.arn, url: queue.url };
  }
}
