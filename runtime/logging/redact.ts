/**
 * Secrets never reach a log line: task tokens would let anyone who reads the logs complete or fail
 * a workflow step, and OCP bearer tokens grant access to recordings. Redaction works on key names
 * because it runs as the JSON replacer of every log item, so nested objects are covered too.
 */
const SECRET_KEY = /token|secret|password|authorization|credential|api[-_]?key/i;

export const REDACTED = '[REDACTED]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** JSON.stringify replacer: blanks values under secret-looking keys. */
export function redactSecrets(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && value !== undefined && value !== null) return REDACTED;
  return value;
}
