/**
 * One execution's record: its description, its history (ids, previousEventId, AWS detail names)
 * and the signal that interrupts everything still running in it.
 */
import type { CheckpointStore, RecordedEvent } from './checkpoint-store.ts';
import { Interrupt } from './interrupt.ts';
import { States, StatesError } from './states-error.ts';
import type { ExecutionDescription, ExecutionStatus, HistoryEvent } from './types.ts';

/** AWS's hard quota on events in one execution's history. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Why running work was interrupted (stop, timeout, a failed sibling branch). Never matched by Retry or Catch. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Shared reasons for interrupting the work of a closed execution (building an Error per close is costly). */
const CLOSED = {
  SUCCEEDED: new Interrupted('execution succeeded'),
  FAILED: new Interrupted('execution failed'),
  TIMED_OUT: new Interrupted('execution timed out'),
  ABORTED: new Interrupted('execution aborted'),
} as const;

const CLOSING_EVENTS: ReadonlySet<string> = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

export class HistoryLimitExceeded extends StatesError {
  constructor() {
    super(States.Runtime, `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}) and was failed`);
  }
}

/** The public shape of a recorded event (a Date timestamp), built when the history is read. */
export function publicEvent(ev: RecordedEvent): HistoryEvent {
  return { ...ev, timestamp: new Date(ev.timestamp) };
}

export class Execution {
  /** Events as recorded; `history` turns them into the API's shape on demand. */
  private readonly events: RecordedEvent[];
  readonly interrupt = new Interrupt();
  private readonly waiters: ((d: ExecutionDescription) => void)[] = [];
  /** Parsed input, for $$.Execution.Input. */
  readonly inputValue: unknown;

  constructor(
    readonly desc: ExecutionDescription,
    private readonly store: CheckpointStore,
    private readonly now: () => number,
    private readonly onEvent: ((arn: string, ev: HistoryEvent) => void) | undefined,
    history: HistoryEvent[] = [],
    inputValue?: unknown,
  ) {
    this.inputValue = inputValue !== undefined ? inputValue : (JSON.parse(desc.input) as unknown);
    this.events = history.map((e) => ({ ...e, timestamp: e.timestamp.getTime() }));
  }

  get history(): HistoryEvent[] {
    return this.events.map(publicEvent);
  }

  get arn(): string {
    return this.desc.executionArn;
  }

  get running(): boolean {
    return this.desc.status === 'RUNNING';
  }

  get lastEventId(): number {
    return this.events.length;
  }

  /** Appends a history event; past the quota, the execution fails with States.Runtime. */
  addEvent(type: string, previousEventId: number, details?: Record<string, unknown>): number {
    if (!details) return this.addDetail(type, previousEventId, undefined, undefined);
    const keys = Object.keys(details);
    if (keys.length === 1) return this.addDetail(type, previousEventId, keys[0], details[keys[0]!]);
    const ev: RecordedEvent = { id: this.events.length + 1, previousEventId, timestamp: this.now(), type, ...details };
    return this.append(ev);
  }

  /** The hot-path form of addEvent: one `<kind>EventDetails` entry, no intermediate object. */
  addDetail(type: string, previousEventId: number, key: string | undefined, value: unknown): number {
    const ev: RecordedEvent = { id: this.events.length + 1, previousEventId, timestamp: this.now(), type };
    if (key !== undefined) ev[key] = value;
    return this.append(ev);
  }

  private append(ev: RecordedEvent): number {
    // The closing event may be the 25,000th; nothing else may take its place.
    if (this.events.length >= MAX_HISTORY_EVENTS - 1 && !CLOSING_EVENTS.has(ev.type)) throw new HistoryLimitExceeded();
    this.events.push(ev);
    this.store.appendEvent(this.arn, ev);
    if (this.onEvent) this.onEvent(this.arn, publicEvent(ev));
    return ev.id;
  }

  /** Moves the execution out of RUNNING exactly once; later calls are ignored. */
  close(status: Exclude<ExecutionStatus, 'RUNNING'>, fields: { output?: string; error?: string; cause?: string }): boolean {
    if (!this.running) return false;
    this.desc.status = status;
    this.desc.stopDate = new Date(this.now());
    if (fields.output !== undefined) this.desc.output = fields.output;
    if (fields.error !== undefined) this.desc.error = fields.error;
    if (fields.cause !== undefined) this.desc.cause = fields.cause;
    this.store.saveExecution(this.desc);
    this.interrupt.fire(CLOSED[status]);
    const d = this.describe();
    for (const w of this.waiters.splice(0)) w(d);
    return true;
  }

  describe(): ExecutionDescription {
    return { ...this.desc };
  }

  whenClosed(): Promise<ExecutionDescription> {
    if (!this.running) return Promise.resolve(this.describe());
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
