/**
 * Health as a file: the worker rewrites it every few seconds and the container's HEALTHCHECK
 * (healthcheck.ts) reads it. A file needs no port, and it goes stale by itself if the event loop
 * hangs, which is the failure a health check exists to catch.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const HealthReport = z.object({ at: z.number(), state: z.string(), inFlight: z.number() });
export type HealthReport = z.infer<typeof HealthReport>;

export const HEALTH_INTERVAL_MS = 5_000;
/** Three missed writes mean the process is stuck. */
export const HEALTH_STALE_MS = 3 * HEALTH_INTERVAL_MS + 5_000;

export function writeHealth(file: string, report: Omit<HealthReport, 'at'>): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ at: Date.now(), ...report }));
  renameSync(tmp, file);
}

/** Why the worker is unhealthy, or undefined when it is healthy. */
export function checkHealth(file: string, now = Date.now()): string | undefined {
  let report: HealthReport;
  try {
    report = HealthReport.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    return `no readable health file at ${file}: ${(err as Error).message}`;
  }
  if (now - report.at > HEALTH_STALE_MS) return `health file is ${Math.round((now - report.at) / 1000)} s old: the worker is stuck`;
  if (report.state === 'stopped') return 'the worker has stopped';
  return undefined;
}
