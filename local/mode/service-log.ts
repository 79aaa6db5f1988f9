/**
 * Structured JSON lines for the local mode's own services (poller, worker supervisor, engine host).
 * They go to a file under the run's data folder, so the console stays free for progress and a
 * person can still `tail -f` what each piece did.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ServiceLog {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(service: string): ServiceLog;
  close(): Promise<void>;
}

class JsonLinesLog implements ServiceLog {
  constructor(
    private readonly out: WriteStream | undefined,
    private readonly service: string,
  ) {}

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.out) return;
    this.out.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, service: this.service, message, ...fields })}\n`);
  }

  child(service: string): ServiceLog {
    return new JsonLinesLog(this.out, service);
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out || out.closed) return;
    await new Promise<void>((resolve) => out.end(resolve));
  }
}

/** A log writing JSON lines to `file`; with no file, a log that drops everything (benchmarks). */
export function createServiceLog(file: string | undefined, service = 'local-mode'): ServiceLog {
  if (!file) return new JsonLinesLog(undefined, service);
  mkdirSync(dirname(file), { recursive: true });
  return new JsonLinesLog(createWriteStream(file, { flags: 'a' }), service);
}
