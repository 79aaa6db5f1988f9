/** The account-wide rate limit of the simulated OCP: a token bucket in real time. */
import { performance } from 'node:perf_hooks';

export interface RateLimitOptions {
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period; defaults to one second's worth. */
  burst?: number;
}

export class TokenBucket {
  private tokens: number;
  private at = performance.now();
  private readonly burst: number;

  constructor(private readonly options: RateLimitOptions) {
    this.burst = options.burst ?? options.requestsPerSecond;
    this.tokens = this.burst;
  }

  /** Takes a token; when there is none, returns the whole seconds until there will be one. */
  take(): number | undefined {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.options.requestsPerSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.options.requestsPerSecond));
  }
}
