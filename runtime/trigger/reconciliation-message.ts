/**
 * Parses one input-queue message body into the state machine's input. A body that fails here can
 * never succeed, so the reason must say exactly what is wrong for the person reading the DLQ.
 */
import type { z } from 'zod';
import { ReconciliationRequest } from '../contracts.ts';
import { describeIssues, type FieldIssue } from '../lambda/parse-input.ts';

/**
 * Lone UTF-16 surrogates cannot be encoded as UTF-8: DynamoDB, SQS and hashing would each replace
 * them with U+FFFD, so two different ids could silently become the same call. Reject them up front.
 */
const wellFormed = (value: string) => value.isWellFormed();

export const TriggerMessage = ReconciliationRequest.extend({
  dialogGroupId: ReconciliationRequest.shape.dialogGroupId.refine(wellFormed, 'contains an unpaired UTF-16 surrogate'),
  callId: ReconciliationRequest.shape.callId.refine(wellFormed, 'contains an unpaired UTF-16 surrogate'),
});
export type TriggerMessage = z.output<typeof TriggerMessage>;

export type ParsedMessage =
  | { ok: true; request: TriggerMessage }
  | { ok: false; reason: string; issues: FieldIssue[] };

export function parseReconciliationMessage(body: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `message body is not JSON (${detail})`, issues: [{ path: '(body)', message: 'not JSON' }] };
  }
  const r = TriggerMessage.safeParse(json);
  if (r.success) return { ok: true, request: r.data };
  const issues = describeIssues(r.error);
  return {
    ok: false,
    reason: `message body is not a reconciliation request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  };
}

/**
 * The execution input, built with a fixed key order from the parsed message only, so a duplicate
 * delivery produces byte-identical input (StartExecution treats same name + same input as a repeat).
 */
export function executionInput(request: TriggerMessage): string {
  return JSON.stringify({
    dialogGroupId: request.dialogGroupId,
    callId: request.callId,
    ...(request.originalTimestamp !== undefined ? { originalTimestamp: request.originalTimestamp } : {}),
    retryAttempt: request.retryAttempt,
    source: request.source,
  });
}
