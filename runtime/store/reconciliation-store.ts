/**
 * All writes to the reconciliation record. Every write is a conditional UpdateItem that only moves
 * the record forward: a terminal status is never overwritten, exportJobStatus follows the order in
 * runtime/status.ts, and only the execution that owns the record may write it. When the condition
 * fails, the stored item decides what happened: the same step already applied by the same execution
 * (a retried invocation) is a no-op success; anything else is a RecordConflictError saying why, except
 * a new execution for a call already COMPLETED: AlreadyReconciledError, which is not a failure.
 * The one exception to "never backwards": a new execution may reopen a FAILED_* record
 * (runtime/store/reopen-failed.ts says when, and what it keeps of the failure).
 */
import { FailureWriteCondition } from './failure-condition.ts';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Table } from '../../system/resources.ts';
import { AlreadyReconciledError, RecordConflictError } from '../errors.ts';
import { exportProgressRank, type ExportJobStatus, type FailureStatus, type ReconciliationStatus } from '../status.ts';
import { ReconciliationRecord } from './record.ts';
import { AttemptAttributes, PreviousFailureFrom, ReopenCondition, isAlreadyReconciled, whyNotReopened } from './reopen-failed.ts';

export interface StoreOptions {
  ddb: DynamoDBDocumentClient;
  tableName: string;
  /** Records expire this many days after their last write (DynamoDB TTL). */
  ttlDays: number;
  clock?: () => Date;
}

/**
 * Whether a write changed the record, found the same step already applied, or (only `start`)
 * reopened a record a previous execution left FAILED_*; and the record after it.
 */
export interface WriteResult {
  outcome: 'written' | 'already-applied' | 'reopened';
  record: ReconciliationRecord;
}

export interface CallRef {
  dialogGroupId: string;
  executionId: string;
}

interface ExportRef extends CallRef {
  exportJobId: string;
}

interface Write {
  /** What the write records, for messages: "record export job CREATED". */
  step: string;
  ref: CallRef & { exportJobId?: string };
  set: Record<string, unknown>;
  setIfNotExists?: Record<string, unknown>;
  /** Attributes set from an operand expression over the item before the update (`#attr`, `:name`). */
  setFrom?: Record<string, string>;
  add?: Record<string, number>;
  remove?: string[];
  /** Written with `#attr` for attribute names and `:name` for `values`. */
  condition: string;
  values: Record<string, unknown>;
  alreadyApplied(old: ReconciliationRecord): boolean;
  /** A more precise reason than the generic one when the write is refused, if there is one. */
  explain?(old: ReconciliationRecord): string | undefined;
  /** The error a refused write raises, when not RecordConflictError. */
  refusal?(old: ReconciliationRecord): typeof AlreadyReconciledError | undefined;
}

const IN_PROGRESS = 'IN_PROGRESS';
/** The record is live and owned by this execution and export job. */
const OWNED = '#reconciliationStatus = :inProgress AND #sfExecutionId = :exec AND #exportJobId = :job';

export class ReconciliationStore {
  readonly #ddb: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #ttlSeconds: number;
  readonly #clock: () => Date;

  constructor(options: StoreOptions) {
    this.#ddb = options.ddb;
    this.#tableName = options.tableName;
    this.#ttlSeconds = options.ttlDays * 86_400;
    this.#clock = options.clock ?? (() => new Date());
  }

  now(): string {
    return this.#clock().toISOString();
  }

  async get(dialogGroupId: string): Promise<ReconciliationRecord | undefined> {
    const { Item } = await this.#ddb.send(
      new GetCommand({ TableName: this.#tableName, Key: Table.key(dialogGroupId), ConsistentRead: true }),
    );
    return Item ? this.#parse(dialogGroupId, Item) : undefined;
  }

  #parse(dialogGroupId: string, item: unknown): ReconciliationRecord {
    const r = ReconciliationRecord.safeParse(item);
    if (!r.success) {
      const fields = r.error.issues.map((i) => i.path.join('.')).join(', ');
      throw new RecordConflictError(
        `Record for call ${JSON.stringify(dialogGroupId)} in table ${this.#tableName} is malformed (${fields}); fix or delete the item before retrying.`,
        { dialogGroupId, fields },
      );
    }
    return r.data;
  }

