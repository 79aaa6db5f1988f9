/**
 * The OCP API token in Secrets Manager. Its value comes from the stack's secret config, so it
 * stays encrypted in Pulumi state too. Who may read it is decided by the roles: only the OCP
 * callers' roles get secretsmanager:GetSecretValue, on this ARN alone (the IAM tests pin that).
 * A resource policy denying everyone else would also lock out `pulumi refresh`, which reads the
 * version back, so there is none.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface OcpTokenSecretArgs {
  secretName: string;
  token: pulumi.Output<string>;
  allowDestroy: boolean;
}

export class OcpTokenSecret extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: OcpTokenSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:security:OcpTokenSecret', name, {}, opts);
    const secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        name: args.secretName,
        description: 'API token for the OCP export API. Set it with `pulumi config set --secret ocpApiToken`, then `pulumi up`.',
        // A deleted secret stays recoverable for a week, except on throw-away stacks.
        recoveryWindowInDays: args.allowDestroy ? 0 : 7,
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(`${name}-value`, { secretId: secret.id, secretString: args.token }, { parent: this });
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
