/**
 * `openSession`: EMQX's `open_session` in its 4.4/5.0 shape, with the later fixes (§J). Everything
 * runs inside the client id's try-lock: a clean start discards every old channel and creates a
 * session; a resume takes the old session over (begin → resume → register → end) or creates one
 * when there is nothing to take over. The registration — and so the live-count increment —
 * happens inside the lock, so lock losers never count (the seed's race fix). Before the lock, an
 * open is refused while a previous channel of the client id is dead but not yet cleaned up (the
 * registration throttle), and registry rows of dead pids this node does not know are reaped.
 */
import { pidEquals } from '@switchboard/runtime';
import type { Pid, Runtime } from '@switchboard/runtime';
import type { Logger } from 'pino';
import type { DuplicateIdPolicy } from './channel-manager.js';
import type { ChannelTables } from './channel-tables.js';
import { ClientIdUnavailable } from './errors.js';
import { bugs } from '#bugs';
import type { HookEmitter } from './hooks.js';
import type { Locker } from './locker.js';
import type { Registry } from './registry.js';
import type { ChannelMessage, ClientInfo, ConnInfo, SessionStore } from './session.js';
import type { StepdownAction, StepdownResult } from './stepdown.js';

/** What `openSession` takes. */
export interface OpenSessionRequest {
  readonly cleanStart: boolean;
  readonly clientInfo: ClientInfo;
  readonly connInfo: ConnInfo;
  /** The new channel process: the lock owner and the pid that gets registered. */
  readonly pid: Pid;
}

/** What `openSession` gives back. */
export interface OpenSessionResult {
  readonly session: unknown;
  /** True iff an old channel answered both takeover begin and end. */
  readonly present: boolean;
  /** The old channel's pendings (deliveries that reached it during the takeover), in order. */
  readonly pendings: readonly ChannelMessage[];
}

/** The manager's parts `openSession` works with. */
export interface OpenSessionDeps {
  readonly runtime: Runtime;
  readonly log: Logger;
  readonly tables: ChannelTables;
  readonly registry: Registry;
  readonly locker: Locker;
  readonly sessions: SessionStore;
  readonly hooks: HookEmitter;
  readonly policy: DuplicateIdPolicy | undefined;
  readonly kickMs: number;
  registerChannel(clientId: string, pid: Pid, connInfo: ConnInfo): Promise<void>;
  stepdown(
    action: StepdownAction,
    clientId: string,
    pid: Pid,
    timeoutMs: number,
  ): Promise<StepdownResult | undefined>;
  takeoverSession(
    clientId: string,
    except?: Pid,
  ): Promise<{ readonly pid: Pid; readonly session: unknown } | undefined>;
  ensureManager(): void;
  takeoverEnd(pid: Pid): Promise<readonly ChannelMessage[] | undefined>;
  checkClientId(clientId: unknown): asserts clientId is string;
}

/**
 * Opens a session for `request.pid`. Rejects with `CH_ERR_CLIENT_ID_UNAVAILABLE` when the lock
 * is held, a previous channel's cleanup is pending, the policy is `'reject-new'` and the id is in
 * use, or the opener died on the way.
 */
