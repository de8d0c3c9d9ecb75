/**
 * The channel behaviour: the machine a connection process runs (EMQX's `emqx_channel`, the part
 * the channel manager talks to). It holds the client's session while connected (deliveries go
 * out through `outbound`) or disconnected (deliveries are queued in the session until it
 * expires), and answers the manager's stepdown calls: kick, discard, takeover begin and end.
 *
 * The takeover rules it enforces (reference §E):
 * - after `ch.takeover.begin` a delivery goes ONLY into `pendings`, never into the session or out
 *   of the socket: the session has already been handed over (the seed's loss fix, PRs #6393/#6396);
 * - `ch.takeover.end` returns the pendings and the process exits `{ shutdown: 'takenover' }`; if
 *   end never comes, it exits `{ shutdown: 'takeover_timeout' }` after 2 × T_TAKEOVER (§J.5);
 * - a session with expiry 0 is ended, not handed over: begin gets no reply, the process exits
 *   `{ shutdown: 'session_ended' }`, and the taker starts fresh (§E.3);
 * - the new channel de-duplicates the old channel's pendings against its own early deliveries by
 *   message id, pendings first (§E.2 step 4, in place of EMQX 4.x's `usort`).
 *
 * The outbound side is a plain callback, so a transport plugs in its socket and tests a spy.
 */
import { and, assign, setup } from 'xstate';
import { exitSelf, reply, replyTo } from '@switchboard/runtime';
import type { CallRequest, From, Pid } from '@switchboard/runtime';
import type { ChannelHost } from './channel-host.js';
import type { HookName } from './hooks.js';
import type { ChannelMessage } from './session.js';
import { bugs } from '#bugs';

// --- Messages

/**
 * The result of `openSession` for this channel, sent by whoever ran it. Until it arrives the
 * channel is `opening` and buffers deliveries.
 *
 * @example
 * ```ts
 * rt.send(pid, { type: 'ch.opened', ...(await cm.openSession({ cleanStart, clientInfo, connInfo, pid })) });
 * ```
 */
export interface ChannelOpened {
  readonly type: 'ch.opened';
  readonly session: unknown;
  readonly present: boolean;
  /** The old channel's pendings (takeover end), in order. */
  readonly pendings: readonly ChannelMessage[];
}

/**
 * A message for the client: sent out if connected, queued in the session if disconnected, kept
 * as a pending while taking over.
 *
 * @example
 * ```ts
 * rt.send(pid, { type: 'ch.deliver', message: { id: 'm1', payload: { text: 'hi' }, room: 'lobby' } });
 * ```
 */
export interface ChannelDeliver {
  readonly type: 'ch.deliver';
  readonly message: ChannelMessage;
}

/**
 * The transport lost the socket. The session outlives it unless its expiry is 0.
 *
 * @example
 * ```ts
 * socket.on('close', () => rt.send(pid, { type: 'ch.socket.closed', reason: 'peer_closed' }));
 * ```
 */
export interface ChannelSocketClosed {
  readonly type: 'ch.socket.closed';
  /** Reported to `client.disconnected`. Default `'closed'`. */
  readonly reason?: string | undefined;
}

/**
 * Data from the client (a decoded frame), handed to the input's `inbound` callback inside the
 * channel process, in arrival order: a callback that throws crashes only this process.
 *
 * @example
 * ```ts
 * decoder.push(chunk).frames.forEach((frame) => rt.send(pid, { type: 'ch.inbound', data: frame }));
 * ```
 */
export interface ChannelInbound {
  readonly type: 'ch.inbound';
  readonly data: unknown;
}

/**
 * The calls a channel answers (send them with `rt.call`; the runtime adds `from`).
 *
 * @example
 * ```ts
 * const request: ChannelRequest = { type: 'ch.takeover.begin' };
 * const { session } = await rt.call<TakeoverBeginReply>(oldPid, request, { timeoutMs: 15_000 });
 * ```
 */
export type ChannelRequest =
  | { readonly type: 'ch.kick' }
  | { readonly type: 'ch.discard' }
  | { readonly type: 'ch.takeover.begin' }
  | { readonly type: 'ch.takeover.end' }
  | { readonly type: 'ch.info' };

/**
 * Everything the channel machine handles.
 *
 * @example
 * ```ts
 * const event: ChannelEvent = { type: 'ch.deliver', message: { id: 'm1', payload: 1 } };
 * ```
 */
