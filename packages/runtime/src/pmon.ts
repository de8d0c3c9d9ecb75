/**
 * `PMon`: the data half of EMQX's `emqx_pmon`, a map pid → `{ ref, value }` of the processes an owner
 * monitors. It never talks to the runtime itself: the owner passes `monitor`/`demonitor` callbacks, so
 * this file stays pure data (no I/O, no timers) and can be tested without a runtime.
 *
 * Semantics follow EMQX 5.x: monitoring a pid twice keeps the first ref and value (never a second
 * monitor), `demonitor` of an unknown pid is a no-op, `erase` forgets without demonitoring, and
 * `eraseAll` returns the found entries in reverse input order.
 */

import { InvalidOption } from './errors.js';

/**
 * Constructor options for {@link PMon}.
 *
 * @example
 * ```ts
 * const options: PMonOptions<{ id: number }, number> = {
 *   monitor: (pid) => pid.id * 10,
 *   demonitor: () => {},
 *   key: (pid) => `pid:${pid.id}`,
 * };
 * ```
 */
export interface PMonOptions<TPid, TRef> {
  /** Starts monitoring `pid` and returns the monitor ref. Called at most once per stored pid. */
  readonly monitor: (pid: TPid) => TRef;
  /**
   * Stops the monitor `ref`. Owners should also flush any DOWN already queued for `ref`, as
   * `emqx_pmon:demonitor` does with `[flush]`.
   */
  readonly demonitor: (ref: TRef) => void;
  /** Maps a pid to the string that identifies it; pids are objects, so they can't key a `Map`. Default `String(pid)`. */
  readonly key?: (pid: TPid) => string;
}

interface Entry<TPid, TValue, TRef> {
  readonly pid: TPid;
  readonly ref: TRef;
  readonly value: TValue;
}

/**
 * A process-monitor map pid → `{ ref, value }` (EMQX's `emqx_pmon`). Mutable: each method changes
 * this instance in place. All operations are O(1) on average except `eraseAll` (O(n) in its input).
 *
 * Type parameters: `TPid` the pid type, `TValue` the value stored per pid (EMQX stores the ClientId),
 * `TRef` what the `monitor` callback returns. Give all three explicitly when you store values.
 *
 * @throws {RT_ERR_INVALID_OPTION} from the constructor when `monitor`, `demonitor` or `key` is not a function.
 *
 * @example
 * ```ts
 * const calls: string[] = [];
 * const pmon = new PMon<string, string, number>({
 *   monitor: (pid) => (calls.push(`monitor ${pid}`), calls.length),
 *   demonitor: (ref) => void calls.push(`demonitor ${ref}`),
 * });
 * pmon.monitor('<0.1.0>', 'client-a'); // true: one monitor callback call
 * pmon.monitor('<0.1.0>', 'client-b'); // false: already monitored; value stays 'client-a'
 * pmon.eraseAll(['<0.1.0>', '<0.9.0>']); // [['<0.1.0>', 'client-a']]
 * ```
 */
export class PMon<TPid, TValue = undefined, TRef = unknown> {
  readonly #entries = new Map<string, Entry<TPid, TValue, TRef>>();
  readonly #monitor: (pid: TPid) => TRef;
  readonly #demonitor: (ref: TRef) => void;
  readonly #key: (pid: TPid) => string;

  constructor(options: PMonOptions<TPid, TRef>) {
    const { monitor, demonitor, key = String } = options;
    if (typeof monitor !== 'function') throw new InvalidOption('PMon: `monitor` must be a function');
    if (typeof demonitor !== 'function') throw new InvalidOption('PMon: `demonitor` must be a function');
    if (typeof key !== 'function') throw new InvalidOption('PMon: `key` must be a function');
    this.#monitor = monitor;
    this.#demonitor = demonitor;
    this.#key = key;
  }

  /** The number of monitored pids (`emqx_pmon:count/1`). */
  get count(): number {
    return this.#entries.size;
  }

