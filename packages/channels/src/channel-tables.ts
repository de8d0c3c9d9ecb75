/**
 * `ChannelTables`: the four local tables of EMQX's `emqx_cm` as pure, synchronous data — no
 * runtime, no timers, no I/O — so the manager process owns them and property tests hit them
 * directly (the OTP split of style §2).
 *
 * - channel (`emqx_channel`): a bag clientId → pid, in registration order;
 * - conn (`emqx_channel_conn`, keyed by pid as in 5.x+, spec §J item 2): pid → { clientId, transport };
 * - info (`emqx_channel_info`): (clientId, pid) → { info, stats };
 * - live (`emqx_channel_live`): the set of pids whose transport is connected.
 *
 * Every delete names the exact (clientId, pid) pair, so cleaning up an old pid never touches
 * the rows a newer pid holds under the same client id, whatever order cleanups run in (§C.6,
 * §H.11). Plain `Map`s rather than the runtime's `Table`: lookups must come back in registration
 * order (a `Table` promises no order) and pids key by `String(pid)` without a canonical
 * serialisation per row; every operation is O(1) except the listing ones.
 */
import type { Pid } from '@switchboard/runtime';
import { Bag } from './internal/bag.js';

/**
 * `String(pid)`: a pid caches its text, so this is the same string object on every call, hashed
 * once by a `Map` and compared by identity (a fresh template literal per call would be flattened
 * and hashed before each lookup). The internal tables of the channels package key pids with it.
 * Not exported from the package.
 *
 * @example
 * ```ts
 * pidKey(pid) === String(pid); // true, and the same string object on every call
 * ```
 */
export function pidKey(pid: Pid): string {
  // `toString()` rather than `String(pid)`: the same string, without the `Symbol.toPrimitive`
  // lookup of a conversion (≈ 7 ns a call instead of ≈ 40; several calls per connect).
  return pid.toString();
}

/** A count and its high-water mark, as `emqx_stats` keeps `X.count` / `X.max`. */
export interface CountMax {
  readonly count: number;
  /** Never decreases; always ≥ `count`. */
  readonly max: number;
}

/** What {@link ChannelTables.stats} returns: EMQX's `stats_fun` figures (§B.8). */
export interface ChannelStats {
  /** Rows of the channel table. */
  readonly channels: CountMax;
  /** Same count as `channels` (EMQX reports the channel-table size under both names). */
  readonly sessions: CountMax;
  /** Rows of the conn table: includes disconnected sessions whose process is still alive. */
  readonly connections: CountMax;
  /** Size of the live set: channels with a connected transport. */
  readonly live_connections: CountMax;
}

/** A conn row: which client id a channel pid registered under, and over which transport. */
export interface ConnRow {
  readonly clientId: string;
  /** EMQX's `conn_mod` (`'tcp'`, `'ws'`, …). */
  readonly transport: string;
}

/** Plain rows of every table, for the inspector and tests. Arrays in table order. */
export interface ChannelTablesSnapshot<TInfo = unknown, TStats = unknown> {
  readonly channel: readonly { readonly clientId: string; readonly pid: Pid }[];
  readonly conn: readonly { readonly pid: Pid; readonly clientId: string; readonly transport: string }[];
  readonly info: readonly {
    readonly clientId: string;
    readonly pid: Pid;
    readonly info: TInfo;
    readonly stats: TStats;
  }[];
  readonly live: readonly Pid[];
}

interface ConnEntry extends ConnRow {
  readonly pid: Pid;
}

interface InfoEntry<TInfo, TStats> {
  readonly pid: Pid;
  info: TInfo;
  stats: TStats;
}

/**
 * The channel manager's local tables (EMQX `emqx_cm` §A). Mutable; every method changes this
 * instance in place and never throws.
 *
 * `TInfo` / `TStats` are the values the connection process stores with `insertInfo`.
 *
 * @example
 * ```ts
 * const tables = new ChannelTables();
 * tables.register('c1', oldPid, 'tcp');
 * tables.register('c1', newPid, 'ws');
 * tables.cleanDown(oldPid); // 'c1': only the old pid's rows go
 * tables.lookup('c1'); // [newPid]
 * tables.stats().channels; // { count: 1, max: 2 }
 * ```
 */
