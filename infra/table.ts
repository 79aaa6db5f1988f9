/**
 * The reconciliation table: one item per call, keys and index from system/resources.ts so the
 * local mode provisions exactly the same shape.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { Table } from '../system/resources.ts';

export interface ReconciliationTableArgs {
  /** Physical table name. */
  tableName: string;
  pointInTimeRecovery: boolean;
  /** Off in prod so a stack cannot drop the records by accident. */
  allowDestroy: boolean;
}

export class ReconciliationTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: ReconciliationTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audio-reconciliation:storage:ReconciliationTable', name, {}, opts);
    const index = Table.statusIndex;
    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: args.tableName,
        // On demand: load follows the input queue, which is bursty.
        billingMode: 'PAY_PER_REQUEST',
        hashKey: Table.partitionKey,
        rangeKey: Table.sortKey,
        attributes: [
          { name: Table.partitionKey, type: 'S' },
          { name: Table.sortKey, type: 'S' },
          { name: index.partitionKey, type: 'S' },
          { name: index.sortKey, type: 'S' },
        ],
        globalSecondaryIndexes: [
          { name: index.name, hashKey: index.partitionKey, rangeKey: index.sortKey, projectionType: 'ALL' },
        ],
        ttl: { attributeName: Table.ttlAttribute, enabled: true },
        // Encrypted with the AWS managed key: no key policy to maintain, and callers need no kms:* grant.
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery },
        deletionProtectionEnabled: !args.allowDestroy,
      },
      { parent: this, protect: !args.allowDestroy },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
