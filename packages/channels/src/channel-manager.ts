/**
 * `createChannelManager`: the channel manager, a port of EMQX's `emqx_cm`. It keeps the registry
 * tables by client id (channel, conn, info, live), takes a per-client-id try-lock around every
 * open, opens sessions (clean start, or resume by taking over the old owner's session), kicks and
 * discards, and monitors every registered channel: deaths arrive in DOWN batches at the manager
 * process, and a pool cleans the dead rows. Table operations run in the caller (like EMQX's
 * public ETS tables); only monitoring and DOWN handling go through the manager's mailbox.
 */
import { createPool, formatReason, pidEquals } from '@switchboard/runtime';
import type { DownReason, Pid, Pool, Runtime } from '@switchboard/runtime';
import type { ChannelHost } from './channel-host.js';
import { ChannelTables } from './channel-tables.js';
import type { ChannelStats } from './channel-tables.js';
import { InvalidChannelOption, InvalidClientId, ManagerDown } from './errors.js';
import { HookEmitter } from './hooks.js';
import type { Hooks } from './hooks.js';
import { managerMachine } from './internal/manager.machine.js';
import type { Death } from './internal/manager.machine.js';
import type { Locker } from './locker.js';
import { createMemoryLocker } from './memory-locker.js';
import { createMemoryRegistry } from './memory-registry.js';
import { createMemorySessionStore } from './memory-session.js';
import { openSession } from './open-session.js';
import type { OpenSessionRequest, OpenSessionResult } from './open-session.js';
import type { Registry } from './registry.js';
import type { ChannelMessage, ConnInfo, SessionStore } from './session.js';
import { requestStepdown } from './stepdown.js';
import { bugs } from '#bugs';
import type { StepdownAction, StepdownResult } from './stepdown.js';

/** What to do when a client id is already in use. */
export type DuplicateIdPolicy = 'takeover' | 'discard' | 'kick-old' | 'reject-new';

/** Timeouts of stepdown requests (EMQX's T_KICK, T_TAKEOVER, T_GET_INFO). */
export interface ChannelTimeouts {
  /** Each kick or discard request. Default 5000. */
  readonly kickMs?: number;
  /** Each of takeover begin and end. Default 15000. */
  readonly takeoverMs?: number;
  /** Reading a remote channel's info or stats. Default 5000. */
  readonly getInfoMs?: number;
}

/** Options of `createChannelManager`. */
export interface ChannelManagerOptions {
  readonly timeouts?: ChannelTimeouts;
  /** A lock holder older than this is killed. Default 60000 (≥ 2 × takeoverMs + kickMs, as EMQX 4.4 learned). */
  readonly lockLeaseMs?: number;
  /** Most deaths in one DOWN batch. Default 1000. */
  readonly batchSize?: number;
  /** Cleanup workers. Default 2. */
  readonly poolSize?: number;
  /** Default: `'takeover'` for a resume, `'discard'` for a clean start. */
  readonly duplicateIdPolicy?: DuplicateIdPolicy;
  readonly locker?: Locker;
  readonly registry?: Registry;
  readonly sessions?: SessionStore;
  readonly hooks?: Hooks;
  /** Registered name of the manager process. Default `'channel-manager'`. */
  readonly name?: string;
}

/** The channel manager's API. Every method may be called from any code, inside a process or not. */
export interface ChannelManager {
  /** The manager process. */
  readonly pid: Pid;
  readonly runtime: Runtime;
  /** The per-channel view channel processes use (pass it as the channel machine's `host`). */
  readonly host: ChannelHost;
  readonly locker: Locker;
  readonly registry: Registry;
  readonly sessions: SessionStore;
  /** The local tables (read-only use: inspection, invariants). */
  readonly tables: ChannelTables;

  /** Registers a channel (should run inside the client id's lock, as `openSession` does). @throws CH_ERR_INVALID_CLIENT_ID */
  registerChannel(clientId: string, pid: Pid, connInfo: ConnInfo): Promise<void>;
  /** Removes exactly this (clientId, pid); the live row and the monitor stay (the DOWN cleans them). */
  unregisterChannel(clientId: string, pid: Pid): Promise<void>;
  insertChannelInfo(clientId: string, pid: Pid, info: unknown, stats: unknown): void;
  /** Info of `pid`, or of the client id's last channel. */
  getChanInfo(clientId: string, pid?: Pid): Promise<unknown>;
  setChanInfo(clientId: string, pid: Pid, info: unknown): boolean;
  getChanStats(clientId: string, pid?: Pid): Promise<unknown>;
  setChanStats(clientId: string, pid: Pid, stats: unknown): boolean;

