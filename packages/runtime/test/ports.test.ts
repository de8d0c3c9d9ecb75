import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMachine } from 'xstate';
import {
  createDeterministicScheduler,
  createLiveClock,
  createLiveEntropy,
  createRuntime,
  createSeededEntropy,
  jitter,
  sendToPid,
} from '@switchboard/runtime';

describe('live clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits out a delay longer than a Node timer can hold instead of firing at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const clock = createLiveClock();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    let fired = 0;
    clock.setTimeout(() => fired++, thirtyDays);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(thirtyDays - 2 ** 31);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it('never fires an infinite delay, and cancels a long one', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const clock = createLiveClock();
    let fired = 0;
    clock.setTimeout(() => fired++, Infinity);
    const long = clock.setTimeout(() => fired++, 2 ** 32);
    vi.advanceTimersByTime(2 ** 31);
    clock.clearTimeout(long);
    vi.advanceTimersByTime(2 ** 33);
    expect(fired).toBe(0);
  });
});

describe('seeded ports', () => {
  it('explore different schedules from consecutive small seeds', () => {
    const schedules = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const sched = createDeterministicScheduler({ seed, auto: false });
      const rt = createRuntime({ dispatcher: sched, clock: sched });
      const sink = rt.spawn(createMachine({}), { name: 'sink' });
      const sender = createMachine({
        on: { go: { actions: [0, 1, 2].map(() => sendToPid('sink', { type: 'm' })) } },
      });
      // Four processes' messages race to one receiver: the order is the scheduler's choice.
      for (let i = 0; i < 4; i++) rt.send(rt.spawn(sender), { type: 'go' });
      sched.runUntilIdle();
      expect(rt.processInfo(sink)?.mailboxLength).toBe(0);
      schedules.add(sched.decisions.join(' '));
    }
    expect(schedules.size).toBeGreaterThan(30);
  });

  it('make unbiased first choices across consecutive seeds', () => {
    // The first two-way choice of seeds 0..99: an unmixed xoroshiro seed makes nearly all the same.
    const counts = [0, 0];
    for (let seed = 0; seed < 100; seed++) {
      const sched = createDeterministicScheduler({ seed, auto: false });
      counts[sched.chooseCount('first', 2, 2) - 1]! += 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(30);
  });

  it('give consecutive seeds unrelated entropy streams', () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 40; seed++) firsts.add(createSeededEntropy(seed).int(1_000_000));
    expect(firsts.size).toBe(40);
  });
});

describe('entropy ports', () => {
  it('live entropy gives integers in range, floats in [0, 1) and hex ids of the asked size', () => {
    const entropy = createLiveEntropy();
    for (let i = 0; i < 200; i++) {
      const n = entropy.int(7);
      expect(Number.isInteger(n) && n >= 0 && n < 7).toBe(true);
      const f = entropy.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(entropy.int(1)).toBe(0);
    expect(entropy.id()).toMatch(/^[0-9a-f]{32}$/);
    expect(entropy.id(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(entropy.id()).not.toBe(entropy.id());
  });

  it('seeded entropy repeats for a seed and stays in range', () => {
    const a = createSeededEntropy(9);
    const b = createSeededEntropy(9);
    const draw = (e: typeof a) => [e.int(100), e.float(), e.id(8), e.int(1)];
    expect(draw(a)).toEqual(draw(b));
    const f = createSeededEntropy(1).float();
    expect(f >= 0 && f < 1).toBe(true);
  });

  it('jitter spreads a delay within ±ratio', () => {
    const entropy = createSeededEntropy(3);
    for (let i = 0; i < 100; i++) {
      const d = jitter(entropy, 1000, 0.2);
      expect(d >= 800 && d <= 1200).toBe(true);
    }
    expect(jitter(entropy, 1000, 0)).toBe(1000);
  });
});