  /**
   * Monitors `pid` and stores `value` with it. If `pid` is already present nothing changes: the old
   * ref and value stay and the callback is not called again (5.x semantics; 4.3 replaced the value).
   *
   * Returns a boolean rather than `this` (Erlang returns the new pmon) because callers want to know
   * whether a monitor was created, for example to log it; chaining has no use here. If the `monitor`
   * callback throws, nothing is stored and the error propagates.
   *
   * @returns `true` if a new monitor was created, `false` if `pid` was already monitored.
   * @example
   * ```ts
   * const pmon = new PMon<string, number>({ monitor: () => Symbol('ref'), demonitor: () => {} });
   * pmon.monitor('<0.1.0>', 1); // true
   * pmon.monitor('<0.1.0>', 2); // false, and find('<0.1.0>') is still 1
   * ```
   */
  monitor(pid: TPid, ...value: undefined extends TValue ? [value?: TValue] : [value: TValue]): boolean {
    const key = this.#key(pid);
    if (this.#entries.has(key)) return false;
    const ref = this.#monitor(pid);
    this.#entries.set(key, { pid, ref, value: value[0] as TValue });
    return true;
  }

  /**
   * Stops monitoring `pid`: removes its entry and passes its ref to the `demonitor` callback. An
   * unknown pid is a no-op. The entry is removed before the callback runs, so a throwing callback
   * leaves no stale entry behind.
   *
   * @returns `true` if `pid` was monitored.
   * @example
   * ```ts
   * const pmon = new PMon<string>({ monitor: () => 1, demonitor: () => {} });
   * pmon.monitor('<0.1.0>');
   * pmon.demonitor('<0.1.0>'); // true
   * pmon.demonitor('<0.1.0>'); // false, no callback call
   * ```
   */
  demonitor(pid: TPid): boolean {
    const key = this.#key(pid);
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#demonitor(entry.ref);
    return true;
  }

  /**
   * The value stored for `pid`, or `undefined` when it is not monitored (`emqx_pmon:find/2`). Use
   * {@link PMon.has} to tell "absent" from a stored `undefined`.
   *
   * @example
   * ```ts
   * const pmon = new PMon<string, string>({ monitor: () => 1, demonitor: () => {} });
   * pmon.monitor('<0.1.0>', 'client-a');
   * pmon.find('<0.1.0>'); // 'client-a'
   * ```
   */
  find(pid: TPid): TValue | undefined {
    return this.#entries.get(this.#key(pid))?.value;
  }

  /**
   * True when `pid` is monitored.
   *
   * @example
   * ```ts
   * const pmon = new PMon<string>({ monitor: () => 1, demonitor: () => {} });
   * pmon.has('<0.1.0>'); // false
   * ```
   */
  has(pid: TPid): boolean {
    return this.#entries.has(this.#key(pid));
  }

  /**
   * The monitor ref stored for `pid`, or `undefined` when it is not monitored. Owners use it to match
   * a DOWN's ref against the current monitor.
   *
   * @example
   * ```ts
   * const pmon = new PMon<string, undefined, number>({ monitor: () => 7, demonitor: () => {} });
   * pmon.monitor('<0.1.0>');
   * pmon.ref('<0.1.0>'); // 7
   * ```
   */
  ref(pid: TPid): TRef | undefined {
    return this.#entries.get(this.#key(pid))?.ref;
  }

  /**
   * Removes `pid` **without** calling `demonitor`: the owner erases a pid whose DOWN it has just
   * received, when the monitor is already gone.
   *
   * @returns `true` if `pid` was present.
   * @example
   * ```ts
   * const pmon = new PMon<string>({ monitor: () => 1, demonitor: () => {} });
   * pmon.monitor('<0.1.0>');
   * pmon.erase('<0.1.0>'); // true; the demonitor callback is not called
   * ```
   */
  erase(pid: TPid): boolean {
    return this.#entries.delete(this.#key(pid));
  }

  /**
   * Removes every pid of `pids` that is present, without demonitoring, and returns `[pid, value]`
   * for each of them in **reverse input order** (`emqx_pmon:erase_all/2` folds onto a list head).
   * Absent pids, and repeats of a pid already erased, are skipped silently. The returned pid is the
   * one stored by `monitor`. O(n) in the length of `pids`.
   *
   * @example
   * ```ts
   * const pmon = new PMon<string, string>({ monitor: () => 1, demonitor: () => {} });
   * pmon.monitor('a', 'client-a');
   * pmon.monitor('b', 'client-b');
   * pmon.eraseAll(['a', 'x', 'b']); // [['b', 'client-b'], ['a', 'client-a']]
   * ```
   */
  eraseAll(pids: Iterable<TPid>): Array<[TPid, TValue]> {
    const items: Array<[TPid, TValue]> = [];
    for (const pid of pids) {
      const key = this.#key(pid);
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      this.#entries.delete(key);
      items.push([entry.pid, entry.value]);
    }
    return items.reverse();
  }

  /**
   * Iterates `[pid, value]` for every monitored pid, in monitoring order. Removing entries while
   * iterating is safe (it is a `Map` underneath).
   *
   * @example
   * ```ts
   * const pmon = new PMon<string, number>({ monitor: () => 1, demonitor: () => {} });
   * pmon.monitor('a', 1);
   * [...pmon.entries()]; // [['a', 1]]
   * ```
   */
  *entries(): IterableIterator<[TPid, TValue]> {
    for (const entry of this.#entries.values()) yield [entry.pid, entry.value];
  }

  /** Same as {@link PMon.entries}. */
  [Symbol.iterator](): IterableIterator<[TPid, TValue]> {
    return this.entries();
  }
}
