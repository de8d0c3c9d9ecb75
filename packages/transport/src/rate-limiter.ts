/** A token bucket: at most `ratePerSec` takes per second, with up to one second's worth (at least one) in a burst. */

/**
 * @example
 * ```ts
 * const bucket = new TokenBucket(100, clock.now());
 * if (!bucket.take(clock.now())) refuse(REASON.CONNECTION_RATE_EXCEEDED);
 * ```
 */
export class TokenBucket {
  private tokens: number;
  /** At least one token: a rate below 1/s (0.5 = one every 2 s) must still grant a whole take. */
  private readonly burst: number;

  constructor(
    private readonly ratePerSec: number,
    private last: number,
  ) {
    this.burst = Math.max(1, ratePerSec);
    this.tokens = Number.isFinite(ratePerSec) ? this.burst : Infinity;
  }

  /** Takes one token if there is one. `now` is in ms. */
  take(now: number): boolean {
    if (this.ratePerSec === Infinity) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSec) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
