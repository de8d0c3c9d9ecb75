import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { createMachine } from 'xstate';
import {
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  createSupervisor,
} from '@switchboard/runtime';
import type { Pid } from '@switchboard/runtime';

const crashy = createMachine({
  on: {
    crash: {
      actions: () => {
        throw new Error('crash');
      },
    },
  },
});

/** OTP's rule: give up when more than `intensity` restarts fall within the last `period` ms. */
function modelGivesUp(
  intensity: number,
  periodMs: number,
  crashTimes: readonly number[],
): number | undefined {
  const restarts: number[] = [];
  for (let i = 0; i < crashTimes.length; i++) {
    const now = crashTimes[i] as number;
    restarts.push(now);
    while (restarts.length > 0 && (restarts[0] as number) <= now - periodMs) restarts.shift();
    if (restarts.length > intensity) return i;
  }
  return undefined;
}

test.prop(
  [
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 50, max: 1000 }),
    fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 12 }),
    fc.integer(),
  ],
  { numRuns: 150 },
)(
  'a supervisor gives up exactly when restarts exceed its intensity within its period',
  async (intensity, periodMs, gaps, seed) => {
    // Arrange
    const sched = createDeterministicScheduler({ seed, auto: false });
    const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed) });
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      intensity,
      periodMs,
      children: [{ id: 'c', logic: crashy }],
    });
    const crashTimes: number[] = [];
    // Act: crash the child after each gap, as long as the supervisor lives
    for (const gap of gaps) {
      sched.advance(gap);
      if (!rt.isAlive(sup.pid)) break;
      const children = sup.whichChildren();
      sched.runUntilIdle({ advanceTime: false });
      const [child] = await children;
      crashTimes.push(sched.now());
      rt.send(child?.pid as Pid, { type: 'crash' });
      sched.runUntilIdle({ advanceTime: false });
    }
    // Assert
    const gaveUpAt = modelGivesUp(intensity, periodMs, crashTimes);
    expect(rt.isAlive(sup.pid)).toBe(gaveUpAt === undefined);
    if (gaveUpAt !== undefined) {
      expect(gaveUpAt).toBe(crashTimes.length - 1);
      expect(rt.processes()).toEqual([]);
    }
  },
);
