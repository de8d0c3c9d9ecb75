/** The reconnect delay formula, example by example and as properties over every input. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from '../../src/client/node.js';

const defaults: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles from initialDelayMs up to maxDelayMs without jitter', () => {
    const exact = { ...defaults, jitter: 0 };
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => backoffDelay(n, exact, 0.99))).toEqual([
      100, 200, 400, 800, 6400, 10_000, 10_000,
    ]);
  });

  it('takes up to the jitter fraction off each delay', () => {
    expect(backoffDelay(3, defaults, 0)).toBe(400);
    expect(backoffDelay(3, defaults, 0.5)).toBe(300);
    expect(backoffDelay(3, { ...defaults, jitter: 1 }, 0.75)).toBe(100);
  });

  it('never comes back sooner than the server hint, and spreads above it', () => {
    expect(backoffDelay(1, defaults, 0, 5_000)).toBe(5_000);
    expect(backoffDelay(1, defaults, 0.5, 5_000)).toBe(6_250);
    // A hint below the backoff leaves the backoff.
    expect(backoffDelay(8, defaults, 0, 50)).toBe(10_000);
  });

  const policies = fc.record({
    initialDelayMs: fc.integer({ min: 0, max: 5_000 }),
    extra: fc.integer({ min: 0, max: 60_000 }),
    factor: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  test.prop([
    policies,
    fc.integer({ min: 1, max: 100 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ])(
    'stays within [base × (1 − jitter), base], base never above maxDelayMs',
    ({ initialDelayMs, extra, factor, jitter }, attempt, r) => {
      const policy = { initialDelayMs, maxDelayMs: initialDelayMs + extra, factor, jitter };
      const base = Math.min(policy.maxDelayMs, initialDelayMs * factor ** (attempt - 1));
      const delay = backoffDelay(attempt, policy, r);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base));
      expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
    },
  );

  test.prop([
    policies,
    fc.integer({ min: 1, max: 100 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  ])(
    'with a hint, waits at least the hint',
    ({ initialDelayMs, extra, factor, jitter }, attempt, r, hint) => {
      const policy = { initialDelayMs, maxDelayMs: initialDelayMs + extra, factor, jitter };
      expect(backoffDelay(attempt, policy, r, hint)).toBeGreaterThanOrEqual(hint);
    },
  );

  test.prop([policies, fc.integer({ min: 1, max: 60 })])(
    'never shrinks from one attempt to the next at equal draws',
    ({ initialDelayMs, extra, factor, jitter }, attempt) => {
      const policy = { initialDelayMs, maxDelayMs: initialDelayMs + extra, factor, jitter };
      expect(backoffDelay(attempt + 1, policy, 0.5)).toBeGreaterThanOrEqual(
        backoffDelay(attempt, policy, 0.5),
      );
    },
  );
});
