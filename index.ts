/**
 * The Pulumi program (Pulumi.yaml `main`). Reads the stack's config once, validates it, and
 * deploys the whole system; the exports are the stack outputs.
 *
 *   pulumi config set --secret ocpApiToken <token>   # once per stack
 *   pulumi up --stack dev
 */
import * as pulumi from '@pulumi/pulumi';
import { deployBundler, projectRoot } from './infra/bundle.ts';
import { OcpTokenKey, parseStackConfig, SettingsKeys, StackConfigError } from './infra/config.ts';
import { deployReconciliation } from './infra/stack.ts';
import { reconciliationWorkflow } from './infra/workflow-definition.ts';

const project = new pulumi.Config();
const config = parseStackConfig({
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  region: new pulumi.Config('aws').get('region'),
  workflow: project.getObject('workflow'),
  settings: Object.fromEntries(SettingsKeys.flatMap((key) => {
    const value = project.getObject(key);
    return value === undefined ? [] : [[key, value]];
  })),
  presentKeys: Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(`${pulumi.getProject()}:`))
    .map((key) => key.slice(pulumi.getProject().length + 1)),
});

const ocpApiToken = project.getSecret(OcpTokenKey);
if (ocpApiToken === undefined)
  throw new StackConfigError(
    `Missing secret config ${pulumi.getProject()}:${OcpTokenKey} for stack '${pulumi.getStack()}': ` +
      `run \`pulumi config set --secret ${OcpTokenKey} <token> --stack ${pulumi.getStack()}\` (the OCP API token; it is stored encrypted).`,
  );

const outputs = deployReconciliation(config, ocpApiToken, {
  bundle: deployBundler,
  workflow: reconciliationWorkflow,
  projectRoot,
});

export const stateMachineArn = outputs.stateMachineArn;
export const inputQueueUrl = outputs.inputQueueUrl;
export const tableName = outputs.tableName;
export const bucketName = outputs.bucketName;
export const dlqUrls = outputs.dlqUrls;
export const dashboardUrl = outputs.dashboardUrl;
export const alarmTopicArn = outputs.alarmTopicArn;
export const workerImageUri = outputs.workerImageUri;
