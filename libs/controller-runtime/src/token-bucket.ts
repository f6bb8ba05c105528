/** Anything that tells the time in epoch milliseconds (a Clock or a Scheduler). */
export interface TimeSource {
  now(): number;
}

/**
 * A token bucket with golang.org/x/time/rate semantics: it starts full (`burst` tokens) and refills
 * at `qps` tokens per second up to `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly time: TimeSource,
  ) {
    this.tokens = burst;
    this.last = time.now();
  }

  /** Takes a token now or in the future; returns how long (ms) the caller must wait (rate.Reserve). */
  reserve(): number {
    const now = this.time.now();
    const tokens = this.available(now) - 1;
    this.tokens = tokens;
    this.last = Math.max(this.last, now);
    return tokens < 0 ? (-tokens / this.qps) * 1000 : 0;
  }

  /** Takes a token if one is available right now (rate.Allow / flowcontrol TryAccept). */
  tryAccept(): boolean {
    const now = this.time.now();
    const tokens = this.available(now);
    if (tokens < 1) {
      return false;
    }
    this.tokens = tokens - 1;
    this.last = Math.max(this.last, now);
    return true;
  }

  private available(now: number): number {
    const elapsedSeconds = Math.max(0, now - this.last) / 1000;
    return Math.min(this.burst, this.tokens + elapsedSeconds * this.qps);
  }
}