  /**
   * Records with a status last updated at or after `since` (ISO 8601), oldest first, through the
   * StatusIndex GSI: "every FAILED_DOWNLOAD_TIMEOUT since this morning". GSIs are eventually consistent.
   */
  async listByStatus(status: ReconciliationStatus, since: string, limit = 100): Promise<ReconciliationRecord[]> {
    const out: ReconciliationRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#ddb.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: Table.statusIndex.name,
          KeyConditionExpression: '#status = :status AND #updated >= :since',
          ExpressionAttributeNames: { '#status': Table.statusIndex.partitionKey, '#updated': Table.statusIndex.sortKey },
          ExpressionAttributeValues: { ':status': status, ':since': since },
          Limit: limit - out.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) out.push(this.#parse(String(item.dialogGroupId), item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out;
  }

  /**
   * IN_PROGRESS for this execution; a retry by the same execution rewrites the same values. A record
   * another execution left FAILED_* is reopened for this one ({@link WriteResult} outcome `reopened`):
   * its attempt is cleared and its failure kept as `previous*`. This call's COMPLETED record:
   * AlreadyReconciledError, saying where the recording is. Another execution's IN_PROGRESS, or
   * another call's record: RecordConflictError.
   */
  async start(call: CallRef & { callId: string }): Promise<WriteResult> {
    const step = 'start the reconciliation (IN_PROGRESS)';
    const ownership = { dialogGroupId: call.dialogGroupId, callId: call.callId, sfExecutionId: call.executionId, reconciliationStatus: IN_PROGRESS };
    const fresh = await this.#tryWrite({
      step,
      ref: call,
      set: ownership,
      setIfNotExists: { startedAt: this.now() },
      condition: 'attribute_not_exists(#PK) OR (#sfExecutionId = :exec AND #callId = :callId AND #reconciliationStatus = :inProgress)',
      values: { exec: call.executionId, callId: call.callId, inProgress: IN_PROGRESS },
      alreadyApplied: () => false,
    });
    if (fresh) return { outcome: 'written', record: fresh };
    // Rarely taken (a deliberate re-run), so it costs a second conditional write rather than making
    // every first start carry the reopen expression. Each write checks its whole precondition itself.
    const reopen: Write = {
      step,
      ref: call,
      set: { ...ownership, startedAt: this.now() },
      setFrom: PreviousFailureFrom,
      add: { previousFailureCount: 1 },
      remove: [...AttemptAttributes],
      condition: ReopenCondition.expression,
      values: ReopenCondition.values(call.callId, call.executionId),
      alreadyApplied: () => false,
      explain: (old) => whyNotReopened(old, call.executionId, call.callId),
      refusal: (old) => (isAlreadyReconciled(old, call.callId) ? AlreadyReconciledError : undefined),
    };
    const reopened = await this.#tryWrite(reopen);
    if (reopened) return { outcome: 'reopened', record: reopened };
    return this.#settleConflict(reopen);
  }

  recordExportCreated(ref: ExportRef & { exportCreatedAt: string }): Promise<WriteResult> {
    return this.#write({
      step: 'record export job CREATED',
      ref,
      set: { exportJobId: ref.exportJobId, exportJobStatus: 'CREATED', exportCreatedAt: ref.exportCreatedAt },
      condition: '#reconciliationStatus = :inProgress AND #sfExecutionId = :exec AND attribute_not_exists(#exportJobStatus)',
      values: { inProgress: IN_PROGRESS, exec: ref.executionId },
      alreadyApplied: (old) => sameExport(old, ref) && reached(old, 'CREATED'),
    });
  }

  recordPolling(ref: ExportRef & { pollingIteration: number }): Promise<WriteResult> {
    return this.#write({
      step: `record POLLING (status check ${ref.pollingIteration})`,
      ref,
      set: { exportJobStatus: 'POLLING', pollingIteration: ref.pollingIteration, lastPolledAt: this.now() },
      add: { totalPollingAttempts: 1 },
      condition: `${OWNED} AND #exportJobStatus IN (:created, :polling) AND (attribute_not_exists(#pollingIteration) OR #pollingIteration < :iter)`,
      values: { ...ownedValues(ref), created: 'CREATED', polling: 'POLLING', iter: ref.pollingIteration },
      alreadyApplied: (old) =>
        sameExport(old, ref) &&
        (reached(old, 'EXPORT_COMPLETED') || (old.exportJobStatus === 'POLLING' && (old.pollingIteration ?? 0) >= ref.pollingIteration)),
    });
  }

  recordExportCompleted(
    ref: ExportRef & { pollingIteration: number; exportCompletedAt: string; downloadUrl: string; fileSize?: number },
  ): Promise<WriteResult> {
    return this.#write({
      step: `record EXPORT_COMPLETED (status check ${ref.pollingIteration})`,
      ref,
      set: {
        exportJobStatus: 'EXPORT_COMPLETED',
        pollingIteration: ref.pollingIteration,
        lastPolledAt: this.now(),
        exportCompletedAt: ref.exportCompletedAt,
        downloadUrl: ref.downloadUrl,
        fileSize: ref.fileSize,
      },
      add: { totalPollingAttempts: 1 },
      condition: `${OWNED} AND #exportJobStatus IN (:created, :polling) AND (attribute_not_exists(#pollingIteration) OR #pollingIteration <= :iter)`,
      values: { ...ownedValues(ref), created: 'CREATED', polling: 'POLLING', iter: ref.pollingIteration },
      alreadyApplied: (old) => sameExport(old, ref) && reached(old, 'EXPORT_COMPLETED'),
    });
  }

  /**
   * Keeps the task token for recovery. A retried task state gets a new token, so a repeat by the
   * same execution overwrites the token: the newest one is the one the worker must answer.
   */
  recordDownloadRequested(ref: ExportRef & { taskToken: string }): Promise<WriteResult> {
    return this.#write({
      step: 'record DOWNLOAD_REQUESTED',
      ref,
      set: { exportJobStatus: 'DOWNLOAD_REQUESTED', taskToken: ref.taskToken },
      setIfNotExists: { downloadRequestedAt: this.now() },
      condition: `${OWNED} AND #exportJobStatus IN (:exportCompleted, :downloadRequested)`,
      values: { ...ownedValues(ref), exportCompleted: 'EXPORT_COMPLETED', downloadRequested: 'DOWNLOAD_REQUESTED' },
      alreadyApplied: () => false,
    });
  }

  /** Terminal success; the task token has served its purpose and is dropped. */
  recordCompleted(ref: ExportRef & { metadata: string; completedAt: string }): Promise<WriteResult> {
    return this.#write({
      step: 'record COMPLETED',
      ref,
      set: { reconciliationStatus: 'COMPLETED', completedAt: ref.completedAt, metadata: ref.metadata },
      remove: ['taskToken'],
      condition: OWNED,
      values: ownedValues(ref),
      alreadyApplied: (old) => old.reconciliationStatus === 'COMPLETED' && sameExport(old, ref),
    });
  }

  /**
   * Terminal failure. The workflow writes failures with its own UpdateItem states using the same
   * condition ({@link FailureWriteCondition}); this method serves recovery tools and tests.
   */
  recordFailure(
    ref: CallRef & { callId: string; status: FailureStatus; failureReason: string; errorDetails: string },
  ): Promise<WriteResult> {
    return this.#write({
      step: `record ${ref.status}`,
      ref,
      set: {
        dialogGroupId: ref.dialogGroupId,
        callId: ref.callId,
        sfExecutionId: ref.executionId,
        reconciliationStatus: ref.status,
        failedAt: this.now(),
        failureReason: ref.failureReason,
        errorDetails: ref.errorDetails,
      },
      condition: FailureWriteCondition.expression,
      values: { exec: ref.executionId, inProgress: IN_PROGRESS },
      alreadyApplied: (old) => old.reconciliationStatus === ref.status && old.sfExecutionId === ref.executionId,
    });
  }

  async #write(w: Write): Promise<WriteResult> {
    const record = await this.#tryWrite(w);
    return record ? { outcome: 'written', record } : this.#settleConflict(w);
  }

  /** The record after the write, or undefined when its condition failed. */
  async #tryWrite(w: Write): Promise<ReconciliationRecord | undefined> {
    const at = this.#clock();
    const set = { ...w.set, lastUpdated: at.toISOString(), TTL: Math.floor(at.getTime() / 1000) + this.#ttlSeconds };
    const clauses: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(w.values)) values[`:${k}`] = v;
    const setParts: string[] = [];
    for (const [k, v] of Object.entries(set)) {
      if (v === undefined) continue;
      setParts.push(`#${k} = :set_${k}`);
      values[`:set_${k}`] = v;
    }
    for (const [k, v] of Object.entries(w.setIfNotExists ?? {})) {
      setParts.push(`#${k} = if_not_exists(#${k}, :ine_${k})`);
      values[`:ine_${k}`] = v;
    }
    for (const [k, operand] of Object.entries(w.setFrom ?? {})) setParts.push(`#${k} = ${operand}`);
    clauses.push(`SET ${setParts.join(', ')}`);
    const adds = Object.entries(w.add ?? {});
    if (adds.length > 0) {
      clauses.push(`ADD ${adds.map(([k]) => `#${k} :add_${k}`).join(', ')}`);
      for (const [k, v] of adds) values[`:add_${k}`] = v;
    }
    if (w.remove?.length) clauses.push(`REMOVE ${w.remove.map((k) => `#${k}`).join(', ')}`);
    const update = clauses.join(' ');
    try {
      const { Attributes } = await this.#ddb.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: Table.key(w.ref.dialogGroupId),
          UpdateExpression: update,
          ConditionExpression: w.condition,
          ExpressionAttributeNames: attributeNames(`${update} ${w.condition}`),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.#parse(w.ref.dialogGroupId, Attributes);
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return undefined;
    }
  }

  /** After a failed condition, the stored item decides: the same step already applied, or a conflict. */
  async #settleConflict(w: Write): Promise<WriteResult> {
    const old = await this.get(w.ref.dialogGroupId);
    if (old && w.alreadyApplied(old)) return { outcome: 'already-applied', record: old };
    const explained = old && w.explain?.(old);
    const Refusal = (old && w.refusal?.(old)) ?? RecordConflictError;
    throw new Refusal(
      explained ?? `Cannot ${w.step} for call ${JSON.stringify(w.ref.dialogGroupId)} from execution ${w.ref.executionId}: ${describe(old)}.`,
      {
        dialogGroupId: w.ref.dialogGroupId,
        executionId: w.ref.executionId,
        exportJobId: w.ref.exportJobId,
        stored: old && {
          reconciliationStatus: old.reconciliationStatus,
          exportJobStatus: old.exportJobStatus,
          sfExecutionId: old.sfExecutionId,
          exportJobId: old.exportJobId,
          pollingIteration: old.pollingIteration,
        },
      },
    );
  }
}

