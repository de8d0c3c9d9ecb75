// Unit tests of TokenBucket with an explicit `now` (ms): a full second's worth to start with, refill
// in proportion to elapsed time, capped at one second's worth, and Infinity as "no limit".
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { TokenBucket } from '../../src/rate-limiter.js';

/** How many of `n` takes at the same instant succeed. */
function burst(bucket: TokenBucket, now: number, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (bucket.take(now)) ok++;
  return ok;
}

describe('TokenBucket', () => {
  it('starts full: one second of tokens in a burst, then refuses', () => {
    const bucket = new TokenBucket(5, 1000);
    expect(burst(bucket, 1000, 8)).toBe(5);
    expect(bucket.take(1000)).toBe(false);
  });

  it('refills rate × elapsed / 1000 tokens', () => {
    const bucket = new TokenBucket(10, 0);
    expect(burst(bucket, 0, 10)).toBe(10);
    // 100 ms at 10/s is exactly one token.
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
    // 350 ms later: 3.5 tokens, of which 3 whole ones can be taken; the half stays.
    expect(burst(bucket, 450, 10)).toBe(3);
    expect(bucket.take(499)).toBe(false); // 0.5 + 0.49
    expect(bucket.take(500)).toBe(true); // 0.5 + 0.5
  });

  it('keeps fractional refills between takes (no token is lost to rounding)', () => {
    const bucket = new TokenBucket(2, 0);
    burst(bucket, 0, 2);
    // 2/s is a quarter token per 125 ms: every fourth ask succeeds, the quarters add up exactly.
    const granted: number[] = [];
    for (let t = 125; t <= 1500; t += 125) if (bucket.take(t)) granted.push(t);
    expect(granted).toEqual([500, 1000, 1500]);
  });

  it('never holds more than one second of tokens, however long it waited', () => {
    const bucket = new TokenBucket(4, 0);
    burst(bucket, 0, 4);
    expect(burst(bucket, 60_000, 100)).toBe(4);
  });

  it('with rate Infinity, always grants', () => {
    const bucket = new TokenBucket(Infinity, 0);
    expect(burst(bucket, 0, 100_000)).toBe(100_000);
  });

  it('with a rate below one per second, still grants one socket per 1/rate seconds', () => {
    // maxConnRate: 0.5 means one accepted socket every two seconds (the option accepts any rate > 0).
    const bucket = new TokenBucket(0.5, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(1000)).toBe(false);
    expect(bucket.take(2000)).toBe(true);
  });

  test.prop([
    fc.integer({ min: 1, max: 1000 }),
    fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 100 }),
  ])('over any window, grants at most one second of burst plus rate × window', (rate, gaps) => {
    const bucket = new TokenBucket(rate, 0);
    let now = 0;
    let granted = 0;
    for (const gap of gaps) {
      now += gap;
      granted += burst(bucket, now, 5);
    }
    expect(granted).toBeLessThanOrEqual(rate + (rate * now) / 1000 + 1e-9);
  });
});
