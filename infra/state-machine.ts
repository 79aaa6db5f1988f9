/**
 * The reconciliation state machine: the DSL's ASL with the real ARNs, a role derived from the
 * graph's own list of what it touches (so the role cannot drift from the definition), execution
 * logs at the configured level, and X-Ray tracing.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { WorkflowResources } from '../workflow/config.ts';
import { policyJson, trustPolicy, XRayWrite, type Permission } from './iam.ts';

/** A permission the graph needs, as the DSL reports it. */
export interface GraphPermission {
  actions: string[];
  resources: string[];
}

/** The workflow rendered for one set of deployed resources. */
export interface RenderedWorkflow {
  definition: string;
  permissions: GraphPermission[];
}

export type WorkflowRenderer = (resources: WorkflowResources) => RenderedWorkflow;

/** WorkflowResources whose values (ARNs, names, URLs) resolve at deploy time. */
export type DeployedInputs<T> = { [K in keyof T]: T[K] extends string | undefined ? pulumi.Input<T[K]> : DeployedInputs<T[K]> };

export interface ReconciliationStateMachineArgs {
  stateMachineName: string;
  accountId: pulumi.Input<string>;
  render: WorkflowRenderer;
  resources: DeployedInputs<WorkflowResources>;
  logLevel: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  includeExecutionData: boolean;
  logRetentionDays: number;
}

/**
 * Vended log delivery (how Step Functions writes execution logs) is configured through account-
 * level APIs that AWS only authorises on "*".
 */
export const StepFunctionsLogDelivery: Permission = {
  sid: 'VendedLogDelivery',
  actions: [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  resources: ['*'],
};

export class ReconciliationStateMachine extends pulumi.ComponentResource {
  readonly stateMachine: aws.sfn.StateMachine;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** The definition as deployed (ASL JSON text). */
  readonly definition: pulumi.Output<string>;

  constructor(name: string, args: ReconciliationStateMachineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:workflow:ReconciliationStateMachine', name, {}, opts);
    const parent = { parent: this };

    const rendered = pulumi.output(args.resources).apply((r) => args.render(r as WorkflowResources));
    this.definition = rendered.definition;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      // The /aws/vendedlogs/ prefix keeps the log-delivery resource policy under AWS's size limit.
      { name: `/aws/vendedlogs/states/${args.stateMachineName}`, retentionInDays: args.logRetentionDays },
      parent,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: trustPolicy('states.amazonaws.com', args.accountId), description: 'Runs the reconciliation workflow', maxSessionDuration: 3600 },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: rendered.permissions.apply((graph) =>
          policyJson([
            ...graph.map((p, i): Permission => ({ sid: `Workflow${i}`, actions: p.actions, resources: p.resources })),
            StepFunctionsLogDelivery,
            XRayWrite,
          ]),
        ),
      },
      parent,
    );

    this.stateMachine = new aws.sfn.StateMachine(
      `${name}-state-machine`,
      {
        name: args.stateMachineName,
        type: 'STANDARD',
        roleArn: role.arn,
        definition: this.definition,
        loggingConfiguration: {
          level: args.logLevel,
          includeExecutionData: args.includeExecutionData,
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
        },
        tracingConfiguration: { enabled: true },
      },
      // Step Functions validates the role (and log delivery) when the machine is created.
      { parent: this, dependsOn: [policy] },
    );
    this.arn = this.stateMachine.arn;
    this.name = this.stateMachine.name;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
