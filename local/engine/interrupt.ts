/**
 * Cancellation inside the engine. AbortController/EventTarget costs more than most states do, so
 * executions and branches use this plain listener set, and only build a real AbortSignal (for
 * handlers and clock sleeps) when one is asked for, once per branch. Listeners are objects with a
 * method rather than closures: one fewer allocation per task on the hot path.
 */
export interface InterruptListener {
  onInterrupt(reason: unknown): void;
}

export class Interrupt implements InterruptListener {
  aborted = false;
  reason: unknown;
  private listeners: Set<InterruptListener> | undefined;
  private controller: AbortController | undefined;
  private readonly parent: Interrupt | undefined;

  /** A child is interrupted with its parent (a branch with its execution); not the other way round. */
  constructor(parent?: Interrupt) {
    if (!parent) return;
    if (parent.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
    } else {
      this.parent = parent;
      parent.on(this);
    }
  }

  on(listener: InterruptListener): void {
    (this.listeners ??= new Set()).add(listener);
  }

  off(listener: InterruptListener): void {
    this.listeners?.delete(listener);
  }

  onInterrupt(reason: unknown): void {
    this.fire(reason);
  }

  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.parent?.off(this);
    this.controller?.abort(reason);
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l.onInterrupt(reason);
  }

  /** Stops following the parent (the branch is over). */
  dispose(): void {
    this.parent?.off(this);
  }

  /** A real AbortSignal that aborts with this interrupt, built on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}
