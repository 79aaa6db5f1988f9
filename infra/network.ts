/**
 * Where the worker runs: the account's default VPC (looked up; fine for dev) or the VPC and
 * subnets named in config.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config.ts';

export interface WorkerNetwork {
  vpcId: pulumi.Output<string>;
  subnetIds: pulumi.Output<string[]>;
  assignPublicIp: boolean;
}

export function resolveNetwork(network: StackConfig['network'], opts?: pulumi.InvokeOutputOptions): WorkerNetwork {
  if (network.mode === 'subnets')
    return { vpcId: pulumi.output(network.vpcId), subnetIds: pulumi.output(network.subnetIds), assignPublicIp: network.assignPublicIp };
  const vpc = aws.ec2.getVpcOutput({ default: true }, opts);
  const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: 'vpc-id', values: [vpc.id] }] }, opts);
  return { vpcId: vpc.id, subnetIds: subnets.ids, assignPublicIp: network.assignPublicIp };
}
