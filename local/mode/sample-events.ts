/**
 * The calls in events/: every SQS batch sample (a file with `Records[].body`) and every state
 * machine input sample (a file that is exactly a ReconciliationRequest). Handler payload samples
 * are not calls and are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ReconciliationRequest } from '../../runtime/contracts.ts';

export interface SampleCall {
  source: string;
  body: string;
  dialogGroupId?: string;
  callId?: string;
}

const SqsBatch = z.object({ Records: z.array(z.object({ body: z.string() })).min(1) });

export function readSampleCalls(folder: string): SampleCall[] {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new Error(`Cannot read the sample events in ${folder}: ${(err as Error).message}. Run from the project root or pass --calls N.`);
  }
  const calls: SampleCall[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    } catch (err) {
      throw new Error(`Sample event ${join(folder, file)} is not valid JSON: ${(err as Error).message}`);
    }
    const batch = SqsBatch.safeParse(doc);
    if (batch.success) {
      for (const r of batch.data.Records) calls.push({ source: file, body: r.body, ...idsOf(r.body) });
      continue;
    }
    // Strict: handler payload samples also carry dialogGroupId and callId, but they are not calls.
    const request = ReconciliationRequest.strict().safeParse(doc);
    if (request.success) calls.push({ source: file, body: JSON.stringify(doc), dialogGroupId: request.data.dialogGroupId, callId: request.data.callId });
  }
  return calls;
}

function idsOf(body: string): { dialogGroupId?: string; callId?: string } {
  try {
    const parsed = ReconciliationRequest.safeParse(JSON.parse(body));
    return parsed.success ? { dialogGroupId: parsed.data.dialogGroupId, callId: parsed.data.callId } : {};
  } catch {
    return {};
  }
}