export type ChannelEvent =
  ChannelOpened | ChannelDeliver | ChannelSocketClosed | ChannelInbound | CallRequest<ChannelRequest>;

/**
 * The reply to `ch.takeover.begin`: the session, handed over as is (its queue included).
 *
 * @example
 * ```ts
 * const { session } = await rt.call<TakeoverBeginReply>(oldPid, { type: 'ch.takeover.begin' });
 * ```
 */
export interface TakeoverBeginReply {
  readonly session: unknown;
}

/**
 * The reply to `ch.takeover.end`: every delivery received since begin, in arrival order.
 *
 * @example
 * ```ts
 * const { pendings } = await rt.call<TakeoverEndReply>(oldPid, { type: 'ch.takeover.end' });
 * ```
 */
export interface TakeoverEndReply {
  readonly pendings: readonly ChannelMessage[];
}

/**
 * The channel's top-level states.
 *
 * @example
 * ```ts
 * const state: ChannelStateName = (await rt.call<ChannelInfo>(pid, { type: 'ch.info' })).state;
 * ```
 */
export type ChannelStateName = 'opening' | 'connected' | 'disconnected' | 'takingOver';

/**
 * The reply to `ch.info`. The counters cover this channel's life only.
 *
 * @example
 * ```ts
 * const info = await rt.call<ChannelInfo>(pid, { type: 'ch.info' }); // { state: 'connected', … }
 * ```
 */
export interface ChannelInfo {
  readonly state: ChannelStateName;
  readonly clientId: string;
  /** Deliveries held for a taker (only while `takingOver`). */
  readonly pendings: number;
  /** Deliveries buffered while `opening`. */
  readonly early: number;
  /** Messages this channel put into its session's queue (a count, not the queue's length). */
  readonly queued: number;
  /** Messages sent through `outbound`. */
  readonly delivered: number;
  /** Deliveries dropped because their id was already among the old channel's pendings. */
  readonly duplicates: number;
}

/**
 * The reply type of each call. A call that ends the session without replying (begin on an
 * expiry-0 session) rejects with `RT_ERR_CALLEE_EXITED` instead.
 *
 * @example
 * ```ts
 * const ok = await rt.call<ChannelReplies['ch.kick']>(pid, { type: 'ch.kick' }); // 'ok'
 * ```
 */
export interface ChannelReplies {
  readonly 'ch.kick': 'ok';
  readonly 'ch.discard': 'ok';
  readonly 'ch.takeover.begin': TakeoverBeginReply;
  readonly 'ch.takeover.end': TakeoverEndReply;
  readonly 'ch.info': ChannelInfo;
}

/**
 * How a channel process ends on its own: its exit reason is `{ shutdown: ChannelShutdown }`.
 *
 * @example
 * ```ts
 * const ended = (r: DownReason): boolean => isShutdown(r); // all of these count as "already gone"
 * ```
 */
export type ChannelShutdown =
  'closed' | 'expired' | 'kicked' | 'discarded' | 'session_ended' | 'takenover' | 'takeover_timeout';

/**
 * Input of the channel machine.
 *
 * @example
 * ```ts
 * const input: ChannelInput = { clientId: 'c1', host: cm.host, outbound: (m) => socket.send(encode(m)) };
 * rt.spawn(channelMachine, { input });
 * ```
 */
export interface ChannelInput {
  readonly clientId: string;
  readonly host: ChannelHost;
  /** Sends to the client's socket. Undefined: no socket, the channel opens disconnected. */
  readonly outbound?: ((message: ChannelMessage) => void) | undefined;
  /** Handles `ch.inbound` while the socket is open (ignored once it is gone). A throw crashes the process. */
  readonly inbound?: ((data: unknown) => void) | undefined;
  /**
   * The socket side as one object, in place of `outbound` and `inbound`: a transport passes its
   * connection, so a channel costs no closures (≈ 0.2 KB each at tens of thousands of channels).
   */
  readonly port?: ChannelPort | undefined;
}

/**
 * The client's socket as a channel sees it (see {@link ChannelInput.port}).
 *
 * @example
 * ```ts
 * class Conn implements ChannelPort { outbound(m: ChannelMessage) { this.ws.send(encode(m)); } }
 * ```
 */
