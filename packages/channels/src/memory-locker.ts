/**
 * `createMemoryLocker`: the in-memory implementation of the {@link Locker} port, EMQX's
 * `emqx_cm_locker` on ekka_locker's `local` strategy (spec §D). It owns the lock table (plain
 * data: clientId → owner and since) and one small locker process that
 *
 * - monitors every owner while it holds a lock, and releases all of an owner's locks when its
 *   DOWN arrives — deterministically, where ekka only notices a dead owner at its next lease
 *   check;
 * - kills any owner that has held a lock for `leaseMs` or longer (its DOWN then frees the lock),
 *   checking every `leaseMs / 2` on the runtime's clock, and only while some lock is held.
 *
 * `acquire` and `release` are synchronous check-and-set operations behind already-settled
 * promises (the port is async for the cluster backend): a true try-lock with no queue.
 */
import type { DownMessage, Pid, Ref, Runtime, TimerHandle } from '@switchboard/runtime';
import { setup } from 'xstate';
import { pidKey } from './channel-tables.js';
import { InvalidChannelOption } from './errors.js';
import type { LockInfo, Locker } from './locker.js';
import { bugs } from '#bugs';

// --- Messages

/** Asks the locker process to kill the owners whose lease has run out. Sent by its own lease timer. */
export interface LeaseCheckMessage {
  readonly type: 'locker.lease.check';
}

/** Everything the locker process handles: its lease tick and the DOWN of an owner it monitors. */
export type LockerMessage = LeaseCheckMessage | DownMessage;

// --- API

/** The default lease: EMQX 4.4's 60 s, long enough for a takeover (2 × T_TAKEOVER of 15 s) to finish inside the lock. */
export const DEFAULT_LOCK_LEASE_MS = 60_000;

/** Options of {@link createMemoryLocker}. */
export interface MemoryLockerOptions {
  /**
   * How long an owner may hold a lock before the locker kills it, in ms. Default
   * {@link DEFAULT_LOCK_LEASE_MS}; `Infinity` disables the lease (no timer ever runs).
   */
  readonly leaseMs?: number;
  /** Registers the locker process under this name; also names its log lines and lease timer. Default: unregistered, `'locker'`. */
  readonly name?: string;
}

/** The in-memory locker: the {@link Locker} port plus what tests and the inspector look at. */
export interface MemoryLocker extends Locker {
  /** The locker process (it holds the owner monitors and runs the lease check). */
  readonly pid: Pid;
  /** The lease in force, in ms. */
  readonly leaseMs: number;
}

/**
 * How often the locker checks leases: every `leaseMs / 2`. A lock taken just after a check is
 * seen overdue at the first check at or after `since + leaseMs`, so a stuck owner is killed
 * within {@link leaseKillWindow} — tighter than ekka's two sightings 2 × lease apart (up to
 * 3 × lease).
 *
 * @example
 * ```ts
 * leaseCheckIntervalMs(60_000); // 30_000
 * ```
 */
export function leaseCheckIntervalMs(leaseMs: number): number {
  return leaseMs / 2;
}

/**
 * When, after taking a lock, an owner that never releases it is killed: no earlier than `leaseMs`
 * and no later than `leaseMs + leaseCheckIntervalMs(leaseMs)` (1.5 × lease).
 *
 * @example
 * ```ts
 * leaseKillWindow(60_000); // { earliestMs: 60_000, latestMs: 90_000 }
 * ```
 */
export function leaseKillWindow(leaseMs: number): { readonly earliestMs: number; readonly latestMs: number } {
  return { earliestMs: leaseMs, latestMs: leaseMs + leaseCheckIntervalMs(leaseMs) };
}

/**
 * True when a lock taken at `since` has outlived its lease at `now`.
 *
 * @example
 * ```ts
 * isLeaseExpired(0, 60_000, 60_000); // true
 * ```
 */
export function isLeaseExpired(since: number, now: number, leaseMs: number): boolean {
  return now - since >= leaseMs;
}

