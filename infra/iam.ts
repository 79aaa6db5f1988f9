/**
 * IAM building blocks: every role in the stack is a service role with one inline policy built
 * from explicit statements, so the whole of what a principal may do is visible in one place
 * (and in one mocked resource the tests read).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** One Allow statement. Resources are ARNs (or ARN patterns under one of our resources). */
export interface Permission {
  sid: string;
  actions: string[];
  resources: pulumi.Input<string>[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The policy JSON once every ARN is known; statements keep their order so diffs stay readable. */
export function policyJson(permissions: Permission[]): pulumi.Output<string> {
  return pulumi
    .all(permissions.map((p) => pulumi.all(p.resources)))
    .apply((resolved) => {
      const doc: PolicyDocument = {
        Version: '2012-10-17',
        Statement: permissions.map((p, i) => ({
          Sid: p.sid,
          Effect: 'Allow',
          Action: [...p.actions].sort(),
          Resource: [...new Set(resolved[i] ?? [])].sort(),
        })),
      };
      return JSON.stringify(doc);
    });
}

export type ServicePrincipal = 'lambda.amazonaws.com' | 'states.amazonaws.com' | 'ecs-tasks.amazonaws.com';

/**
 * Trust policy for a service. The source-account condition stops another account's service
 * resources from assuming our role (confused deputy).
 */
export function trustPolicy(service: ServicePrincipal, accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(accountId).apply((account) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    }),
  );
}

export interface ServiceRoleArgs {
  service: ServicePrincipal;
  accountId: pulumi.Input<string>;
  permissions: Permission[];
  description: string;
}

export interface ServiceRole {
  role: aws.iam.Role;
  /** Depend on this (not just the role) when AWS checks the role's permissions at creation. */
  policy: aws.iam.RolePolicy;
  arn: pulumi.Output<string>;
}

/** A role plus its single inline policy, named `<name>-role` and `<name>-policy`. */
export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
  const role = new aws.iam.Role(
    `${name}-role`,
    { assumeRolePolicy: trustPolicy(args.service, args.accountId), description: args.description, maxSessionDuration: 3600 },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyJson(args.permissions) }, { parent });
  return { role, policy, arn: role.arn };
}

/**
 * Actions AWS only authorises on `Resource: "*"` (they act on the account or on a service
 * endpoint, not on a resource). Kept to the few the stack needs.
 */
export const XRayWrite: Permission = {
  sid: 'XRayTracing',
  actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  resources: ['*'],
};

/** Write to one log group (streams are created under it). */
export function logGroupWrite(sid: string, logGroupArn: pulumi.Input<string>): Permission {
  return {
    sid,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [pulumi.interpolate`${logGroupArn}:log-stream:*`],
  };
}
