/**
 * The execution name is the trigger's idempotency key: the same call (dialogGroupId, callId,
 * retryAttempt) always gets the same name, so a duplicate SQS delivery meets ExecutionAlreadyExists
 * instead of starting a second reconciliation. A readable prefix helps people find the execution;
 * the hash of the exact ids makes distinct calls distinct even when their prefixes sanitise or
 * truncate to the same text.
 */
import { createHash } from 'node:crypto';

/** AWS allows up to 80 characters; we keep to the subset CloudWatch Logs also accepts. */
export const MaxExecutionNameLength = 80;
export const ExecutionNamePattern = /^[A-Za-z0-9_-]{1,80}$/;
const HashLength = 20;

export interface CallIdentity {
  dialogGroupId: string;
  callId: string;
  retryAttempt: number;
}

function sanitise(id: string): string {
  return id.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '');
}

/** 80 bits of SHA-256 over an unambiguous encoding of the ids (JSON, so "a_b"+"c" ≠ "a"+"b_c"). */
export function callHash(call: CallIdentity): string {
  return createHash('sha256')
    .update(JSON.stringify([call.dialogGroupId, call.callId, call.retryAttempt]))
    .digest('hex')
    .slice(0, HashLength);
}

export function executionName(call: CallIdentity): string {
  if (!Number.isSafeInteger(call.retryAttempt) || call.retryAttempt < 0) {
    throw new RangeError(`retryAttempt must be a non-negative integer, got ${call.retryAttempt}`);
  }
  const suffix = `r${call.retryAttempt}-${callHash(call)}`;
  const budget = MaxExecutionNameLength - suffix.length - 1;
  const readable = [sanitise(call.dialogGroupId), sanitise(call.callId)].filter((p) => p.length > 0).join('_');
  const prefix = readable.slice(0, budget).replace(/_+$/, '');
  return prefix.length > 0 ? `${prefix}-${suffix}` : suffix;
}
