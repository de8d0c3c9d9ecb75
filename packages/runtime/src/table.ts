/**
 * `Table`: an ETS-like in-memory table of rows, of type `set` (one row per key) or `bag` (many
 * distinct rows per key). It is the pure data behind the channel manager's registry tables (EMQX's
 * `emqx_channel` bag, `emqx_channel_info` set, …): no I/O, no timers, O(1) average lookups.
 *
 * The operation that matters most is {@link Table.deleteObject}: it removes exactly one row, so the
 * cleanup of an old pid never touches the rows a newer pid holds under the same key.
 */

import { InvalidOption } from './errors.js';

/** `set`: at most one row per key. `bag`: any number of distinct rows per key (ETS `set` / `bag`). */
export type TableType = 'set' | 'bag';

/**
 * Constructor options for {@link Table}.
 *
 * @example
 * ```ts
 * type ChanRow = { clientId: string; pid: { toString(): string } };
 * const options: TableOptions<ChanRow, string> = { type: 'bag', key: (row) => row.clientId };
 * ```
 */
export interface TableOptions<TRow, TKey> {
  /** `'set'` or `'bag'`. */
  readonly type: TableType;
  /** Extracts a row's key: the equivalent of ETS's `keypos`. Must be pure and stable for a stored row. */
  readonly key: (row: TRow) => TKey;
  /**
   * Maps a key to the primitive the table indexes by. Default: strings and numbers as they are,
   * anything else (pids, tuples, …) to its canonical form (see {@link canonicalString}).
   */
  readonly keyString?: (key: TKey) => string | number;
  /**
   * Maps a row to a string that is equal for two rows exactly when they are "the same object" in
   * ETS terms. Used for bag de-duplication and by `deleteObject`. Default: {@link canonicalString}.
   */
  readonly identity?: (row: TRow) => string;
}

/** Holds two or more rows of one bag key, by identity. A class, so that a row is never mistaken for it. */
class Bucket<TRow> {
  readonly rows = new Map<string, TRow>();
}

/**
 * An ETS-like table (`ets:new/2` with `set` or `bag`). Mutable: each method changes this instance.
 * Lookups, inserts and deletes are O(1) on average plus the cost of `identity` on the rows involved.
 * Iteration order is not promised (today: key insertion order, then row insertion order).
 *
 * A bag key with one row stores the row itself; only keys with two or more rows get a `Map`.
 *
 * @throws {RT_ERR_INVALID_OPTION} from the constructor on a bad `type` or a non-function `key`,
 * `keyString` or `identity`.
 *
 * @example
 * ```ts
 * type ChanRow = { clientId: string; pid: string };
 * const chans = new Table({ type: 'bag', key: (row: ChanRow) => row.clientId });
 * chans.insert({ clientId: 'c1', pid: '<0.1.0>' });
 * chans.insert({ clientId: 'c1', pid: '<0.2.0>' });
 * chans.deleteObject({ clientId: 'c1', pid: '<0.1.0>' }); // the newer pid's row stays
 * chans.lookup('c1'); // [{ clientId: 'c1', pid: '<0.2.0>' }]
 * ```
 */
export class Table<TRow, TKey = unknown> {
  /** `'set'` or `'bag'`, as given to the constructor. */
  readonly type: TableType;
  readonly #rows = new Map<string | number, TRow | Bucket<TRow>>();
  readonly #key: (row: TRow) => TKey;
  readonly #keyString: (key: TKey) => string | number;
  readonly #identity: (row: TRow) => string;
  #size = 0;

  constructor(options: TableOptions<TRow, TKey>) {
    const { type, key, keyString = defaultKeyString, identity = canonicalString } = options;
    if (type !== 'set' && type !== 'bag') throw new InvalidOption(`Table: \`type\` must be 'set' or 'bag'`);
    if (typeof key !== 'function') throw new InvalidOption('Table: `key` must be a function');
    if (typeof keyString !== 'function') throw new InvalidOption('Table: `keyString` must be a function');
    if (typeof identity !== 'function') throw new InvalidOption('Table: `identity` must be a function');
    this.type = type;
    this.#key = key;
    this.#keyString = keyString;
    this.#identity = identity;
  }

  /** The number of rows (objects, not keys), like `ets:info(T, size)`. O(1). */
  get size(): number {
    return this.#size;
  }

