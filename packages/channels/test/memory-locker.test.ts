// Tests of the in-memory Locker on the deterministic scheduler: try-lock with no queue, re-entrance,
// release semantics (§D), release on the holder's death, the lease kill and its timing, no timers
// while idle, and a property over random interleavings of acquire, release and kill.
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { setup } from 'xstate';
import { createDeterministicScheduler, createRuntime, createSeededEntropy } from '@switchboard/runtime';
import type { ExitSignal, Pid } from '@switchboard/runtime';
import { InvalidChannelOption } from '../src/errors.js';
import {
  DEFAULT_LOCK_LEASE_MS,
  createMemoryLocker,
  isLeaseExpired,
  leaseCheckIntervalMs,
  leaseKillWindow,
} from '../src/memory-locker.js';
import type { MemoryLockerOptions } from '../src/memory-locker.js';

/** An owner that does nothing: it lives until it is killed. */
const idle = setup({}).createMachine({});

function world(seed = 1, options: MemoryLockerOptions = { leaseMs: 1000 }) {
  const sched = createDeterministicScheduler({ seed, auto: false });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed) });
  const locker = createMemoryLocker(rt, options);
  const owner = (): Pid => rt.spawn(idle);
  /** Clock time of each process's exit, by pid text. */
  const exits = new Map<string, number>();
  rt.inspect((e) => {
    if (e.type === 'rt.exit') exits.set(String(e.pid), sched.now());
  });
  return { sched, rt, locker, owner, exits };
}