/**
 * Creates an in-memory locker and spawns its process on `runtime`.
 *
 * - `acquire(clientId, owner)`: true if the lock was free (now taken by `owner`) or already held
 *   by `owner` (re-entrant); false at once if another owner holds it, if `owner` is not alive, or
 *   if the locker is closed or its process is gone (without it no death would free the lock).
 * - `release(clientId, owner)`: deletes the lock only if `owner` holds it; a free lock gives
 *   true (so releasing twice is fine), someone else's gives false.
 *
 * @throws {TypeError} CH_ERR_INVALID_OPTION when `leaseMs` is not a positive number.
 * @example
 * ```ts
 * const locker = createMemoryLocker(rt, { leaseMs: 60_000 });
 * await locker.acquire('c1', chanA); // true
 * await locker.acquire('c1', chanB); // false: try-lock, no queue
 * rt.exit(chanA, 'kill'); // once its DOWN is handled, the lock is free
 * ```
 */
export function createMemoryLocker(runtime: Runtime, options: MemoryLockerOptions = {}): MemoryLocker {
  const leaseMs = options.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
  if (typeof leaseMs !== 'number' || Number.isNaN(leaseMs) || leaseMs <= 0) {
    throw new InvalidChannelOption(`locker: \`leaseMs\` must be a positive number, got ${String(leaseMs)}`);
  }
  const name = options.name ?? 'locker';
  const log = runtime.logger.child({ actor: name, kind: 'locker' });
  const locks = new Map<string, LockRow>();
  const owners = new Map<string, OwnerRow>();
  let timer: TimerHandle | undefined;
  // A fired tick whose check message the process has not handled yet; it re-arms the timer itself.
  let checkQueued = false;
  let closed = false;

  const arm = (): void => {
    if (timer !== undefined || checkQueued || locks.size === 0 || leaseMs === Infinity) return;
    timer = runtime.clock.setTimeout(
      () => {
        timer = undefined;
        // The check runs inside the locker process, so kills are ordered with the DOWNs it handles.
        checkQueued = runtime.send(self, { type: 'locker.lease.check' } satisfies LeaseCheckMessage);
      },
      leaseCheckIntervalMs(leaseMs),
      `${name}.lease`,
    );
  };
  // An idle locker holds no timer, so a test that runs until idle never jumps time for it.
  const disarmIfIdle = (): void => {
    if (locks.size > 0 || timer === undefined) return;
    runtime.clock.clearTimeout(timer);
    timer = undefined;
  };
  const drop = (row: LockRow): void => {
    locks.delete(row.clientId);
    const owner = owners.get(row.ownerKey);
    owner?.clientIds.delete(row.clientId);
    if (owner !== undefined && owner.clientIds.size === 0) {
      // Holding nothing, the owner needs no monitor; the flush drops a DOWN already queued.
      owners.delete(row.ownerKey);
      runtime.demonitor(owner.ref, { flush: true });
    }
  };

  const handlers: LockerHandlers = {
    ownerDown(ref, pid) {
      // B8: the owner's death is left to the lease check (ekka's way), the lock is not released here.
      // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
      if (bugs.B8) return;
      const key = pidKey(pid);
      const owner = owners.get(key);
      // A DOWN of an older monitor (the owner released everything, then locked again) is stale.
      if (owner === undefined || String(owner.ref) !== String(ref)) return;
      owners.delete(key);
      for (const clientId of owner.clientIds) {
        locks.delete(clientId);
        if (runtime.trace.active)
          runtime.trace.tp('locker.released', { clientId, owner: pid, by: 'owner-down' });
      }
      log.debug({ conn: key, released: owner.clientIds.size }, 'lock owner down, its locks released');
      disarmIfIdle();
    },
    checkLeases() {
      checkQueued = false;
      const now = runtime.clock.now();
      const killed = new Set<string>();
      for (const row of locks.values()) {
        if (killed.has(row.ownerKey) || !isLeaseExpired(row.since, now, leaseMs)) continue;
        // B8: a dead owner's lock goes at its lease (its DOWN was ignored).
        // Stryker disable all: bug catalogue (docs/reference/bug-catalogue.md)
        if (bugs.B8 && !runtime.isAlive(row.owner)) {
          drop(row);
          continue;
        }
        // Stryker restore all
        killed.add(row.ownerKey);
        log.warn({ conn: row.ownerKey, heldMs: now - row.since }, 'lock lease expired, killing its owner');
        runtime.trace.tp('locker.lease.expired', { clientId: row.clientId, owner: row.owner });
        runtime.exit(row.owner, 'kill');
      }
      arm();
    },
  };
  const self = runtime.spawn(
    lockerMachine,
    options.name === undefined ? { input: handlers } : { name: options.name, input: handlers },
  );

  return {
    pid: self,
    leaseMs,
    acquire(clientId, owner) {
      const trace = runtime.trace;
      if (closed || !runtime.isAlive(self) || !runtime.isAlive(owner)) {
        if (trace.active) trace.tp('locker.refused', { clientId, owner, holder: undefined });
        return Promise.resolve(false);
      }
      const ownerKey = pidKey(owner);
      const row = locks.get(clientId);
      if (row !== undefined) {
        const mine = row.ownerKey === ownerKey;
        if (trace.active) {
          if (mine) trace.tp('locker.acquired', { clientId, owner, reentrant: true });
          else trace.tp('locker.refused', { clientId, owner, holder: row.owner });
        }
        return Promise.resolve(mine);
      }
      let entry = owners.get(ownerKey);
      if (entry === undefined) {
        entry = { ref: runtime.monitor(self, owner), clientIds: new Set() };
        owners.set(ownerKey, entry);
      }
      entry.clientIds.add(clientId);
      // `since` is set once: re-entrant acquires do not extend the lease (ekka keeps `created`).
      locks.set(clientId, { clientId, owner, ownerKey, since: runtime.clock.now() });
      if (trace.active) trace.tp('locker.acquired', { clientId, owner, reentrant: false });
      arm();
      return Promise.resolve(true);
    },
    release(clientId, owner) {
      const row = locks.get(clientId);
      if (row === undefined) return Promise.resolve(true);
      if (row.ownerKey !== pidKey(owner)) return Promise.resolve(false);
      drop(row);
      if (runtime.trace.active) runtime.trace.tp('locker.released', { clientId, owner, by: 'release' });
      disarmIfIdle();
      return Promise.resolve(true);
    },
    holder: (clientId) => locks.get(clientId)?.owner,
    held: () =>
      [...locks.values()].map(({ clientId, owner, since }): LockInfo => ({ clientId, owner, since })),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      if (timer !== undefined) runtime.clock.clearTimeout(timer);
      timer = undefined;
      // The monitors die with the process; the table goes with them, so nothing outlives close().
      locks.clear();
      owners.clear();
      runtime.exit(self, 'shutdown');
      return Promise.resolve();
    },
  };
}

// --- Behaviour

interface LockerHandlers {
  ownerDown(ref: Ref, pid: Pid): void;
  checkLeases(): void;
}

/**
 * The locker process: it only reacts; the lock table it guards lives in the closure of
 * `createMemoryLocker`, reached through the handlers it is spawned with. Built once, at module
 * level: building a machine definition costs far more than spawning it, and a test that creates
 * a locker per run (the race kit) would pay it every time.
 */
const lockerMachine = setup({
  types: { events: {} as LockerMessage, input: {} as LockerHandlers, context: {} as LockerHandlers },
}).createMachine({
  id: 'locker',
  context: ({ input }) => input,
  on: {
    'rt.down': { actions: ({ context, event }) => context.ownerDown(event.ref, event.pid) },
    'locker.lease.check': { actions: ({ context }) => context.checkLeases() },
  },
});

// --- Internals

interface LockRow {
  readonly clientId: string;
  readonly owner: Pid;
  /** `String(owner)`, computed once. */
  readonly ownerKey: string;
  /** Clock time the lock was taken. */
  readonly since: number;
}

interface OwnerRow {
  /** The locker's monitor on the owner: one per owner while it holds any lock. */
  readonly ref: Ref;
  readonly clientIds: Set<string>;
}