export interface ChannelPort {
  /** Sends to the client's socket. */
  outbound(message: ChannelMessage): void;
  /** Handles `ch.inbound` while the socket is open. A throw crashes the process. */
  readonly inbound?: ((data: unknown) => void) | undefined;
}

// --- Behaviour

/** Where a `ch.deliver` went, as the `ch.deliver` trace point reports it. */
type DeliveryTarget = 'socket' | 'session' | 'pendings' | 'early' | 'dropped-duplicate';

/** Node timers take at most 2^31 - 1 ms; longer expiries are waited out in chunks of this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ChannelContext {
  readonly clientId: string;
  readonly host: ChannelHost;
  /** The socket; undefined once it is gone (or if there never was one). */
  port: ChannelPort | undefined;
  /** True until this channel has told the host it is disconnected (the manager counts it live from registration). */
  live: boolean;
  /** Why the socket closed while opening: reported once the channel is registered (opened). */
  closedWhileOpening: string | undefined;
  session: unknown;
  /**
   * Appended in place (O(1) per delivery): no one holds an older snapshot of a process's context.
   * Both start as the shared frozen empty list and get their own array on the first message.
   */
  pendings: ChannelMessage[];
  early: ChannelMessage[];
  /** Ids of the old channel's pendings whose copy from the broker may still arrive here. */
  dedup: Set<string>;
  /** A takeover begin that arrived while opening, answered once the session is known. */
  deferredBegin: From | undefined;
  /**
   * Session expiry still to wait, in ms (waited in chunks of MAX_TIMER_MS); set as the channel
   * enters `disconnected`. Undefined before: the field then never holds a number that is not a
   * small integer, so V8 keeps no 16-byte box for it in every context (an `Infinity` would).
   */
  expiryLeftMs: number | undefined;
  /** The shared {@link NO_COUNTS} until something is counted (one field for three: ≈ 24 B less per connection). */
  counts: ChannelCounts;
}

/** What a channel counted (see {@link ChannelInfo}). */
interface ChannelCounts {
  readonly queued: number;
  readonly delivered: number;
  readonly duplicates: number;
}

const NO_COUNTS: ChannelCounts = Object.freeze({ queued: 0, delivered: 0, duplicates: 0 });

/** `counts` plus the given amounts: the same object when they are all 0 (most opens count nothing). */
function counted(
  counts: ChannelCounts,
  queued: number,
  delivered: number,
  duplicates: number,
): ChannelCounts {
  if (queued === 0 && delivered === 0 && duplicates === 0) return counts;
  return {
    queued: counts.queued + queued,
    delivered: counts.delivered + delivered,
    duplicates: counts.duplicates + duplicates,
  };
}

/** The expiry still to wait: infinite until the channel has entered `disconnected`. */
const expiryLeft = (context: ChannelContext): number => context.expiryLeftMs ?? Infinity;

const pidOf = (self: unknown): Pid => (self as { readonly pid: Pid }).pid;
const expiryOf = (context: ChannelContext, session: unknown): number =>
  context.host.sessions.expiryMs(session);

/**
 * Splits the old channel's pendings and this channel's early deliveries into what to deliver
 * (pendings first, then each early message whose id is not among them: EMQX's dedup by id) and the
 * ids that stay in the dedup window (those whose broker copy has not come yet).
 */
function merge(pendings: readonly ChannelMessage[], early: readonly ChannelMessage[]) {
  const window = new Set(pendings.map((m) => m.id));
  const fresh: ChannelMessage[] = [];
  let duplicates = 0;
  for (const m of early) {
    if (window.delete(m.id)) duplicates++;
    else fresh.push(m);
  }
  return { messages: [...pendings, ...fresh], window: window.size === 0 ? NO_IDS : window, duplicates };
}

/**
 * Shared empty values for what an idle connected channel holds empty (≈ 0.2 KB per channel less):
 * the dedup window (only ever deleted from, and only when it has the id) and, once open, the
 * early buffer (never appended to after open; frozen, so a write would throw).
 */
const NO_IDS: Set<string> = new Set();
const NO_MESSAGES = Object.freeze([]) as readonly ChannelMessage[] as ChannelMessage[];

