/**
 * Cancellation inside the engine. AbortController/EventTarget costs more than most states do, so
 * executions and branches use this plain listener set, and only build a real AbortSignal (for
 * handlers and clock sleeps) when one is asked for, once per branch.
 */
export class Interrupt {
  aborted = false;
  reason: unknown;
  private listeners: Set<(reason: unknown) => void> | undefined;
  private controller: AbortController | undefined;
  private readonly detach: (() => void) | undefined;

  /** A child is interrupted with its parent (a branch with its execution); not the other way round. */
  constructor(parent?: Interrupt) {
    if (!parent) return;
    if (parent.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
    } else {
      const onParent = (r: unknown): void => this.fire(r);
      parent.on(onParent);
      this.detach = () => parent.off(onParent);
    }
  }

  on(listener: (reason: unknown) => void): void {
    (this.listeners ??= new Set()).add(listener);
  }

  off(listener: (reason: unknown) => void): void {
    this.listeners?.delete(listener);
  }

  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.detach?.();
    this.controller?.abort(reason);
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l(reason);
  }

  /** Stops following the parent (the branch is over). */
  dispose(): void {
    this.detach?.();
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
