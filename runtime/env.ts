/**
 * Reads the handlers' environment (names from system/functions.ts) once, validated, so a missing or
 * malformed variable fails at the first invocation with the variable named, not deep inside a handler.
 */
import { z } from 'zod';
import { Env } from '../system/functions.ts';

type EnvKey = keyof typeof Env;

const parsers = {
  tableName: z.string().min(1),
  workerQueueUrl: z.url(),
  inputDlqUrl: z.url(),
  stateMachineArn: z.string().startsWith('arn:'),
  ocpBaseUrl: z.url(),
  ocpTokenSecretArn: z.string().min(1),
  recordTtlDays: z.coerce.number().int().positive(),
} satisfies Partial<Record<EnvKey, z.ZodType>>;

type Parsed = typeof parsers;
export type RuntimeEnv<K extends keyof Parsed> = { [P in K]: z.output<Parsed[P]> };

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** Reads exactly the variables a handler needs; every problem is listed in one error. */
export function readEnv<K extends keyof Parsed>(
  keys: readonly K[],
  source: Record<string, string | undefined> = process.env,
): RuntimeEnv<K> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const variable = Env[key];
    const raw = source[variable];
    if (raw === undefined || raw === '') {
      problems.push(`${variable} is not set`);
      continue;
    }
    const r = parsers[key].safeParse(raw);
    if (r.success) out[key] = r.data;
    else problems.push(`${variable}=${JSON.stringify(raw)}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new EnvironmentError(`Handler environment is incomplete: ${problems.join(', ')}.`);
  return out as RuntimeEnv<K>;
}