/**
 * The channel behaviour. Spawn one per connection with `{ clientId, host, outbound }`, run
 * `openSession` for its pid, and send it the result as `ch.opened`.
 *
 * @example
 * ```ts
 * const pid = rt.spawn(channelMachine, { input: { clientId: 'c1', host: cm.host, outbound: (m) => ws.send(m) } });
 * const opened = await cm.openSession({ cleanStart: false, clientInfo: { clientId: 'c1' }, connInfo, pid });
 * rt.send(pid, { type: 'ch.opened', ...opened });
 * rt.send(pid, { type: 'ch.deliver', message: { id: 'm1', payload: 'hi' } }); // → outbound
 * await rt.call<ChannelReplies['ch.kick']>(pid, { type: 'ch.kick' }); // 'ok'; exits { shutdown: 'kicked' }
 * ```
 */
export const channelMachine = setup({
  types: {
    context: {} as ChannelContext,
    events: {} as ChannelEvent,
    input: {} as ChannelInput,
  },
  delays: {
    expiryChunk: ({ context }) => Math.min(expiryLeft(context), MAX_TIMER_MS),
    takeoverGrace: ({ context }) => Math.min(2 * context.host.takeoverMs, MAX_TIMER_MS),
  },
  guards: {
    hasSocket: ({ context }) => context.port !== undefined,
    isDuplicate: ({ context, event }) => event.type === 'ch.deliver' && context.dedup.has(event.message.id),
    hasDeferredBegin: ({ context }) => context.deferredBegin !== undefined,
    closedWhileOpening: ({ context }) => context.closedWhileOpening !== undefined,
    openedEndsWithConnection: ({ context, event }) =>
      event.type === 'ch.opened' && expiryOf(context, event.session) === 0,
    endsWithConnection: ({ context }) => expiryOf(context, context.session) === 0,
    expiryIsFinite: ({ context }) => Number.isFinite(expiryLeft(context)),
    expiryDue: ({ context }) => expiryLeft(context) <= MAX_TIMER_MS,
  },
  actions: {
    hook: ({ context, self }, params: { name: HookName; reason?: string }) =>
      context.host.hook(params.name, context.clientId, pidOf(self), params.reason),
    /** EMQX's `ensure_disconnected`, once: only while the manager may still count us live (or `always`). */
    markDisconnected: ({ context, event, self }, params: { reason?: string; always?: boolean }) => {
      if (!context.live && params.always !== true) return;
      const reason =
        params.reason ??
        context.closedWhileOpening ??
        (event.type === 'ch.socket.closed' ? event.reason : undefined) ??
        (context.port === undefined ? 'no_socket' : 'closed');
      context.host.markDisconnected(context.clientId, pidOf(self), reason);
    },
    dropSocket: assign({ live: false, port: undefined }),
    // Trace points (docs/reference/trace-points.md): one check and nothing built when no one collects.
    traceDeliver: ({ context, event, self }, params: { into: DeliveryTarget }) => {
      const trace = context.host.trace;
      if (trace?.active !== true || event.type !== 'ch.deliver') return;
      // Stryker disable next-line all: bug catalogue (B3 puts what should be pended into the session)
      const into = params.into === 'pendings' && bugs.B3 ? 'session' : params.into;
      trace.tp('ch.deliver', { clientId: context.clientId, pid: pidOf(self), id: event.message.id, into });
    },
    traceBeginReceived: ({ context, self }, params: { state: ChannelStateName }) => {
      const trace = context.host.trace;
      if (trace?.active === true)
        trace.tp('ch.takeover.begin.received', {
          clientId: context.clientId,
          pid: pidOf(self),
          state: params.state,
        });
    },
    traceEndReplied: ({ context, self }) => {
      const trace = context.host.trace;
      if (trace?.active !== true) return;
      const ids = context.pendings.map((m) => m.id);
      trace.tp('ch.takeover.end.replied', { clientId: context.clientId, pid: pidOf(self), pendings: ids });
    },
    traceExit: ({ context, self }, params: { reason: ChannelShutdown }) => {
      const trace = context.host.trace;
      if (trace?.active === true)
        trace.tp('ch.exit', { clientId: context.clientId, pid: pidOf(self), reason: params.reason });
    },
    bufferEarly: ({ context, event }) => {
      if (event.type !== 'ch.deliver') return;
      if (context.early === NO_MESSAGES) context.early = [event.message];
      else context.early.push(event.message);
    },
    pend: ({ context, event }) => {
      if (event.type !== 'ch.deliver') return;
      // B3 (EMQX before PR #6393): into the session that was already handed over, so it is lost.
      // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
      if (bugs.B3) context.session = context.host.sessions.enqueue(context.session, event.message);
      else if (context.pendings === NO_MESSAGES) context.pendings = [event.message];
      else context.pendings.push(event.message);
    },
    /** B6: a begin restarts the handover from scratch, dropping the pendings gathered for the first one. */
    restartHandover: ({ context }) => {
      // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
      if (bugs.B6) context.pendings = NO_MESSAGES;
    },
    receive: ({ context, event }) => {
      if (event.type === 'ch.inbound') context.port?.inbound?.(event.data);
    },
    send: ({ context, event }) => {
      if (event.type === 'ch.deliver') context.port?.outbound(event.message);
    },
    countDelivered: assign({ counts: ({ context }) => counted(context.counts, 0, 1, 0) }),
    enqueue: assign(({ context, event }) => {
      if (event.type !== 'ch.deliver') return {};
      return {
        session: context.host.sessions.enqueue(context.session, event.message),
        counts: counted(context.counts, 1, 0, 0),
      };
    }),
    dropDuplicate: assign(({ context, event }) => {
      if (event.type === 'ch.deliver') context.dedup.delete(event.message.id);
      return { counts: counted(context.counts, 0, 0, 1) };
    }),
    adoptSession: assign({
      session: ({ event }) => (event.type === 'ch.opened' ? event.session : undefined),
    }),
    /**
     * Connected: the session's queue first (queued before the takeover began), then the merged
     * pendings, sent as the context is updated: one assign per open, where keeping them in the
     * context for a send action and clearing them after took a second context and snapshot copy.
     */
    openConnected: assign(({ context, event }) => {
      if (event.type !== 'ch.opened') return {};
      const drained = context.host.sessions.drain(event.session);
      const merged = merge(event.pendings, context.early);
      const outbox = [...drained.messages, ...merged.messages];
      const port = context.port;
      if (port) for (const m of outbox) port.outbound(m);
      return {
        session: drained.session,
        early: NO_MESSAGES,
        dedup: merged.window,
        counts: counted(context.counts, 0, outbox.length, merged.duplicates),
      };
    }),
    /** No socket: the merged pendings join the session's queue behind what it already holds. */
    openDisconnected: assign(({ context, event }) => {
      if (event.type !== 'ch.opened') return {};
      const merged = merge(event.pendings, context.early);
      let session = event.session;
      for (const m of merged.messages) session = context.host.sessions.enqueue(session, m);
      return {
        session,
        early: NO_MESSAGES,
        dedup: merged.window,
        counts: counted(context.counts, merged.messages.length, 0, merged.duplicates),
      };
    }),
    /** A begin arrived while opening: the whole session (queue included) goes to the taker, and what the old channel and we buffered becomes our pendings. */
    openForTakeover: assign(({ context, event }) => {
      if (event.type !== 'ch.opened') return {};
      const merged = merge(event.pendings, context.early);
      return {
        session: event.session,
        pendings: merged.messages,
        early: NO_MESSAGES,
        dedup: merged.window,
        counts: counted(context.counts, 0, 0, merged.duplicates),
      };
    }),
    replyDeferredBegin: replyTo(
      ({ context }: { context: ChannelContext }) => context.deferredBegin as From,
      ({ context }: { context: ChannelContext }): TakeoverBeginReply => ({ session: context.session }),
    ),
    forgetDeferredBegin: assign({ deferredBegin: undefined }),
  },
}).createMachine({
  id: 'channel',
  context: ({ input }) => ({
    clientId: input.clientId,
    host: input.host,
    port: input.port ?? (input.outbound ? { outbound: input.outbound, inbound: input.inbound } : undefined),
    // The manager marks every channel it registers live, socket or not; we tell it otherwise once.
    live: true,
    closedWhileOpening: undefined,
    session: undefined,
    pendings: NO_MESSAGES,
    early: NO_MESSAGES,
    dedup: NO_IDS,
    deferredBegin: undefined,
    expiryLeftMs: undefined,
    counts: NO_COUNTS,
  }),
  initial: 'opening',
  // Kick and discard end the channel in every state (EMQX replies ok, then shuts down).
  on: {
    // The client's own frames, in every state that still has its socket.
    'ch.inbound': { guard: 'hasSocket', actions: 'receive' },
    'ch.kick': {
      actions: [
        { type: 'markDisconnected', params: { reason: 'kicked' } },
        { type: 'hook', params: { name: 'session.kicked' } },
        reply('ok'),
        { type: 'traceExit', params: { reason: 'kicked' } },
        exitSelf({ shutdown: 'kicked' }),
      ],
    },
    'ch.discard': {
      actions: [
        { type: 'markDisconnected', params: { reason: 'discarded' } },
        { type: 'hook', params: { name: 'session.discarded' } },
        reply('ok'),
        { type: 'traceExit', params: { reason: 'discarded' } },
        exitSelf({ shutdown: 'discarded' }),
      ],
    },
  },
  states: {
    opening: {
      on: {
        'ch.deliver': { actions: ['bufferEarly', { type: 'traceDeliver', params: { into: 'early' } }] },
        // Not reported yet: registration may still be under way, and it would mark us live again.
        'ch.socket.closed': {
          actions: assign({
            port: undefined,
            closedWhileOpening: ({ event }) => event.reason ?? 'closed',
          }),
        },
        'ch.takeover.begin': {
          actions: [
            { type: 'traceBeginReceived', params: { state: 'opening' } },
            assign({ deferredBegin: ({ event }) => event.from }),
          ],
        },
        'ch.opened': [
          {
            // A taker is waiting but the session ends with its connection: end it, do not reply (§E.3).
            guard: and(['hasDeferredBegin', 'openedEndsWithConnection']),
            actions: [
              'adoptSession',
              { type: 'markDisconnected', params: { reason: 'takenover' } },
              { type: 'traceExit', params: { reason: 'session_ended' } },
              exitSelf({ shutdown: 'session_ended' }),
            ],
          },
          {
            guard: 'hasDeferredBegin',
            target: 'takingOver',
            actions: ['openForTakeover', 'replyDeferredBegin', 'forgetDeferredBegin'],
          },
          {
            guard: 'hasSocket',
            target: 'connected',
            actions: ['openConnected'],
          },
          {
            // The socket closed before the session was known, and the session ends with it.
            guard: and(['closedWhileOpening', 'openedEndsWithConnection']),
            actions: [
              'adoptSession',
              { type: 'markDisconnected', params: {} },
              'dropSocket',
              { type: 'traceExit', params: { reason: 'closed' } },
              exitSelf({ shutdown: 'closed' }),
            ],
          },
          {
            target: 'disconnected',
            actions: ['openDisconnected', { type: 'markDisconnected', params: {} }, 'dropSocket'],
          },
        ],
        'ch.info': { actions: reply(({ context }: { context: ChannelContext }) => info(context, 'opening')) },
      },
    },

    connected: {
      on: {
        'ch.deliver': [
          {
            guard: 'isDuplicate',
            actions: ['dropDuplicate', { type: 'traceDeliver', params: { into: 'dropped-duplicate' } }],
          },
          { actions: ['send', 'countDelivered', { type: 'traceDeliver', params: { into: 'socket' } }] },
        ],
        'ch.socket.closed': [
          {
            guard: 'endsWithConnection',
            actions: [
              { type: 'markDisconnected', params: {} },
              'dropSocket',
              { type: 'traceExit', params: { reason: 'closed' } },
              exitSelf({ shutdown: 'closed' }),
            ],
          },
          { target: 'disconnected', actions: [{ type: 'markDisconnected', params: {} }, 'dropSocket'] },
        ],
        'ch.takeover.begin': [
          {
            guard: 'endsWithConnection',
            actions: [
              { type: 'traceBeginReceived', params: { state: 'connected' } },
              { type: 'markDisconnected', params: { reason: 'takenover' } },
              { type: 'traceExit', params: { reason: 'session_ended' } },
              exitSelf({ shutdown: 'session_ended' }),
            ],
          },
          {
            target: 'takingOver',
            actions: [
              { type: 'traceBeginReceived', params: { state: 'connected' } },
              reply(({ context }: { context: ChannelContext }) => ({ session: context.session })),
            ],
          },
        ],
        'ch.info': {
          actions: reply(({ context }: { context: ChannelContext }) => info(context, 'connected')),
        },
      },
    },

    disconnected: {
      entry: assign({ expiryLeftMs: ({ context }) => expiryOf(context, context.session) }),
      initial: 'waiting',
      states: {
        // An infinite expiry arms no timer at all (a virtual clock would jump to it).
        waiting: { always: { guard: 'expiryIsFinite', target: 'expiring' } },
        expiring: {
          after: {
            expiryChunk: [
              {
                guard: 'expiryDue',
                actions: [
                  { type: 'traceExit', params: { reason: 'expired' } },
                  exitSelf({ shutdown: 'expired' }),
                ],
              },
              {
                target: 'expiring',
                reenter: true,
                actions: assign({ expiryLeftMs: ({ context }) => expiryLeft(context) - MAX_TIMER_MS }),
              },
            ],
          },
        },
      },
      on: {
        // Never to the socket: there is none. The session keeps it until a reconnect takes over.
        'ch.deliver': [
          {
            guard: 'isDuplicate',
            actions: ['dropDuplicate', { type: 'traceDeliver', params: { into: 'dropped-duplicate' } }],
          },
          { actions: ['enqueue', { type: 'traceDeliver', params: { into: 'session' } }] },
        ],
        'ch.takeover.begin': [
          {
            guard: 'endsWithConnection',
            actions: [
              { type: 'traceBeginReceived', params: { state: 'disconnected' } },
              { type: 'traceExit', params: { reason: 'session_ended' } },
              exitSelf({ shutdown: 'session_ended' }),
            ],
          },
          {
            target: 'takingOver',
            actions: [
              { type: 'traceBeginReceived', params: { state: 'disconnected' } },
              reply(({ context }: { context: ChannelContext }) => ({ session: context.session })),
            ],
          },
        ],
        'ch.info': {
          actions: reply(({ context }: { context: ChannelContext }) => info(context, 'disconnected')),
        },
      },
    },

    takingOver: {
      // The taker never sent end (it died, or its call timed out): do not hold the session forever.
      after: {
        takeoverGrace: {
          // Stryker disable next-line all: bug catalogue (B4: no timeout after begin; docs/reference/bug-catalogue.md)
          guard: () => !bugs.B4,
          actions: [
            { type: 'markDisconnected', params: { reason: 'takeover_timeout' } },
            { type: 'traceExit', params: { reason: 'takeover_timeout' } },
            exitSelf({ shutdown: 'takeover_timeout' }),
          ],
        },
      },
      on: {
        // The seed's fix: checked before anything else, and the only place a delivery goes now.
        'ch.deliver': [
          {
            guard: 'isDuplicate',
            actions: ['dropDuplicate', { type: 'traceDeliver', params: { into: 'dropped-duplicate' } }],
          },
          { actions: ['pend', { type: 'traceDeliver', params: { into: 'pendings' } }] },
        ],
        // A retried begin (the taker's first call timed out at its end) gets the same session, and
        // the pendings gathered so far stay: they are not in that session.
        'ch.takeover.begin': {
          actions: [
            { type: 'traceBeginReceived', params: { state: 'takingOver' } },
            'restartHandover',
            reply(({ context }: { context: ChannelContext }) => ({ session: context.session })),
          ],
        },
        'ch.takeover.end': {
          actions: [
            { type: 'hook', params: { name: 'session.takenover' } },
            // Always: the manager may count even a socketless channel live; the host's call is idempotent.
            { type: 'markDisconnected', params: { reason: 'takenover', always: true } },
            reply(({ context }: { context: ChannelContext }): TakeoverEndReply => ({
              pendings: context.pendings,
            })),
            'traceEndReplied',
            { type: 'traceExit', params: { reason: 'takenover' } },
            exitSelf({ shutdown: 'takenover' }),
          ],
        },
        'ch.socket.closed': { actions: [{ type: 'markDisconnected', params: {} }, 'dropSocket'] },
        'ch.info': {
          actions: reply(({ context }: { context: ChannelContext }) => info(context, 'takingOver')),
        },
      },
    },
  },
});

// --- Internals

function info(context: ChannelContext, state: ChannelStateName): ChannelInfo {
  return {
    state,
    clientId: context.clientId,
    pendings: context.pendings.length,
    early: context.early.length,
    queued: context.counts.queued,
    delivered: context.counts.delivered,
    duplicates: context.counts.duplicates,
  };
}
