/**
 * Durable executions: state machines, executions, history and the position of every running
 * branch ("frame") in node:sqlite, written after each transition so that a new Engine over the same
 * folder resumes where the old process stopped. WAL with synchronous=NORMAL and prepared statements
 * keep a transition to a few cheap inserts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ExecutionDescription, HistoryEvent, StateMachineDescription } from './types.ts';

/** Where one branch of an execution stands: enough to continue it after a restart. */
export interface FrameCheckpoint {
  state: string;
  input: unknown;
  vars: Record<string, unknown>;
  /** Id of the state's Entered event: child frames (Parallel branches, Map iterations) derive their ids from it. */
  enteredEventId: number;
  enteredTime: number;
  lastEventId: number;
  retryCounts?: number[];
  /** A Wait (or a Retry interval) in progress: resume sleeping until this clock instant. */
  sleepUntil?: number;
  /**
   * A `.waitForTaskToken` task. Saved before the handler is called, so a restart keeps the same token:
   * if the handler had returned (submitted) the resumed task only waits for the callback; otherwise
   * the handler is called again with that token (at-least-once, like any retried delivery).
   */
  token?: { token: string; timeoutAt?: number; heartbeatSeconds?: number; submitted: boolean };
  /** The branch finished with this output (kept until its parent state exits). */
  done?: { output: unknown };
}

/** A history event as the engine keeps it: the timestamp stays a number until someone reads the history. */
export interface RecordedEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface CheckpointStore {
  saveMachine(m: StateMachineDescription): void;
  saveExecution(e: ExecutionDescription): void;
  appendEvent(executionArn: string, ev: RecordedEvent): void;
  saveFrame(executionArn: string, frameId: string, cp: FrameCheckpoint): void;
  deleteFrames(executionArn: string, prefix: string): void;
  loadMachines(): StateMachineDescription[];
  loadExecutions(): ExecutionDescription[];
  loadEvents(executionArn: string): HistoryEvent[];
  loadFrames(executionArn: string): Map<string, FrameCheckpoint>;
  /** Commits what was written so far; called before anything leaves the process (a handler call). */
  flush(): void;
  close(): void;
}

/** No dataDir: nothing is serialised at all. */
export class NoCheckpoints implements CheckpointStore {
  saveMachine(): void {}
  saveExecution(): void {}
  appendEvent(): void {}
  saveFrame(): void {}
  deleteFrames(): void {}
  loadMachines(): StateMachineDescription[] {
    return [];
  }
  loadExecutions(): ExecutionDescription[] {
    return [];
  }
  loadEvents(): HistoryEvent[] {
    return [];
  }
  loadFrames(): Map<string, FrameCheckpoint> {
    return new Map();
  }
  flush(): void {}
  close(): void {}
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS machines (arn TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS executions (arn TEXT PRIMARY KEY, status TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS executions_status ON executions(status);
CREATE TABLE IF NOT EXISTS events (arn TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (arn, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS frames (arn TEXT NOT NULL, frame TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (arn, frame)) WITHOUT ROWID;
`;

function reviveDates<T>(o: Record<string, unknown>, keys: string[]): T {
  for (const k of keys) if (typeof o[k] === 'string' || typeof o[k] === 'number') o[k] = new Date(o[k]);
  return o as T;
}

export class SqliteCheckpoints implements CheckpointStore {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<
    'machine' | 'execution' | 'event' | 'frame' | 'delFrames' | 'machines' | 'running' | 'events' | 'frames',
    StatementSync
  >;

  /** Writes of one event-loop turn share a transaction, committed at the end of the turn or by flush(). */
  private inTransaction = false;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(join(dataDir, 'engine.sqlite'));
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.db.exec(SCHEMA);
    const p = (sql: string): StatementSync => this.db.prepare(sql);
    this.stmts = {
      machine: p('INSERT OR REPLACE INTO machines (arn, body) VALUES (?, ?)'),
      execution: p('INSERT OR REPLACE INTO executions (arn, status, body) VALUES (?, ?, ?)'),
      event: p('INSERT OR REPLACE INTO events (arn, id, body) VALUES (?, ?, ?)'),
      frame: p('INSERT OR REPLACE INTO frames (arn, frame, body) VALUES (?, ?, ?)'),
      delFrames: p("DELETE FROM frames WHERE arn = ? AND (frame = ? OR frame LIKE ? ESCAPE '\\')"),
      machines: p('SELECT body FROM machines'),
      running: p('SELECT body FROM executions'),
      events: p('SELECT body FROM events WHERE arn = ? ORDER BY id'),
      frames: p('SELECT frame, body FROM frames WHERE arn = ?'),
    };
  }

  saveMachine(m: StateMachineDescription): void {
    if (!this.begin()) return;
    this.stmts.machine.run(m.stateMachineArn, JSON.stringify(m));
  }

  saveExecution(e: ExecutionDescription): void {
    if (!this.begin()) return;
    this.stmts.execution.run(e.executionArn, e.status, JSON.stringify(e));
  }

  appendEvent(executionArn: string, ev: RecordedEvent): void {
    if (!this.begin()) return;
    this.stmts.event.run(executionArn, ev.id, JSON.stringify(ev));
  }

  saveFrame(executionArn: string, frameId: string, cp: FrameCheckpoint): void {
    if (!this.begin()) return;
    this.stmts.frame.run(executionArn, frameId, JSON.stringify(cp));
  }

  /** Removes a frame and all frames nested under it. */
  deleteFrames(executionArn: string, prefix: string): void {
    if (!this.begin()) return;
    const like = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%';
    this.stmts.delFrames.run(executionArn, prefix, like);
  }

  loadMachines(): StateMachineDescription[] {
    return this.stmts.machines
      .all()
      .map((r) => reviveDates<StateMachineDescription>(JSON.parse(String(r.body)) as Record<string, unknown>, ['creationDate']));
  }

  loadExecutions(): ExecutionDescription[] {
    return this.stmts.running
      .all()
      .map((r) => reviveDates<ExecutionDescription>(JSON.parse(String(r.body)) as Record<string, unknown>, ['startDate', 'stopDate']));
  }

  loadEvents(executionArn: string): HistoryEvent[] {
    return this.stmts.events
      .all(executionArn)
      .map((r) => reviveDates<HistoryEvent>(JSON.parse(String(r.body)) as Record<string, unknown>, ['timestamp']));
  }

  loadFrames(executionArn: string): Map<string, FrameCheckpoint> {
    const out = new Map<string, FrameCheckpoint>();
    for (const r of this.stmts.frames.all(executionArn)) out.set(String(r.frame), JSON.parse(String(r.body)) as FrameCheckpoint);
    return out;
  }

  /** Opens the turn's transaction if needed; false once the store is closed. */
  private begin(): boolean {
    if (!this.db.isOpen) return false;
    if (!this.inTransaction) {
      this.db.exec('BEGIN');
      this.inTransaction = true;
      setImmediate(this.flushNow);
    }
    return true;
  }

  private readonly flushNow = (): void => this.flush();

  flush(): void {
    if (!this.inTransaction || !this.db.isOpen) return;
    this.inTransaction = false;
    this.db.exec('COMMIT');
  }

  close(): void {
    this.flush();
    if (this.db.isOpen) this.db.close();
  }
}