export async function openSession(
  request: OpenSessionRequest,
  deps: OpenSessionDeps,
): Promise<OpenSessionResult> {
  const trace = deps.runtime.trace;
  if (!trace.active) return open(request, deps);
  const { cleanStart, clientInfo, pid } = request;
  const clientId = clientInfo.clientId;
  trace.tp('cm.open.begin', { clientId, pid, cleanStart });
  try {
    const opened = await open(request, deps);
    const result = opened.present ? 'resumed' : 'created';
    trace.tp('cm.open.end', { clientId, pid, cleanStart, result, present: opened.present });
    return opened;
  } catch (err) {
    const result = ClientIdUnavailable.is(err) ? 'unavailable' : 'error';
    trace.tp('cm.open.end', { clientId, pid, cleanStart, result, error: errorMessage(err) });
    throw err;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The open itself, untraced. */
async function open(request: OpenSessionRequest, deps: OpenSessionDeps): Promise<OpenSessionResult> {
  const { runtime, registry, locker } = deps;
  const { cleanStart, clientInfo, pid } = request;
  const clientId = clientInfo.clientId;
  deps.checkClientId(clientId);
  deps.ensureManager();
  if (!runtime.isAlive(pid)) throw new ClientIdUnavailable(clientId, 'the opening channel is not alive');

  await throttle(clientId, deps);
  // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
  if (bugs.B1) countLiveBeforeTheLock(clientId, pid, deps);
  if (!(await locker.acquire(clientId, pid)))
    throw new ClientIdUnavailable(clientId, 'locked by another open');
  try {
    const alive = (): void => {
      if (!runtime.isAlive(pid)) throw new ClientIdUnavailable(clientId, 'the opening channel died');
    };
    alive();
    const policy = deps.policy ?? (cleanStart ? 'discard' : 'takeover');
    const others = (await registry.lookup(clientId)).filter((p) => !pidEquals(p, pid));

    if (policy === 'reject-new' && others.some((p) => runtime.isAlive(p))) {
      throw new ClientIdUnavailable(clientId, 'in use and the policy is reject-new');
    }
    if (policy === 'takeover' && !cleanStart) {
      // Never itself: a channel that opens again under its own id starts over, it does not take itself over.
      const taken = await deps.takeoverSession(clientId, pid);
      alive();
      if (taken) return await resume(request, taken, deps);
      return await fresh(request, deps);
    }
    // Clean start, or a policy that never hands a session over: every old channel steps down.
    const action: StepdownAction = policy === 'kick-old' ? 'ch.kick' : 'ch.discard';
    for (const old of others) await deps.stepdown(action, clientId, old, deps.kickMs);
    alive();
    return await fresh(request, deps);
  } finally {
    await locker.release(clientId, pid);
  }
}

/** Creates a fresh session and registers the channel (inside the lock). */
async function fresh(request: OpenSessionRequest, deps: OpenSessionDeps): Promise<OpenSessionResult> {
  const { clientInfo, connInfo, pid } = request;
  const session = deps.sessions.create(clientInfo, connInfo, deps.runtime.clock.now());
  deps.hooks.emit('session.created', clientInfo.clientId, pid);
  await deps.registerChannel(clientInfo.clientId, pid, connInfo);
  return { session, present: false, pendings: [] };
}

/**
 * The takeover after a successful begin: adopt the session, register the new channel (so new
 * deliveries reach it, not the old one, from now on), then end the old one and take its
 * pendings. If end fails the old channel was killed (its pendings with it); the new one keeps
 * the session taken at begin, with `present: false`.
 */
async function resume(
  request: OpenSessionRequest,
  taken: { readonly pid: Pid; readonly session: unknown },
  deps: OpenSessionDeps,
): Promise<OpenSessionResult> {
  const { clientInfo, connInfo, pid } = request;
  const clientId = clientInfo.clientId;
  const now = deps.runtime.clock.now();
  let resumed: unknown;
  try {
    resumed = deps.sessions.resume(taken.session, clientInfo, connInfo, now);
  } catch (err) {
    // A session this store cannot adopt (another version, corrupt): the old channel is let go
    // and the client starts fresh, rather than the open failing.
    deps.log.warn({ clientId, old: String(taken.pid), err }, 'taken-over session could not be resumed');
    await deps.stepdown('ch.discard', clientId, taken.pid, deps.kickMs);
    return fresh(request, deps);
  }
  await deps.registerChannel(clientId, pid, connInfo);
  const pendings = await deps.takeoverEnd(taken.pid);
  if (pendings === undefined) {
    // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
    if (bugs.B5) return startOverAfterFailedEnd(request, taken.pid, deps);
    // The old channel was killed (or died) with its pendings, but the session it handed over at
    // begin (its queue included) is ours already: keep it. Not `present`: end never answered.
    deps.log.warn({ clientId, old: String(taken.pid) }, 'takeover end failed; its pendings are lost');
    deps.hooks.emit('session.resumed', clientId, pid);
    return { session: resumed, present: false, pendings: [] };
  }
  deps.hooks.emit('session.resumed', clientId, pid);
  return { session: resumed, present: true, pendings };
}

/**
 * EMQX's registration throttle (PR #15773) and stale-row reaping (PR #17424): a dead pid of this
 * node that still has its conn row means its cleanup is pending, so the open is refused; a dead
 * pid without a conn row is a tombstone left in the registry, and its row is deleted.
 */
async function throttle(clientId: string, deps: OpenSessionDeps): Promise<void> {
  const { runtime, tables, registry } = deps;
  for (const p of tables.lookup(clientId)) {
    if (!runtime.isAlive(p))
      throw new ClientIdUnavailable(clientId, 'a previous channel is still being cleaned up');
  }
  for (const p of await registry.lookup(clientId)) {
    if (p.node !== runtime.node || runtime.isAlive(p)) continue;
    if (tables.connOf(p))
      throw new ClientIdUnavailable(clientId, 'a previous channel is still being cleaned up');
    await registry.unregister(clientId, p);
  }
}

// --- The bug catalogue's wrong versions (docs/reference/bug-catalogue.md); never taken in production.
// Stryker disable all: bug catalogue

/** B1, EMQX before PR #6404: counted live at connect time, before the lock; a lock loser keeps its count. */
function countLiveBeforeTheLock(clientId: string, pid: Pid, deps: OpenSessionDeps): void {
  if (!deps.tables.markLive(pid)) return;
  const trace = deps.runtime.trace;
  if (trace.active) trace.tp('cm.live.incremented', { clientId, pid });
  deps.hooks.emit('client.connected', clientId, pid);
}

/** B5: end failed, and the session taken over at begin is thrown away for a fresh one (its queue is lost). */
function startOverAfterFailedEnd(
  request: OpenSessionRequest,
  oldPid: Pid,
  deps: OpenSessionDeps,
): OpenSessionResult {
  const { clientInfo, connInfo, pid } = request;
  deps.log.warn(
    { clientId: clientInfo.clientId, old: String(oldPid) },
    'takeover end failed; starting a fresh session',
  );
  const session = deps.sessions.create(clientInfo, connInfo, deps.runtime.clock.now());
  deps.hooks.emit('session.created', clientInfo.clientId, pid);
  return { session, present: false, pendings: [] };
}
// Stryker restore all
