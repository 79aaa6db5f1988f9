/**
 * Every handler's event goes through here: a payload that fails its schema becomes an
 * InvalidInputError naming each bad field, which the workflow does not retry.
 */
import type { z } from 'zod';
import { InvalidInputError } from '../errors.ts';

export interface FieldIssue {
  path: string;
  message: string;
}

export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

export function parseInput<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const r = schema.safeParse(event);
  if (r.success) return r.data;
  const issues = describeIssues(r.error);
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new InvalidInputError(`${what} is invalid (${issues.length} field${issues.length === 1 ? '' : 's'}): ${list}`, {
    issues,
  });
}
