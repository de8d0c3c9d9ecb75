/** A token bucket: at most `ratePerSec` takes per second, with up to one second's worth in a burst. */

/**
 * @example
 * ```ts
 * const bucket = new TokenBucket(100, clock.now());
 * if (!bucket.take(clock.now())) refuse(REASON.CONNECTION_RATE_EXCEEDED);
 * ```
 */
export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly ratePerSec: number,
    private last: number,
  ) {
    this.tokens = Number.isFinite(ratePerSec) ? ratePerSec : Infinity;
  }

  /** Takes one token if there is one. `now` is in ms. */
  take(now: number): boolean {
    if (this.ratePerSec === Infinity) return true;
    this.tokens = Math.min(this.ratePerSec, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