  /**
   * Inserts `row` (`ets:insert/2`). In a set it replaces the row with the same key; in a bag it adds
   * the row unless an identical one is already stored under its key (inserting twice keeps one).
   *
   * @throws {RT_ERR_INVALID_OPTION} when the default `identity` or `keyString` cannot serialise the row.
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.insert(['a', 1]);
   * t.insert(['a', 2]); // replaces
   * t.lookup('a'); // [['a', 2]]
   * ```
   */
  insert(row: TRow): void {
    const k = this.#keyString(this.#key(row));
    if (this.type === 'set') {
      if (!this.#rows.has(k)) this.#size++;
      this.#rows.set(k, row);
      return;
    }
    const slot = this.#rows.get(k);
    if (slot === undefined) {
      this.#rows.set(k, row);
      this.#size++;
    } else if (slot instanceof Bucket) {
      const id = this.#identity(row);
      if (slot.rows.has(id)) return;
      slot.rows.set(id, row);
      this.#size++;
    } else {
      const id = this.#identity(row);
      const slotId = this.#identity(slot);
      if (slotId === id) return;
      const bucket = new Bucket<TRow>();
      bucket.rows.set(slotId, slot);
      bucket.rows.set(id, row);
      this.#rows.set(k, bucket);
      this.#size++;
    }
  }

  /**
   * Inserts each row of `rows` in order, as {@link Table.insert} does; in a set the last row of a key
   * wins. (A separate method rather than `insert(row | rows[])`, because rows may themselves be arrays.)
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'bag', key: (row: [string, number]) => row[0] });
   * t.insertMany([['a', 1], ['a', 2], ['a', 1]]);
   * t.size; // 2
   * ```
   */
  insertMany(rows: Iterable<TRow>): void {
    for (const row of rows) this.insert(row);
  }

  /**
   * Inserts `row` only if no row has its key yet, in a set or a bag (`ets:insert_new/2`).
   *
   * @returns `true` if the row was inserted.
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.insertNew(['a', 1]); // true
   * t.insertNew(['a', 2]); // false; ['a', 1] stays
   * ```
   */
  insertNew(row: TRow): boolean {
    const k = this.#keyString(this.#key(row));
    if (this.#rows.has(k)) return false;
    this.#rows.set(k, row);
    this.#size++;
    return true;
  }

  /**
   * The rows stored under `key`: zero or one in a set, zero or more in a bag (`ets:lookup/2`). A fresh
   * array each call; mutating it does not change the table.
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'bag', key: (row: [string, number]) => row[0] });
   * t.insertMany([['a', 1], ['a', 2]]);
   * t.lookup('a'); // [['a', 1], ['a', 2]]
   * t.lookup('b'); // []
   * ```
   */
  lookup(key: TKey): TRow[] {
    const slot = this.#rows.get(this.#keyString(key));
    if (slot === undefined) return [];
    return slot instanceof Bucket ? [...slot.rows.values()] : [slot];
  }

  /**
   * True when at least one row has `key` (`ets:member/2`).
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.member('a'); // false
   * ```
   */
  member(key: TKey): boolean {
    return this.#rows.has(this.#keyString(key));
  }

  /**
   * Deletes every row stored under `key` (`ets:delete/2`).
   *
   * @returns `true` if any row was deleted.
   * @example
   * ```ts
   * const t = new Table({ type: 'bag', key: (row: [string, number]) => row[0] });
   * t.insertMany([['a', 1], ['a', 2]]);
   * t.delete('a'); // true; t.size === 0
   * ```
   */
  delete(key: TKey): boolean {
    const k = this.#keyString(key);
    const slot = this.#rows.get(k);
    if (slot === undefined) return false;
    this.#size -= slot instanceof Bucket ? slot.rows.size : 1;
    this.#rows.delete(k);
    return true;
  }

  /**
   * Deletes exactly the row identical to `row` (`ets:delete_object/2`); other rows under the same key
   * are untouched. In a set the stored row is deleted only if it is identical to `row`.
   *
   * @returns `true` if a row was deleted.
   * @example
   * ```ts
   * const t = new Table({ type: 'bag', key: (row: [string, string]) => row[0] });
   * t.insertMany([['c1', '<0.1.0>'], ['c1', '<0.2.0>']]);
   * t.deleteObject(['c1', '<0.1.0>']); // true
   * t.lookup('c1'); // [['c1', '<0.2.0>']]
   * ```
   */
  deleteObject(row: TRow): boolean {
    const k = this.#keyString(this.#key(row));
    const slot = this.#rows.get(k);
    if (slot === undefined) return false;
    const id = this.#identity(row);
    if (slot instanceof Bucket) {
      if (!slot.rows.delete(id)) return false;
      this.#size--;
      // Back to the lean shape: a single row is stored directly.
      if (slot.rows.size === 1) this.#rows.set(k, slot.rows.values().next().value as TRow);
      return true;
    }
    if (this.#identity(slot) !== id) return false;
    this.#rows.delete(k);
    this.#size--;
    return true;
  }

  /**
   * Replaces the row under `key` with `fn(row)`, in a set table only. `fn` must keep the key, as ETS
   * forbids updating the key position.
   *
   * @returns `false` if no row has `key` (and `fn` is not called), `true` otherwise.
   * @throws {RT_ERR_INVALID_OPTION} on a bag table, or when `fn` returns a row with a different key
   * (the table is then unchanged).
   * @example
   * ```ts
   * const counters = new Table({ type: 'set', key: (row: { name: string; n: number }) => row.name });
   * counters.insert({ name: 'conns', n: 0 });
   * counters.update('conns', (row) => ({ ...row, n: row.n + 1 })); // true
   * counters.update('subs', (row) => row); // false
   * ```
   */
  update(key: TKey, fn: (row: TRow) => TRow): boolean {
    if (this.type !== 'set') throw new InvalidOption('Table: `update` works on set tables only');
    const k = this.#keyString(key);
    const slot = this.#rows.get(k);
    if (slot === undefined) return false;
    const next = fn(slot as TRow);
    if (this.#keyString(this.#key(next)) !== k) {
      throw new InvalidOption('Table: `update` must not change the key of a row');
    }
    this.#rows.set(k, next);
    return true;
  }

  /**
   * The rows for which `predicate` holds, a full scan (O(size)) like `ets:select/2`.
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.insertMany([['a', 1], ['b', 2]]);
   * t.select((row) => row[1] > 1); // [['b', 2]]
   * ```
   */
  select(predicate: (row: TRow) => boolean): TRow[] {
    const out: TRow[] = [];
    for (const row of this.rows()) if (predicate(row)) out.push(row);
    return out;
  }

  /**
   * Iterates every row. Deleting rows while iterating is safe; rows inserted meanwhile may be missed.
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.insert(['a', 1]);
   * [...t.rows()]; // [['a', 1]]
   * ```
   */
  *rows(): IterableIterator<TRow> {
    for (const slot of this.#rows.values()) {
      if (slot instanceof Bucket) yield* slot.rows.values();
      else yield slot;
    }
  }

  /** Same as {@link Table.rows}. */
  [Symbol.iterator](): IterableIterator<TRow> {
    return this.rows();
  }

  /**
   * Iterates each distinct key once, as the `key` function returns it for a stored row.
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'bag', key: (row: [string, number]) => row[0] });
   * t.insertMany([['a', 1], ['a', 2], ['b', 3]]);
   * [...t.keys()]; // ['a', 'b']
   * ```
   */
  *keys(): IterableIterator<TKey> {
    for (const slot of this.#rows.values()) {
      const row = slot instanceof Bucket ? (slot.rows.values().next().value as TRow) : slot;
      yield this.#key(row);
    }
  }

  /**
   * Deletes every row (`ets:delete_all_objects/1`).
   *
   * @example
   * ```ts
   * const t = new Table({ type: 'set', key: (row: [string, number]) => row[0] });
   * t.insert(['a', 1]);
   * t.clear(); // t.size === 0
   * ```
   */
  clear(): void {
    this.#rows.clear();
    this.#size = 0;
  }
}

// --- Internals: canonical serialisation for default keys and identities.

/** Strings and numbers index as themselves; other keys by a NUL-prefixed canonical form, so they never collide with a plain string key. */
function defaultKeyString(key: unknown): string | number {
  return typeof key === 'string' || typeof key === 'number' ? key : `\u0000${canonicalString(key)}`;
}

/**
 * A stable string for plain data, equal for two values exactly when they are structurally equal:
 * primitives by type and value, arrays element by element, plain objects by their sorted own
 * enumerable keys, and objects with their own `toString` (pids, refs, dates) by `String(value)`.
 * Class instances without a `toString` of their own are serialised like plain objects, tagged with
 * their constructor's name.
 *
 * @throws {RT_ERR_INVALID_OPTION} for functions, symbols, `Map`/`Set`-like objects without their own
 * `toString`, and cyclic values: pass an explicit `identity` / `keyString` for those.
 * @example
 * ```ts
 * canonicalString({ b: 1, a: ['x', null] }) === canonicalString({ a: ['x', null], b: 1 }); // true
 * canonicalString(1) === canonicalString('1'); // false
 * ```
 */
export function canonicalString(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, path: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // `-0` and `0` are one value to a Map key, and to us.
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'function':
    case 'symbol':
      throw new InvalidOption(`Table: cannot derive an identity for a ${typeof value}; pass \`identity\``);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (path.has(value)) throw new InvalidOption('Table: cannot derive an identity for a cyclic value');
  if (Array.isArray(value)) {
    path.add(value);
    const out = `[${value.map((item: unknown) => serialise(item, path)).join(',')}]`;
    path.delete(value);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null;
  // A Date's own toString drops milliseconds.
  if (value instanceof Date) return `#Date(${value.getTime()})`;
  const text = plain ? undefined : ownToString(value);
  if (text !== undefined) return `#${text}`;
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet) {
    throw new InvalidOption('Table: cannot derive an identity for a Map or Set; pass `identity`');
  }
  path.add(value);
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${serialise(record[name], path)}`);
  path.delete(value);
  const tag = plain ? '' : constructorName(value);
  return `${tag}{${fields.join(',')}}`;
}

/** `value.toString()` when it comes from somewhere other than `Object.prototype` (a pid, a ref), else undefined. */
function ownToString(value: object): string | undefined {
  const toString: unknown = (value as { toString?: unknown }).toString;
  if (typeof toString !== 'function' || toString === Object.prototype.toString) return undefined;
  return String(toString.call(value));
}

function constructorName(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' ? ctor.name : '?';
}
