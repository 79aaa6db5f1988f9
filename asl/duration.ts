/**
 * Time as a type: the DSL takes Durations, the serialised ASL holds whole seconds only.
 */
export class Duration {
  private constructor(private readonly totalSeconds: number) {}

  static seconds(amount: number): Duration {
    return Duration.of(amount, 1, 'seconds');
  }

  static minutes(amount: number): Duration {
    return Duration.of(amount, 60, 'minutes');
  }

  static hours(amount: number): Duration {
    return Duration.of(amount, 3600, 'hours');
  }

  /** ASL fields such as Seconds and TimeoutSeconds hold whole, non-negative seconds. */
  toSeconds(): number {
    return this.totalSeconds;
  }

  toString(): string {
    return `${this.totalSeconds} seconds`;
  }

  private static of(amount: number, factor: number, unit: string): Duration {
    const total = amount * factor;
    if (!Number.isFinite(amount) || amount < 0 || !Number.isInteger(total)) {
      throw new RangeError(`Duration must be a whole, non-negative number of seconds; got ${amount} ${unit}`);
    }
    return new Duration(total);
  }
}