  /** Opens a session inside the client id's lock. @throws CH_ERR_CLIENT_ID_UNAVAILABLE (rejection) */
  openSession(request: OpenSessionRequest): Promise<OpenSessionResult>;
  /** Takeover begin with EMQX's pick rule (all but the last channel are discarded); `except` is never picked. */
  takeoverSession(
    clientId: string,
    except?: Pid,
  ): Promise<{ readonly pid: Pid; readonly session: unknown } | undefined>;
  /** Takeover end: the old channel's pendings, or undefined if it failed (it was killed). */
  takeoverEnd(pid: Pid): Promise<readonly ChannelMessage[] | undefined>;
  /** Discards every channel of the client id. Always resolves. */
  discardSession(clientId: string): Promise<void>;
  /** Kicks every channel of the client id. Always resolves. */
  kickSession(clientId: string): Promise<void>;

  /** Channels of a client id: `'local'` from this node's table, `'global'` (default) from the registry, dead local pids filtered out. */
  lookupChannels(clientId: string, scope?: 'local' | 'global'): Promise<Pid[]>;
  /** Delivers a message to the client id's newest local channel. False if there is none. */
  deliver(clientId: string, message: ChannelMessage): boolean;
  allChannels(): Pid[];
  connectedClientCount(): number;
  stats(): ChannelStats;
  /** Quiescence for tests: the manager's mailbox is drained and the cleanup pool flushed. */
  sync(): Promise<void>;
  /** Stops the manager process, its pool and its locker. */
  close(): Promise<void>;
}

const POLICIES: readonly DuplicateIdPolicy[] = ['takeover', 'discard', 'kick-old', 'reject-new'];

/** The trace points of each stepdown request, written out so that they can be found by name. */
const STEPDOWN_POINTS = {
  'ch.kick': { called: 'cm.kick.called', answered: 'cm.kick.answered', failed: 'cm.kick.failed' },
  'ch.discard': { called: 'cm.discard.called', answered: 'cm.discard.answered', failed: 'cm.discard.failed' },
  'ch.takeover.begin': {
    called: 'cm.takeover.begin.called',
    answered: 'cm.takeover.begin.answered',
    failed: 'cm.takeover.begin.failed',
  },
  'ch.takeover.end': {
    called: 'cm.takeover.end.called',
    answered: 'cm.takeover.end.answered',
    failed: 'cm.takeover.end.failed',
  },
} as const satisfies Record<StepdownAction, { called: string; answered: string; failed: string }>;

/**
 * Creates a channel manager on a runtime.
 *
 * @example
 * ```ts
 * const cm = createChannelManager(rt, { timeouts: { kickMs: 5000, takeoverMs: 15000 } });
 * const { session, present, pendings } = await cm.openSession({
 *   cleanStart: false, clientInfo: { clientId: 'c1' }, connInfo: { transport: 'tcp' }, pid,
 * });
 * ```
 * @throws {TypeError} CH_ERR_INVALID_OPTION for an out-of-range option.
 */