export class ChannelTables<TInfo = unknown, TStats = unknown> {
  /** clientId → (String(pid) → pid), in insertion, i.e. registration, order. */
  readonly #channel = new Bag<Pid>(pidKey);
  /** String(pid) → conn row: keyed by pid as in EMQX 5.x+, so a DOWN maps straight to its client id. */
  readonly #conn = new Map<string, ConnEntry>();
  /** clientId → (String(pid) → info row): nested, so a key never depends on a separator. */
  readonly #info = new Bag<InfoEntry<TInfo, TStats>>((entry) => pidKey(entry.pid));
  readonly #live = new Map<string, Pid>();
  #maxChannels = 0;
  #maxConnections = 0;
  #maxLive = 0;

  // --- Registration

  /**
   * Registers a channel in the order EMQX 5.x+ does (conn row, channel row, live mark); the
   * caller has already asked for the monitor (§B.1, PR #10923), so no row can outlive a pid
   * that dies in between. Idempotent.
   *
   * @example
   * ```ts
   * tables.register('c1', pid, 'tcp');
   * tables.isLive(pid); // true
   * ```
   */
  register(clientId: string, pid: Pid, transport: string): void {
    this.insertConn(clientId, pid, transport);
    this.insertChannel(clientId, pid);
    this.markLive(pid);
  }