export { FailureWriteCondition };

function ownedValues(ref: ExportRef): Record<string, unknown> {
  return { inProgress: IN_PROGRESS, exec: ref.executionId, job: ref.exportJobId };
}

/** Same execution and job, and not failed since: only then can a repeat be the same step again. */
function sameExport(old: ReconciliationRecord, ref: ExportRef): boolean {
  return (
    old.sfExecutionId === ref.executionId &&
    old.exportJobId === ref.exportJobId &&
    (old.reconciliationStatus === IN_PROGRESS || old.reconciliationStatus === 'COMPLETED')
  );
}

function reached(old: ReconciliationRecord, status: ExportJobStatus): boolean {
  return old.exportJobStatus !== undefined && exportProgressRank(old.exportJobStatus) >= exportProgressRank(status);
}

function describe(old: ReconciliationRecord | undefined): string {
  if (!old) return 'no record exists for this call (createExportJob must run first)';
  const parts = [`the record is ${old.reconciliationStatus}`];
  if (old.exportJobStatus) parts.push(`export ${old.exportJobStatus}`);
  if (old.pollingIteration !== undefined) parts.push(`at status check ${old.pollingIteration}`);
  parts.push(`owned by execution ${old.sfExecutionId}`);
  if (old.exportJobId) parts.push(`export job ${old.exportJobId}`);
  parts.push(`call ${JSON.stringify(old.callId)}`);
  return `${parts.join(', ')}; a record never moves backwards and only its own execution may advance it`;
}

/** `#name` placeholders map to themselves; attribute names here are fixed identifiers. */
function attributeNames(expression: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const m of expression.matchAll(/#(\w+)/g)) names[`#${m[1]}`] = m[1]!;
  return names;
}