export function createChannelManager(runtime: Runtime, options: ChannelManagerOptions = {}): ChannelManager {
  const kickMs = positive('timeouts.kickMs', options.timeouts?.kickMs ?? 5000);
  const takeoverMs = positive('timeouts.takeoverMs', options.timeouts?.takeoverMs ?? 15000);
  const getInfoMs = positive('timeouts.getInfoMs', options.timeouts?.getInfoMs ?? 5000);
  // A lock is held through a whole open: discards (kickMs) and both takeover steps. A shorter
  // lease would kill a legitimate taker mid-takeover (EMQX PR #10729 raised it to 60 s for this).
  const minLeaseMs = 2 * takeoverMs + kickMs;
  const lockLeaseMs = positive('lockLeaseMs', options.lockLeaseMs ?? Math.max(60000, 2 * minLeaseMs));
  if (lockLeaseMs < minLeaseMs) {
    throw new InvalidChannelOption(
      `lockLeaseMs (${lockLeaseMs}) must be at least 2 × takeoverMs + kickMs (${minLeaseMs}): a shorter lease kills takers mid-takeover`,
    );
  }
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 1000);
  const poolSize = positiveInteger('poolSize', options.poolSize ?? 2);
  if (options.duplicateIdPolicy !== undefined && !POLICIES.includes(options.duplicateIdPolicy)) {
    throw new InvalidChannelOption(`duplicateIdPolicy must be one of ${POLICIES.join(', ')}`);
  }
  void getInfoMs; // remote info reads arrive with the cluster backend

  const log = runtime.logger.child({ actor: options.name ?? 'channel-manager', kind: 'channels' });
  const tables = new ChannelTables();
  const registry = options.registry ?? createMemoryRegistry();
  // A locker passed in has its own lease and belongs to its creator: `close()` leaves it running.
  const ownsLocker = options.locker === undefined;
  const locker = options.locker ?? createMemoryLocker(runtime, { leaseMs: lockLeaseMs });
  const sessions = options.sessions ?? createMemorySessionStore();
  const hooks = new HookEmitter(
    options.hooks ?? {},
    () => runtime.clock.now(),
    (err, hook) => log.error({ err, hook }, 'hook threw'),
  );
  const pool: Pool = createPool(runtime, { size: poolSize, name: 'cm-pool' });
  // Trace points (docs/reference/trace-points.md) are guarded by `trace.active`: with no collector
  // and debug logging off, a point costs one check and builds no fields object.
  const trace = runtime.trace;

  const host: ChannelHost = {
    sessions,
    takeoverMs,
    markDisconnected: (clientId, pid, reason) => {
      if (!tables.markDisconnected(pid)) return;
      if (trace.active) trace.tp('cm.live.decremented', { clientId, pid, by: 'channel', reason });
      hooks.emit('client.disconnected', clientId, pid, reason);
    },
    hook: (name, clientId, pid, reason) => hooks.emit(name, clientId, pid, reason),
    trace,
  };

  // Cleanup of one DOWN batch, on a pool worker. Keyed by the exact (clientId, pid) through the
  // conn row, so batches may run concurrently and in any order (§C.6).
  const cleanup = async (deaths: readonly Death[]): Promise<void> => {
    for (const { pid, reason } of deaths) {
      if (trace.active) trace.tp('cm.cleanup.begin', { pid });
      const clientId = tables.cleanDown(pid);
      if (clientId !== undefined) {
        await registry.unregister(clientId, pid);
        // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
        if (bugs.B7) await deleteByClientId(clientId);
        // Every death ends its session, except a takeover: that session lives on in the taker.
        if (!isTakenover(reason)) hooks.emit('session.terminated', clientId, pid, formatReason(reason));
        if (tables.lookup(clientId).length === 0) hooks.forget(clientId);
      }
      if (trace.active) trace.tp('cm.cleanup.end', { pid, clientId });
    }
  };

  // --- The bug catalogue's wrong versions (docs/reference/bug-catalogue.md); never taken in production.
  // Stryker disable all: bug catalogue

  /** B7: deletes by key (EMQX's `ets:delete(Tab, ClientId)` for `delete_object`): every channel of the id goes. */
  const deleteByClientId = async (clientId: string): Promise<void> => {
    for (const other of tables.lookup(clientId)) {
      tables.unregister(clientId, other);
      await registry.unregister(clientId, other);
    }
  };

  /** B9: "the client's channel" as the one to count out on a DOWN: its newest live one, not the dead pid. */
  const newestLiveChannel = (clientId: string): Pid | undefined =>
    tables
      .lookup(clientId)
      .filter((p) => tables.isLive(p))
      .at(-1);
  // Stryker restore all

  // Monitor requests queue here and the manager takes them all on one wake-up message (EMQX's
  // `collect_msgs`): a burst of registrations costs one transition of the manager, not one each.
  let registrations: { clientId: string; pid: Pid }[] = [];
  const pid = runtime.spawn(managerMachine, {
    name: options.name ?? 'channel-manager',
    batchSize,
    input: {
      runtime,
      markDead: (death: Death, knownClientId: string | undefined) => {
        const clientId = knownClientId ?? tables.connOf(death.pid)?.clientId ?? '';
        // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
        const pid = bugs.B9 ? (newestLiveChannel(clientId) ?? death.pid) : death.pid;
        if (tables.markDisconnected(pid)) {
          const reason = formatReason(death.reason);
          if (trace.active) trace.tp('cm.live.decremented', { clientId, pid, by: 'down', reason });
          hooks.emit('client.disconnected', clientId, pid, reason);
        }
      },
      submitCleanup: (deaths: readonly Death[]) => {
        pool.asyncSubmit(() => cleanup(deaths));
      },
      takeRegistrations: () => {
        const taken = registrations;
        registrations = [];
        return taken;
      },
    },
  });

  const ensureManager = (): void => {
    if (!runtime.isAlive(pid)) throw new ManagerDown();
  };

  const registerChannel = async (clientId: string, chanPid: Pid, connInfo: ConnInfo): Promise<void> => {
    checkClientId(clientId);
    ensureManager();
    // The monitor request goes first: if the channel dies between here and its inserts, its DOWN
    // still comes and cleans them (EMQX PR #10923).
    registrations.push({ clientId, pid: chanPid });
    if (registrations.length === 1) runtime.send(pid, { type: 'ch.registered' });
    tables.insertConn(clientId, chanPid, connInfo.transport);
    tables.insertChannel(clientId, chanPid);
    if (trace.active) trace.tp('cm.register', { clientId, pid: chanPid });
    if (tables.markLive(chanPid)) {
      if (trace.active) trace.tp('cm.live.incremented', { clientId, pid: chanPid });
      hooks.emit('client.connected', clientId, chanPid);
    }
    await registry.register(clientId, chanPid);
  };

  /** `requestStepdown` between its `cm.<action>.called` and `.answered` / `.failed` trace points. */
  const tracedStepdown = async (
    action: StepdownAction,
    clientId: string | undefined,
    chanPid: Pid,
    timeoutMs: number,
  ): Promise<StepdownResult> => {
    const points = STEPDOWN_POINTS[action];
    if (trace.active) trace.tp(points.called, { clientId, pid: chanPid });
    const result = await requestStepdown(runtime, log, action, chanPid, timeoutMs);
    if (trace.active) {
      if (result.kind === 'ok') trace.tp(points.answered, { clientId, pid: chanPid });
      else trace.tp(points.failed, { clientId, pid: chanPid, kind: result.kind });
    }
    return result;
  };

  /** Asks one channel to step down; a pid this node does not know is skipped (and reaped if dead). */
  const stepdown = async (action: StepdownAction, clientId: string, chanPid: Pid, timeoutMs: number) => {
    if (!tables.connOf(chanPid)) {
      if (trace.active) trace.tp(STEPDOWN_POINTS[action].failed, { clientId, pid: chanPid, kind: 'unknown' });
      if (!runtime.isAlive(chanPid)) await registry.unregister(clientId, chanPid);
      return undefined;
    }
    return tracedStepdown(action, clientId, chanPid, timeoutMs);
  };

  const lookupChannels = async (clientId: string, scope: 'local' | 'global' = 'global'): Promise<Pid[]> => {
    if (scope === 'local') return tables.lookup(clientId);
    const pids = await registry.lookup(clientId);
    // Local pids that are dead are filtered out; remote ones are kept (their node decides).
    return pids.filter((p) => p.node !== runtime.node || runtime.isAlive(p));
  };

  const discardSession = async (clientId: string): Promise<void> => {
    for (const chanPid of await registry.lookup(clientId))
      await stepdown('ch.discard', clientId, chanPid, kickMs);
  };

  const takeoverSession = async (clientId: string, except?: Pid) => {
    const pids = (await lookupChannels(clientId, 'global')).filter((p) => !except || !pidEquals(p, except));
    if (pids.length === 0) return undefined;
    // The pick rule: the last registered is taken over, every other one is discarded.
    const chosen = pids[pids.length - 1] as Pid;
    if (pids.length > 1) log.warn({ clientId, count: pids.length }, 'more_than_one_channel_found');
    for (const stale of pids.slice(0, -1)) await stepdown('ch.discard', clientId, stale, kickMs);
    const begun = await stepdown('ch.takeover.begin', clientId, chosen, takeoverMs);
    if (begun?.kind !== 'ok') return undefined;
    return { pid: chosen, session: (begun.value as { session: unknown }).session };
  };

  const takeoverEnd = async (oldPid: Pid): Promise<readonly ChannelMessage[] | undefined> => {
    const clientId = tables.connOf(oldPid)?.clientId;
    const ended = await tracedStepdown('ch.takeover.end', clientId, oldPid, takeoverMs);
    if (ended.kind !== 'ok') return undefined;
    return (ended.value as { pendings: readonly ChannelMessage[] }).pendings;
  };

  const manager: ChannelManager = {
    pid,
    runtime,
    host,
    locker,
    registry,
    sessions,
    tables,
    registerChannel,
    async unregisterChannel(clientId, chanPid) {
      if (trace.active) trace.tp('cm.unregister', { clientId, pid: chanPid });
      tables.unregister(clientId, chanPid);
      if (tables.lookup(clientId).length === 0) hooks.forget(clientId);
      await registry.unregister(clientId, chanPid);
    },
    insertChannelInfo(clientId, chanPid, info, stats) {
      checkClientId(clientId);
      tables.insertInfo(clientId, chanPid, info, stats);
    },
    async getChanInfo(clientId, chanPid) {
      const target = chanPid ?? (await lookupChannels(clientId)).at(-1);
      return target ? tables.getInfo(clientId, target) : undefined;
    },
    setChanInfo: (clientId, chanPid, info) => tables.setInfo(clientId, chanPid, info),
    async getChanStats(clientId, chanPid) {
      const target = chanPid ?? (await lookupChannels(clientId)).at(-1);
      return target ? tables.getStats(clientId, target) : undefined;
    },
    setChanStats: (clientId, chanPid, stats) => tables.setStats(clientId, chanPid, stats),
    openSession: (request) =>
      openSession(request, {
        runtime,
        log,
        tables,
        registry,
        locker,
        sessions,
        hooks,
        policy: options.duplicateIdPolicy,
        kickMs,
        registerChannel,
        stepdown,
        takeoverSession,
        takeoverEnd,
        checkClientId,
        ensureManager,
      }),
    takeoverSession,
    takeoverEnd,
    discardSession,
    async kickSession(clientId) {
      const pids = await registry.lookup(clientId);
      if (pids.length === 0) log.warn({ clientId }, 'kicked_an_unknown_session');
      else if (pids.length > 1) log.warn({ clientId, count: pids.length }, 'more_than_one_channel_found');
      for (const chanPid of pids) await stepdown('ch.kick', clientId, chanPid, kickMs);
    },
    lookupChannels,
    deliver(clientId, message) {
      // The newest channel still alive: a dead one awaiting cleanup would drop the message.
      const target = tables
        .lookup(clientId)
        .filter((p) => runtime.isAlive(p))
        .at(-1);
      return target ? runtime.send(target, { type: 'ch.deliver', message }) : false;
    },
    allChannels: () => tables.allChannels(),
    connectedClientCount: () => tables.liveCount,
    stats: () => tables.stats(),
    async sync() {
      // The manager's mailbox may hold messages from many senders: ping it until it is empty and
      // the pool has nothing left, so that every registration and every DOWN has been handled.
      for (;;) {
        ensureManager();
        await runtime.call(pid, { type: 'ch.sync' }, { timeoutMs: Infinity });
        await pool.flush();
        const info = runtime.processInfo(pid);
        if ((info?.mailboxLength ?? 0) === 0 && pool.pending === 0) return;
      }
    },
    async close() {
      await pool.close();
      if (ownsLocker) await locker.close();
      runtime.exit(pid, 'shutdown');
    },
  };
  return manager;
}

function isTakenover(reason: DownReason): boolean {
  return typeof reason === 'object' && 'shutdown' in reason && reason.shutdown === 'takenover';
}

/** @throws {TypeError} CH_ERR_INVALID_CLIENT_ID */
export function checkClientId(clientId: unknown): asserts clientId is string {
  if (typeof clientId !== 'string' || clientId.length === 0)
    throw new InvalidClientId('must be a non-empty string');
  if (clientId.length > 65535) throw new InvalidClientId('longer than 65535 characters');
}

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && value > 0))
    throw new InvalidChannelOption(`${name} must be > 0, got ${String(value)}`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidChannelOption(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
