import type { AwsJsonLog } from './aws-json.ts';

/** Structured logs for the local services: one JSON object per line on stdout. */
export function jsonLinesLog(service: string, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): AwsJsonLog {
  return ({ level, message, ...fields }) => write(JSON.stringify({ timestamp: new Date().toISOString(), level, service, message, ...fields }));
}
