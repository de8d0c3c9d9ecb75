/**
 * The Locker port: a per-client-id try-lock (ekka_locker's semantics). No queue: a held lock
 * answers false at once. Re-entrant for its owner; releasing twice is fine; a lock is released
 * when its owner dies; an owner that holds a lock longer than the lease is killed. In-memory
 * implementation in `memory-locker.ts`; a Redis one comes with the cluster backend.
 */
import type { Pid } from '@switchboard/runtime';

/** A held lock, as `held()` lists it. */
export interface LockInfo {
  readonly clientId: string;
  readonly owner: Pid;
  /** Clock time the lock was taken. */
  readonly since: number;
}

/** The Locker port. */
export interface Locker {
  /** Takes the lock for `owner`; true if taken (or already held by `owner`), false if held by another. */
  acquire(clientId: string, owner: Pid): Promise<boolean>;
  /** Releases the lock if `owner` holds it. True if released or already free; false if another owner holds it. */
  release(clientId: string, owner: Pid): Promise<boolean>;
  /** The current holder, if any. */
  holder(clientId: string): Pid | undefined;
  /** Every held lock (for the inspector and tests). */
  held(): LockInfo[];
  /** Stops the locker (its process and timers). */
  close(): Promise<void>;
}