  /**
   * Sets the conn row of `pid` (one per pid: a second insert replaces the first).
   *
   * @example
   * ```ts
   * tables.insertConn('c1', pid, 'tcp');
   * tables.connOf(pid); // { clientId: 'c1', transport: 'tcp' }
   * ```
   */
  insertConn(clientId: string, pid: Pid, transport: string): void {
    this.#conn.set(pidKey(pid), { pid, clientId, transport });
    if (this.#conn.size > this.#maxConnections) this.#maxConnections = this.#conn.size;
  }

  /**
   * Adds the (clientId, pid) pair to the channel bag; a pair already present keeps its place.
   *
   * @returns `true` if the pair was new.
   * @example
   * ```ts
   * tables.insertChannel('c1', pid); // true
   * tables.insertChannel('c1', pid); // false: still one row
   * ```
   */
  insertChannel(clientId: string, pid: Pid): boolean {
    if (!this.#channel.add(clientId, pidKey(pid), pid)) return false;
    if (this.#channel.rows > this.#maxChannels) this.#maxChannels = this.#channel.rows;
    return true;
  }

  /**
   * EMQX's `mark_channel_connected`: adds `pid` to the live set if absent.
   *
   * @returns `true` if it was newly added (the live count went up).
   * @example
   * ```ts
   * tables.markLive(pid); // true
   * tables.markLive(pid); // false
   * ```
   */
  markLive(pid: Pid): boolean {
    const key = pidKey(pid);
    if (this.#live.has(key)) return false;
    this.#live.set(key, pid);
    if (this.#live.size > this.#maxLive) this.#maxLive = this.#live.size;
    return true;
  }

  /**
   * EMQX's `mark_channel_disconnected`: removes `pid` from the live set. Called by the channel
   * when its transport goes, and by the DOWN path for every drained pid (the seed's fix).
   *
   * @returns `true` if it was live (the live count went down).
   * @example
   * ```ts
   * tables.markDisconnected(pid); // true, then false on a second call
   * ```
   */
  markDisconnected(pid: Pid): boolean {
    return this.#live.delete(pidKey(pid));
  }

  /**
   * Deletes exactly the (clientId, pid) pair from the channel, conn and info tables (EMQX's
   * `do_unregister_channel`). The conn row goes only if it belongs to `clientId`. The live set
   * is not touched: the channel's own disconnect, or the DOWN path, clears it (§B.1).
   *
   * @returns `true` if any row was removed.
   * @example
   * ```ts
   * tables.unregister('c1', pid); // true
   * tables.unregister('c1', pid); // false: unknown pairs are fine
   * ```
   */
  unregister(clientId: string, pid: Pid): boolean {
    const key = pidKey(pid);
    let removed = false;
    if (this.#channel.delete(clientId, key)) removed = true;
    if (this.#conn.get(key)?.clientId === clientId) {
      this.#conn.delete(key);
      removed = true;
    }
    if (this.#info.delete(clientId, key)) removed = true;
    return removed;
  }

  /**
   * The cleanup after a DOWN (EMQX 5.x+ `clean_down`): finds the client id through the pid's conn
   * row and unregisters exactly that pair. A pid with no conn row (never registered, or already
   * cleaned) is a no-op, so cleanups are idempotent and safe in any order.
   *
   * @returns the client id whose rows were cleaned, or `undefined` if there was nothing to clean.
   * @example
   * ```ts
   * tables.cleanDown(pid); // 'c1'
   * tables.cleanDown(pid); // undefined
   * ```
   */
  cleanDown(pid: Pid): string | undefined {
    const conn = this.#conn.get(pidKey(pid));
    if (conn === undefined) return undefined;
    this.unregister(conn.clientId, pid);
    return conn.clientId;
  }

  // --- Info and stats

  /**
   * Upserts the info row of (clientId, pid) (EMQX's `insert_channel_info`).
   *
   * @example
   * ```ts
   * tables.insertInfo('c1', pid, { connState: 'connected' }, { recvMsg: 0 });
   * ```
   */
  insertInfo(clientId: string, pid: Pid, info: TInfo, stats: TStats): void {
    const key = pidKey(pid);
    const row = this.#info.get(clientId, key);
    if (row === undefined) {
      this.#info.add(clientId, key, { pid, info, stats });
    } else {
      row.info = info;
      row.stats = stats;
    }
  }

  /**
   * Replaces the info of an existing row (EMQX's `set_chan_info`).
   *
   * @returns `false` if (clientId, pid) has no info row.
   * @example
   * ```ts
   * tables.setInfo('c1', pid, { connState: 'disconnected' }); // true once insertInfo ran
   * ```
   */
  setInfo(clientId: string, pid: Pid, info: TInfo): boolean {
    const row = this.#infoRow(clientId, pid);
    if (row === undefined) return false;
    row.info = info;
    return true;
  }

  /**
   * Replaces the stats of an existing row (EMQX's `set_chan_stats`).
   *
   * @returns `false` if (clientId, pid) has no info row.
   * @example
   * ```ts
   * tables.setStats('c1', pid, { recvMsg: 3 });
   * ```
   */
  setStats(clientId: string, pid: Pid, stats: TStats): boolean {
    const row = this.#infoRow(clientId, pid);
    if (row === undefined) return false;
    row.stats = stats;
    return true;
  }

  /**
   * The info of (clientId, pid), or `undefined` when there is no row.
   *
   * @example
   * ```ts
   * tables.getInfo('c1', pid); // { connState: 'connected' }
   * ```
   */
  getInfo(clientId: string, pid: Pid): TInfo | undefined {
    return this.#infoRow(clientId, pid)?.info;
  }

  /**
   * The stats of (clientId, pid), or `undefined` when there is no row.
   *
   * @example
   * ```ts
   * tables.getStats('c1', pid); // { recvMsg: 3 }
   * ```
   */
  getStats(clientId: string, pid: Pid): TStats | undefined {
    return this.#infoRow(clientId, pid)?.stats;
  }

  // --- Reads

  /**
   * The pids registered under `clientId`, oldest registration first (EMQX's
   * `lookup_channels(local, C)`); the last one is the one a takeover picks.
   *
   * @example
   * ```ts
   * tables.lookup('c1'); // [oldPid, newPid]
   * ```
   */
  lookup(clientId: string): Pid[] {
    return this.#channel.values(clientId);
  }

  /**
   * The conn row of `pid`: its client id and transport, or `undefined` if it has none (never
   * registered, or already cleaned up: EMQX's "already deregistered").
   *
   * @example
   * ```ts
   * tables.connOf(pid)?.clientId; // 'c1'
   * ```
   */
  connOf(pid: Pid): ConnRow | undefined {
    const row = this.#conn.get(pidKey(pid));
    return row === undefined ? undefined : { clientId: row.clientId, transport: row.transport };
  }

  /**
   * True if `pid` is in the live set (EMQX 4.4+ `is_channel_connected`).
   *
   * @example
   * ```ts
   * tables.isLive(pid); // true after register, false after markDisconnected
   * ```
   */
  isLive(pid: Pid): boolean {
    return this.#live.has(pidKey(pid));
  }

  /**
   * The size of the live set (EMQX's `get_connected_client_count`), O(1).
   *
   * @example
   * ```ts
   * tables.liveCount; // 1
   * ```
   */
  get liveCount(): number {
    return this.#live.size;
  }

  /**
   * Every pid in the channel table (EMQX's `all_channels`), grouped by client id.
   *
   * @example
   * ```ts
   * tables.allChannels(); // [pid1, pid2]
   * ```
   */
  allChannels(): Pid[] {
    const out: Pid[] = [];
    for (const [, , pid] of this.#channel.entries()) out.push(pid);
    return out;
  }

  /**
   * Every client id with at least one channel row (EMQX's `all_client_ids`).
   *
   * @example
   * ```ts
   * tables.allClientIds(); // ['c1']
   * ```
   */
  allClientIds(): string[] {
    return this.#channel.outerKeys();
  }

  /**
   * The counts and their maxima (§B.8). Each max is raised on every insert, so it never
   * decreases and is never below its count.
   *
   * @example
   * ```ts
   * const { live_connections } = tables.stats(); // { count: 1, max: 3 }
   * ```
   */
  stats(): ChannelStats {
    const channels = { count: this.#channel.rows, max: this.#maxChannels };
    return {
      channels,
      sessions: { ...channels },
      connections: { count: this.#conn.size, max: this.#maxConnections },
      live_connections: { count: this.#live.size, max: this.#maxLive },
    };
  }

  // --- Checks and inspection

  /**
   * The violations of the spec's invariants (§H), as readable strings; `[]` when all hold.
   * Always checks table coherence (§H.1): channel and conn tables hold the same (clientId, pid)
   * pairs, info keys are channel pairs, live pids have a conn row, and the counters match the
   * rows. Given `isAlive`, also that no row references a dead pid (§H.2) and that every live pid
   * is alive (§H.3); check those only after quiescence, since a DOWN may still be on its way.
   *
   * @example
   * ```ts
   * expect(tables.invariants((pid) => rt.isAlive(pid))).toEqual([]);
   * ```
   */
  invariants(isAlive?: (pid: Pid) => boolean): string[] {
    const out: string[] = [];
    let channelRows = 0;
    for (const clientId of this.#channel.emptyBuckets())
      out.push(`H.1: empty channel bucket for ${clientId}`);
    for (const [clientId, key, pid] of this.#channel.entries()) {
      channelRows++;
      const conn = this.#conn.get(key);
      if (conn === undefined) out.push(`H.1: channel row (${clientId}, ${key}) has no conn row`);
      else if (conn.clientId !== clientId) {
        out.push(`H.1: channel row (${clientId}, ${key}) but conn row says ${conn.clientId}`);
      }
      if (isAlive && !isAlive(pid)) out.push(`H.2: channel row (${clientId}, ${key}) for a dead pid`);
    }
    if (channelRows !== this.#channel.rows) {
      out.push(`H.12: channel count ${this.#channel.rows} but ${channelRows} rows`);
    }
    for (const [key, conn] of this.#conn) {
      if (!this.#channel.has(conn.clientId, key)) {
        out.push(`H.1: conn row (${conn.clientId}, ${key}) has no channel row`);
      }
      if (isAlive && !isAlive(conn.pid)) out.push(`H.2: conn row (${conn.clientId}, ${key}) for a dead pid`);
    }
    let infoRows = 0;
    for (const clientId of this.#info.emptyBuckets()) out.push(`H.1: empty info bucket for ${clientId}`);
    for (const [clientId, key, row] of this.#info.entries()) {
      infoRows++;
      if (!this.#channel.has(clientId, key)) {
        out.push(`H.1: info row (${clientId}, ${key}) has no channel row`);
      }
      if (isAlive && !isAlive(row.pid)) out.push(`H.2: info row (${clientId}, ${key}) for a dead pid`);
    }
    if (infoRows !== this.#info.rows) out.push(`H.1: info count ${this.#info.rows} but ${infoRows} rows`);
    for (const [key, pid] of this.#live) {
      if (!this.#conn.has(key)) out.push(`H.1: live pid ${key} has no conn row`);
      if (isAlive && !isAlive(pid)) out.push(`H.3: live pid ${key} is dead`);
    }
    return out;
  }

  /**
   * Plain rows of every table (fresh arrays; the info and stats values are shared, not copied).
   *
   * @example
   * ```ts
   * tables.snapshot().conn; // [{ pid, clientId: 'c1', transport: 'tcp' }]
   * ```
   */
  snapshot(): ChannelTablesSnapshot<TInfo, TStats> {
    const channel: { clientId: string; pid: Pid }[] = [];
    for (const [clientId, , pid] of this.#channel.entries()) channel.push({ clientId, pid });
    const info: { clientId: string; pid: Pid; info: TInfo; stats: TStats }[] = [];
    for (const [clientId, , row] of this.#info.entries())
      info.push({ clientId, pid: row.pid, info: row.info, stats: row.stats });
    return {
      channel,
      conn: [...this.#conn.values()].map(({ pid, clientId, transport }) => ({ pid, clientId, transport })),
      info,
      live: [...this.#live.values()],
    };
  }

  #infoRow(clientId: string, pid: Pid): InfoEntry<TInfo, TStats> | undefined {
    return this.#info.get(clientId, pidKey(pid));
  }
}