describe('createMemoryLocker', () => {
  describe('try-lock', () => {
    it('answers false at once to a second owner, without queueing it', async () => {
      const { locker, owner } = world();
      const [a, b] = [owner(), owner()];
      expect(await locker.acquire('c1', a)).toBe(true);
      expect(await locker.acquire('c1', b)).toBe(false);
      expect(locker.holder('c1')).toEqual(a);
      // Nothing was queued for b: once a releases, the lock is simply free.
      await locker.release('c1', a);
      expect(locker.holder('c1')).toBeUndefined();
    });

    it('locks client ids independently', async () => {
      const { locker, owner } = world();
      const [a, b] = [owner(), owner()];
      expect(await locker.acquire('c1', a)).toBe(true);
      expect(await locker.acquire('c2', b)).toBe(true);
      expect(locker.held().map((l) => [l.clientId, String(l.owner)])).toEqual([
        ['c1', String(a)],
        ['c2', String(b)],
      ]);
    });

    it('is re-entrant for its owner, and one release frees it (the counter caps at 1)', async () => {
      const { locker, owner } = world();
      const a = owner();
      expect(await locker.acquire('c1', a)).toBe(true);
      expect(await locker.acquire('c1', a)).toBe(true);
      expect(locker.held()).toHaveLength(1);
      expect(await locker.release('c1', a)).toBe(true);
      expect(locker.holder('c1')).toBeUndefined();
    });

    it('records when the lock was taken', async () => {
      const { locker, owner, sched } = world();
      const a = owner();
      sched.advance(250);
      await locker.acquire('c1', a);
      expect(locker.held()).toEqual([{ clientId: 'c1', owner: a, since: 250 }]);
    });
  });

  describe('release', () => {
    it('succeeds twice in a row, and on a free lock', async () => {
      const { locker, owner } = world();
      const a = owner();
      await locker.acquire('c1', a);
      expect(await locker.release('c1', a)).toBe(true);
      expect(await locker.release('c1', a)).toBe(true);
      expect(await locker.release('never-locked', a)).toBe(true);
    });

    it('answers false to a non-owner and leaves the lock held', async () => {
      const { locker, owner } = world();
      const [a, b] = [owner(), owner()];
      await locker.acquire('c1', a);
      expect(await locker.release('c1', b)).toBe(false);
      expect(locker.holder('c1')).toEqual(a);
    });
  });

  describe('owner death', () => {
    it('releases the lock once the DOWN of its killed holder is handled', async () => {
      const { locker, owner, rt, sched } = world();
      const [a, b] = [owner(), owner()];
      await locker.acquire('c1', a);
      await locker.acquire('c2', a);
      rt.exit(a, 'kill');
      // Until the locker has handled the DOWN the lock is still a's: a try-lock, so b fails.
      expect(locker.holder('c1')).toEqual(a);
      expect(await locker.acquire('c1', b)).toBe(false);
      sched.runUntilIdle({ advanceTime: false });
      expect(locker.held()).toEqual([]);
      expect(await locker.acquire('c1', b)).toBe(true);
      expect(sched.now()).toBe(0);
    });

    it('releases the lock of a holder that exits on its own', async () => {
      const { locker, owner, rt, sched } = world();
      const a = owner();
      await locker.acquire('c1', a);
      rt.exit(a, 'shutdown');
      sched.runUntilIdle({ advanceTime: false });
      expect(locker.holder('c1')).toBeUndefined();
    });

    it('refuses to lock for a dead or exiting owner', async () => {
      const { locker, owner, rt, sched } = world();
      const [a, b] = [owner(), owner()];
      rt.exit(a, 'kill');
      expect(await locker.acquire('c1', a)).toBe(false);
      sched.runUntilIdle();
      expect(await locker.acquire('c1', a)).toBe(false);
      expect(locker.held()).toEqual([]);
      expect(await locker.acquire('c1', b)).toBe(true);
    });

    it('ignores the DOWN of an older monitor after its owner released and locked again', async () => {
      const { locker, owner, rt, sched } = world();
      const a = owner();
      await locker.acquire('c1', a);
      await locker.release('c1', a);
      await locker.acquire('c2', a);
      sched.runUntilIdle({ advanceTime: false });
      expect(locker.holder('c2')).toEqual(a);
      // One monitor per owner that holds something, none for an owner that holds nothing.
      expect(rt.processInfo(locker.pid)?.monitors).toEqual([a]);
      await locker.release('c2', a);
      expect(rt.processInfo(locker.pid)?.monitors).toEqual([]);
    });
  });

  describe('lease', () => {
    it('kills a holder that outlives the lease, at the first check after it, and frees its lock', async () => {
      const { locker, owner, rt, sched, exits } = world(3, { leaseMs: 1000 });
      const a = owner();
      const trace = rt.trace.collect();
      await locker.acquire('c1', a);
      sched.advance(999);
      expect(rt.isAlive(a)).toBe(true);
      sched.runUntilIdle();
      expect(rt.isAlive(a)).toBe(false);
      // Checks run at 500 and 1000 after the first lock: the one at 1000 sees a held lock of age 1000.
      expect(exits.get(String(a))).toBe(1000);
      expect(locker.held()).toEqual([]);
      expect(trace.ofKind('locker.lease.expired')).toHaveLength(1);
      expect(sched.pendingTimers).toBe(0);
    });

    it('kills each holder between leaseMs and 1.5 × leaseMs after it took its lock', async () => {
      const leaseMs = 1000;
      const { locker, owner, sched, exits } = world(5, { leaseMs });
      const takenAt = new Map<string, number>();
      const owners: Pid[] = [];
      for (const [i, delay] of [0, 100, 499, 1, 650].entries()) {
        sched.advance(delay);
        const o = owner();
        owners.push(o);
        await locker.acquire(`c${i}`, o);
        takenAt.set(String(o), sched.now());
      }
      sched.runUntilIdle();
      const window = leaseKillWindow(leaseMs);
      for (const o of owners) {
        const held = (exits.get(String(o)) ?? NaN) - (takenAt.get(String(o)) ?? NaN);
        expect(held).toBeGreaterThanOrEqual(window.earliestMs);
        expect(held).toBeLessThanOrEqual(window.latestMs);
      }
      expect(locker.held()).toEqual([]);
    });

    it('does not extend the lease on a re-entrant acquire', async () => {
      const { locker, owner, sched, exits } = world(1, { leaseMs: 1000 });
      const a = owner();
      await locker.acquire('c1', a);
      sched.advance(900);
      await locker.acquire('c1', a);
      sched.runUntilIdle();
      expect(exits.get(String(a))).toBe(1000);
    });

    it('kills nobody who releases in time', async () => {
      const { locker, owner, rt, sched } = world(1, { leaseMs: 1000 });
      const a = owner();
      await locker.acquire('c1', a);
      sched.advance(900);
      await locker.release('c1', a);
      sched.runUntilIdle();
      expect(rt.isAlive(a)).toBe(true);
      expect(sched.now()).toBe(900);
    });

    it('never runs a timer with an infinite lease', async () => {
      const { locker, owner, rt, sched } = world(1, { leaseMs: Infinity });
      const a = owner();
      await locker.acquire('c1', a);
      expect(sched.pendingTimers).toBe(0);
      sched.runUntilIdle();
      expect(rt.isAlive(a)).toBe(true);
      expect(locker.holder('c1')).toEqual(a);
    });
  });

  describe('timers', () => {
    it('schedules no timer while no lock is held', async () => {
      const { locker, owner, rt, sched } = world();
      const [a, b] = [owner(), owner()];
      sched.runUntilIdle();
      expect(sched.pendingTimers).toBe(0);
      await locker.acquire('c1', a);
      await locker.acquire('c2', b);
      expect(sched.pendingTimers).toBe(1);
      await locker.release('c1', a);
      expect(sched.pendingTimers).toBe(1);
      await locker.release('c2', b);
      expect(sched.pendingTimers).toBe(0);
      await locker.acquire('c1', a);
      rt.exit(a, 'kill');
      sched.runUntilIdle({ advanceTime: false });
      expect(sched.pendingTimers).toBe(0);
      // Nothing left to wait for: running until idle does not move time.
      sched.runUntilIdle();
      expect(sched.now()).toBe(0);
    });
  });

  describe('lifecycle', () => {
    it('defaults to the 60 s lease and checks every 30 s', () => {
      const { rt } = world();
      const locker = createMemoryLocker(rt);
      expect(locker.leaseMs).toBe(DEFAULT_LOCK_LEASE_MS);
      expect(DEFAULT_LOCK_LEASE_MS).toBe(60_000);
      expect(leaseCheckIntervalMs(60_000)).toBe(30_000);
      expect(leaseKillWindow(60_000)).toEqual({ earliestMs: 60_000, latestMs: 90_000 });
      expect(isLeaseExpired(0, 59_999, 60_000)).toBe(false);
      expect(isLeaseExpired(0, 60_000, 60_000)).toBe(true);
    });

    it('registers its process under the given name', () => {
      const { rt } = world();
      const locker = createMemoryLocker(rt, { name: 'cm_locker' });
      expect(rt.whereis('cm_locker')).toEqual(locker.pid);
    });

    it.each([0, -1, NaN, '5' as unknown as number])(
      'rejects leaseMs %s with CH_ERR_INVALID_OPTION',
      (leaseMs) => {
        const { rt } = world();
        expect(() => createMemoryLocker(rt, { leaseMs })).toThrow(
          expect.toSatisfy((err: unknown) => InvalidChannelOption.is(err)),
        );
      },
    );

    it('stops its process and timers on close, and locks nothing afterwards', async () => {
      const { locker, owner, rt, sched } = world();
      const a = owner();
      await locker.acquire('c1', a);
      await locker.close();
      await locker.close();
      expect(rt.isAlive(locker.pid)).toBe(false);
      expect(sched.pendingTimers).toBe(0);
      expect(locker.held()).toEqual([]);
      expect(await locker.acquire('c1', a)).toBe(false);
      sched.runUntilIdle();
      expect(rt.isAlive(a)).toBe(true);
    });

    it('locks nothing once its process is gone, since no death could free the lock', async () => {
      const { locker, owner, rt, sched } = world();
      rt.exit(locker.pid, 'kill');
      sched.runUntilIdle();
      expect(await locker.acquire('c1', owner())).toBe(false);
    });
  });

  // --- Property: random interleavings of acquire / release / kill on the seeded scheduler.

  type Op =
    | { readonly kind: 'acquire' | 'release'; readonly owner: number; readonly clientId: string }
    | { readonly kind: 'exit'; readonly owner: number; readonly signal: ExitSignal }
    | { readonly kind: 'respawn'; readonly owner: number }
    | { readonly kind: 'steps'; readonly n: number }
    | { readonly kind: 'advance'; readonly ms: number };

  const ownerArb = fc.integer({ min: 0, max: 2 });
  const clientIdArb = fc.constantFrom('c1', 'c2');
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('acquire' as const), owner: ownerArb, clientId: clientIdArb }),
      weight: 4,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('release' as const), owner: ownerArb, clientId: clientIdArb }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('exit' as const),
        owner: ownerArb,
        signal: fc.constantFrom<ExitSignal>('kill', 'shutdown'),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant('respawn' as const), owner: ownerArb }), weight: 2 },
    {
      arbitrary: fc.record({ kind: fc.constant('steps' as const), n: fc.integer({ min: 1, max: 5 }) }),
      weight: 3,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 800 }) }),
      weight: 1,
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(opArb, { minLength: 1, maxLength: 60 })], {
    numRuns: 200,
  })(
    'keeps at most one owner per client id at every step, and no lock of a dead owner once idle',
    async (seed, ops) => {
      const { locker, owner, rt, sched } = world(seed, { leaseMs: 1000 });
      const owners = [owner(), owner(), owner()];
      // Who was told it holds each lock (acquire answered true, no release since).
      const believers = new Map<string, Set<string>>([
        ['c1', new Set()],
        ['c2', new Set()],
      ]);

      const check = (): void => {
        for (const [clientId, set] of believers) {
          const holder = locker.holder(clientId);
          for (const key of set) {
            const p = owners.find((o) => String(o) === key);
            // §H.5: an owner that is alive and was granted the lock is its only holder.
            if (p !== undefined && rt.isAlive(p)) expect(String(holder)).toBe(key);
          }
          if (holder !== undefined) expect(set.has(String(holder))).toBe(true);
        }
      };

      for (const op of ops) {
        switch (op.kind) {
          case 'acquire': {
            const p = owners[op.owner] as Pid;
            if (await locker.acquire(op.clientId, p)) believers.get(op.clientId)?.add(String(p));
            break;
          }
          case 'release': {
            const p = owners[op.owner] as Pid;
            if (await locker.release(op.clientId, p)) believers.get(op.clientId)?.delete(String(p));
            break;
          }
          case 'exit':
            rt.exit(owners[op.owner] as Pid, op.signal);
            break;
          case 'respawn':
            if (!rt.isAlive(owners[op.owner] as Pid)) owners[op.owner] = owner();
            break;
          case 'steps':
            for (let i = 0; i < op.n && sched.step(); i++) check();
            break;
          case 'advance':
            sched.advance(op.ms);
            break;
        }
        check();
      }

      // Quiescence at the current time: every DOWN handled, so no lock names a dead owner, and the
      // locker monitors exactly the owners that hold locks.
      sched.runUntilIdle({ advanceTime: false });
      check();
      for (const lock of locker.held()) expect(rt.isAlive(lock.owner)).toBe(true);
      const monitored = (rt.processInfo(locker.pid)?.monitors ?? []).map(String).sort();
      expect(monitored).toEqual([...new Set(locker.held().map((l) => String(l.owner)))].sort());

      // Letting time run, the lease kills every remaining holder; then nothing is left, not even a timer.
      sched.runUntilIdle();
      expect(locker.held()).toEqual([]);
      expect(sched.pendingTimers).toBe(0);
    },
  );
});
