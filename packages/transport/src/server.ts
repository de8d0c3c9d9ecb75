/**
 * `createServer`: TCP and WebSocket listeners whose every accepted socket becomes a connection
 * process — the channel machine — under a dynamic connection supervisor. CONNECT runs
 * `authenticate`, then admission, then the channel manager's `openSession` (clean start or
 * takeover, with its duplicate-id policy); CONNACK goes out before the session's pendings. The
 * server adds what connection servers need around that: rooms and broadcast, bounded outbound
 * queues, keepalive and the idle sweep, connection limits, graceful drain, and counters.
 */
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { createServer as createHttp } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, REASON, encodeFrame } from '@switchboard/protocol';
import type {
  ConnectFrame,
  Frame,
  JoinFrame,
  LeaveFrame,
  MessageFrame,
  ReasonCode,
} from '@switchboard/protocol';

/** The frames a connection process handles. */
type ClientFrame = MessageFrame | JoinFrame | LeaveFrame;
import { ClientIdUnavailable, channelMachine } from '@switchboard/channels';
import type { ChannelManager, ChannelMessage } from '@switchboard/channels';
import { createSupervisor, formatReason } from '@switchboard/runtime';
import type { DownReason, Pid, Runtime, Supervisor, TimerHandle } from '@switchboard/runtime';
import type { Logger } from 'pino';
import { Connection, connectionSettings } from './connection.js';
import type { ConnectionEvents, AdmittedClient } from './connection.js';
import type { ConnectionContext, Handlers } from './connection-context.js';
import { ConnectionHandle } from './connection-handle.js';
import type { HandleServer } from './connection-handle.js';
import { InvalidServerOption, ListenFailed } from './errors.js';
import type { AuthVerdict, ServerHooks } from './hooks.js';
import { resolveKeepalive, resolveLimits, resolveOutbound } from './options.js';
import type { KeepaliveOptions, Limits, OutboundOptions, TcpListen, WsListen } from './options.js';
import { TokenBucket } from './rate-limiter.js';
import { Rooms } from './rooms.js';
import { routeMessage } from './route-message.js';
import { newCounters } from './stats.js';
import type { ServerStats } from './stats.js';
import { transportMachine } from './transport-process.js';
import type { ConnectionDeath } from './transport-process.js';
import { tcpWire } from './tcp-wire.js';
import { WireWebSocket, wsWire } from './ws-wire.js';
import type { Wire } from './wire.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  readonly runtime: Runtime;
  readonly channels: ChannelManager;
  /** Listen for TCP here. */
  readonly tcp?: TcpListen;
  /** Listen for WebSocket here, or on an existing HTTP server. Default path `'/'` (any path). */
  readonly ws?: WsListen;
  readonly limits?: Limits;
  readonly outbound?: OutboundOptions;
  readonly keepalive?: KeepaliveOptions;
  readonly hooks?: ServerHooks;
  readonly handlers?: Handlers;
  /** Default: the runtime's logger. */
  readonly logger?: Logger;
}

/** Options of `drain`. */
export interface DrainOptions {
  /** Connections closed per second after every client was told. Default 1000. */
  readonly ratePerSec?: number;
  /** Whatever is still open then is destroyed. Default 30,000 ms. */
  readonly timeoutMs?: number;
  /** The reconnect hint sent in every DISCONNECT. Default 1000 ms. */
  readonly reconnectAfterMs?: number;
}

/** What `drain` did. */
export interface DrainResult {
  /** Connections that ended gracefully (closed by the rate, or by the client itself). */
  readonly closed: number;
  /** Connections destroyed at the timeout. */
  readonly forced: number;
}

/** The addresses the server listens on. */
export interface ServerAddresses {
  readonly tcp?: { readonly host: string; readonly port: number; readonly url: string };
  readonly ws?: { readonly host: string; readonly port: number; readonly path: string; readonly url: string };
}

/** A running server. */
export interface Server {
  /** Resolves when every listener is listening. @throws TRANSPORT_ERR_LISTEN (rejection) */
  readonly ready: Promise<ServerAddresses>;
  addresses(): ServerAddresses;
  /** The connection supervisor (a dynamic supervisor of channel processes). */
  readonly supervisor: Supervisor;
  /** The transport process (receives the connection processes' DOWN batches). */
  readonly pid: Pid;
  /** Puts the client id's open connection(s) in `room`; returns how many joined. */
  join(clientId: string, room: string): number;
  leave(clientId: string, room: string): number;
  /** Sends a MESSAGE to every member of `room`, encoded once. Returns how many got it. */
  broadcast(
    room: string,
    payload: unknown,
    options?: { readonly id?: string; readonly from?: string },
  ): number;
  /** Sends a MESSAGE to every open connection, encoded once. Returns how many got it. */
  broadcastAll(payload: unknown, options?: { readonly id?: string; readonly from?: string }): number;
  /** Delivers to a client id through the channel manager (its session queues it while offline). */
  deliver(
    clientId: string,
    payload: unknown,
    options?: { readonly id?: string; readonly from?: string },
  ): boolean;
  /** Members of a room (client ids of open connections). */
  roomMembers(room: string): string[];
  /** Every room with members, and how many. */
  rooms(): Map<string, number>;
  /** The open connections (past CONNACK), as handlers see them. */
  connections(): ConnectionContext[];
  /** Per-connection details of a client id's open connection, or undefined. */
  connectionInfo(clientId: string): ConnectionInfo | undefined;
  stats(): ServerStats;
  /** Stops accepting, tells every client (SERVER_SHUTTING_DOWN + reconnect hint), closes at a rate, forces the rest. */
  drain(options?: DrainOptions): Promise<DrainResult>;
  /** Closes every connection now (SERVER_SHUTTING_DOWN); keeps listening. */
  closeAll(reason?: ReasonCode): Promise<void>;
  /** Stops listening, closes every connection, stops the connection supervisor and the transport process. */
  close(): Promise<void>;
}

/** Details of one connection. */
export interface ConnectionInfo {
  readonly clientId: string;
  readonly pid: Pid;
  readonly transport: 'tcp' | 'ws';
  readonly peer: string;
  readonly phase: string;
  readonly rooms: readonly string[];
  readonly queueLength: number;
  readonly queuedBytes: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly dropped: number;
  readonly connectedFor: number;
}

/** The client info of a connection without an authenticate hook (shared: it is only read). */
const NO_CLIENT_INFO: Readonly<Record<string, unknown>> = Object.freeze({});
/** The verdict when there is no `authenticate` hook. */
const ADMITTED = Object.freeze({ ok: true, clientInfo: NO_CLIENT_INFO } as const);

/** Per-connection state the server keeps beside the wire-level `Connection`. */

/**
 * Starts a server. Listening starts at once; await `ready` for the addresses.
 *
 * @example
 * ```ts
 * const rt = createRuntime();
 * const channels = createChannelManager(rt);
 * const server = createServer({ runtime: rt, channels, tcp: { port: 7000 }, ws: { port: 7001 } });
 * const { tcp, ws } = await server.ready; // tcp.url 'tcp://127.0.0.1:7000'
 * server.broadcast('lobby', { text: 'hello' });
 * await server.drain({ ratePerSec: 500 });
 * ```
 * @throws {TypeError} TRANSPORT_ERR_INVALID_OPTION
 */
export function createServer(options: ServerOptions): Server {
  const { runtime, channels } = options;
  if (options.tcp === undefined && options.ws === undefined)
    throw new InvalidServerOption('give tcp, ws or both');
  const limits = resolveLimits(options.limits);
  const outbound = resolveOutbound(options.outbound);
  const keepalive = resolveKeepalive(options.keepalive);
  const hooks = options.hooks ?? {};
  const handlers = options.handlers ?? {};
  const log = (options.logger ?? runtime.logger).child({ component: 'transport' });
  const clock = runtime.clock;
  const handleMessage = handlers.message ?? routeMessage;
  /** The two successful CONNACKs, encoded once: every socket is sent the same bytes (≈ 5 µs less per connect). */
  const connack = (sessionPresent: boolean) =>
    encodeFrame({
      type: 'connack',
      sessionPresent,
      reason: REASON.SUCCESS,
      ...(keepalive.pingIntervalMs > 0 ? { pingIntervalMs: keepalive.pingIntervalMs } : {}),
    });
  const CONNACK = { fresh: connack(false), present: connack(true) };

  const counters = newCounters();
  const all = new Set<Connection>();
  const byPid = new Map<Pid, Connection>();
  const rooms = new Rooms<Connection>();
  const bucket = new TokenBucket(limits.maxConnRate, clock.now());
  // A connection's times are whole milliseconds since the server started: small integers, kept in
  // its fields as they are, where epoch milliseconds would take a 16-byte number each (3 per connection).
  const epoch = clock.now();
  const ticks = (): number => Math.floor(clock.now() - epoch);
  let opening = 0;
  let started = 0;
  let maxSockets = 0;
  let maxStarted = 0;
  let accepting = true;
  let stopped = false;
  let idSeq = 0;
  const nextId = () => `${runtime.node}-s${(idSeq++).toString(36)}`;
  /** Waiters for "no socket left". */
  let emptyWaiters: (() => void)[] = [];

  // --- Processes: the transport process hears the deaths the connection supervisor reports.
  const pid = runtime.spawn(transportMachine, { input: { onDeaths } });
  const supervisor = createSupervisor(runtime, {
    strategy: 'dynamic',
    child: { logic: channelMachine, restart: 'temporary', shutdown: 'brutal_kill' },
    reportDownsTo: pid,
  });

  // --- Connection events (wire level)
  const events: ConnectionEvents = {
    onDeliver: (conn, message) => deliverToSocket(conn, message),
    onInbound: (conn, data) => onInbound(conn, data as ClientFrame),
    onFrames: (conn, frames) => {
      counters.framesIn += frames.length;
      conn.lastInboundAt = ticks();
      for (const frame of frames) {
        if (!conn.writable) return;
        onFrame(conn, frame);
      }
    },
    onBadInput: (conn, code, reason) => {
      counters.malformed++;
      log.debug({ peer: conn.wire.peer, clientId: conn.clientId, code }, 'bad input: closing the connection');
      conn.disconnect(reason, `malformed: ${code}`);
    },
    onSlow: (conn) => {
      counters.evicted++;
      log.debug({ clientId: conn.clientId }, 'slow consumer evicted');
      conn.disconnect(REASON.SLOW_CONSUMER, 'slow_consumer', { abrupt: true });
    },
    onClosed: (conn, reason) => {
      all.delete(conn);
      counters.bytesIn += conn.bytesIn;
      counters.bytesOut += conn.bytesOut;
      counters.framesOut += conn.framesOut;
      counters.dropped += conn.dropped;
      rooms.removeMember(conn);
      if (conn.pid !== undefined) runtime.send(conn.pid, { type: 'ch.socket.closed', reason });
      if (conn.started) {
        started--;
        const peer = conn.client;
        if (hooks.onConnStop && peer)
          safely('onConnStop', () => hooks.onConnStop?.(contextOf(conn, peer), reason));
      }
      if (all.size === 0) {
        const waiters = emptyWaiters;
        emptyWaiters = [];
        for (const w of waiters) w();
      }
    },
  };
  const settings = connectionSettings({ maxFrameBytes: limits.maxFrameBytes, bounds: outbound, events });

  function accept(wire: Wire): void {
    const now = clock.now();
    if (!accepting || stopped) {
      counters.refused.draining++;
      return refuseWire(wire, REASON.SERVER_SHUTTING_DOWN);
    }
    if (!bucket.take(now)) {
      counters.refused.rate++;
      return refuseWire(wire, REASON.CONNECTION_RATE_EXCEEDED);
    }
    const conn = new Connection(wire, settings, ticks());
    all.add(conn);
    if (all.size > maxSockets) maxSockets = all.size;
    ensureSweep();
  }

  function refuseWire(wire: Wire, reason: ReasonCode): void {
    wire.attach({ onData: () => undefined, onDrain: () => undefined, onClose: () => undefined });
    wire.write(encodeFrame({ type: 'disconnect', reason }));
    wire.end();
  }

  // --- Frames
  function onFrame(conn: Connection, frame: Frame): void {
    switch (frame.type) {
      case 'ping':
        conn.send({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'disconnect':
        conn.end('client_disconnect');
        return;
      case 'connect':
        if (conn.phase !== 'awaiting') return conn.disconnect(REASON.PROTOCOL_ERROR, 'second_connect');
        void open(conn, frame);
        return;
      case 'message':
      case 'join':
      case 'leave':
        if (conn.phase === 'awaiting') return conn.disconnect(REASON.PROTOCOL_ERROR, 'frame_before_connect');
        if (conn.phase === 'opening') {
          conn.early ??= [];
          if (conn.early.length >= limits.maxFramesWhileOpening)
            return conn.disconnect(REASON.SERVER_BUSY, 'too_many_frames_while_opening');
          conn.early.push(frame);
          return;
        }
        if (conn.pid !== undefined) runtime.send(conn.pid, { type: 'ch.inbound', data: frame });
        return;
      case 'connack':
      case 'ack':
        // Server-to-client frames.
        conn.disconnect(REASON.PROTOCOL_ERROR, `unexpected_${frame.type}`);
    }
  }

  // --- CONNECT → authenticate → admission → spawn → openSession → CONNACK
  async function open(conn: Connection, frame: ConnectFrame): Promise<void> {
    conn.phase = 'opening';
    conn.clientId = frame.clientId;
    opening++;
    try {
      if (frame.version !== PROTOCOL_VERSION) {
        counters.refused.version++;
        return conn.disconnect(REASON.UNSUPPORTED_VERSION, 'unsupported_version');
      }
      // Without a hook there is nothing to wait for: no promise turn per connect.
      const verdict = hooks.authenticate ? await authenticate(conn, frame) : ADMITTED;
      if (!conn.writable) return;
      if (!verdict.ok) {
        counters.refused.auth++;
        return conn.disconnect(verdict.reason, 'not_authorized');
      }
      if (!admit(frame)) {
        counters.refused.busy++;
        return conn.disconnect(REASON.SERVER_BUSY, 'server_busy', { message: 'server busy' });
      }
      conn.clientInfo = verdict.clientInfo;
      const peer = conn as AdmittedClient;
      let chanPid: Pid;
      try {
        chanPid = await supervisor.startChild({
          clientId: frame.clientId,
          host: channels.host,
          // The connection is the channel's port: no closures per connection process.
          port: conn,
        });
      } catch (err) {
        counters.refused.busy++;
        log.warn({ err, clientId: frame.clientId }, 'cannot start a connection process');
        return conn.disconnect(REASON.SERVER_BUSY, 'server_busy');
      }
      conn.pid = chanPid;
      byPid.set(chanPid, conn);
      // The socket may already be gone: the channel learns it and opens disconnected.
      if ((conn.phase as string) === 'closed')
        runtime.send(chanPid, { type: 'ch.socket.closed', reason: conn.closeReason });
      let result;
      try {
        result = await channels.openSession({
          cleanStart: frame.cleanStart,
          clientInfo: {
            ...verdict.clientInfo,
            clientId: frame.clientId,
            // Protocol v1: null means the session never expires.
            sessionExpiryMs: frame.sessionExpiryMs ?? Infinity,
          },
          connInfo: { transport: conn.transport, peer: conn.wire.peer, connectedAt: clock.now() },
          pid: chanPid,
        });
      } catch (err) {
        // Never registered: the process goes, the client is told why.
        runtime.exit(chanPid, 'kill');
        const duplicate = ClientIdUnavailable.is(err) && /reject-new/.test(err.message);
        if (duplicate) counters.refused.duplicate++;
        else counters.refused.busy++;
        return conn.disconnect(
          duplicate ? REASON.DUPLICATE_CLIENT_ID : REASON.SERVER_BUSY,
          duplicate ? 'duplicate_client_id' : 'client_id_unavailable',
        );
      }
      if (conn.phase === 'opening') {
        // A control frame: never dropped by the outbound policy. Shared: the same two encodings go
        // to every client, so a WebSocket wire frames each once and writes it as one buffer.
        conn.sendEncoded(result.present ? CONNACK.present : CONNACK.fresh, true, true);
        conn.phase = 'open';
        conn.lastInboundAt = ticks();
        conn.started = true;
        started++;
        if (started > maxStarted) maxStarted = started;
      }
      // CONNACK is out: now the session's queue and the takeover pendings, in order.
      runtime.send(chanPid, { type: 'ch.opened', ...result });
      const early = conn.early;
      conn.early = undefined;
      if (early) for (const f of early) runtime.send(chanPid, { type: 'ch.inbound', data: f });
      if (conn.started && hooks.onConnStart)
        safely('onConnStart', () => hooks.onConnStart?.(contextOf(conn, peer)));
    } finally {
      opening--;
    }
  }

  async function authenticate(
    conn: Connection,
    frame: ConnectFrame,
  ): Promise<
    { ok: true; clientInfo: Readonly<Record<string, unknown>> } | { ok: false; reason: ReasonCode }
  > {
    if (!hooks.authenticate) return ADMITTED;
    let verdict: AuthVerdict | typeof AUTH_TIMED_OUT;
    let timer: TimerHandle | undefined;
    try {
      verdict = await Promise.race([
        hooks.authenticate({
          clientId: frame.clientId,
          credentials: frame.credentials,
          cleanStart: frame.cleanStart,
          transport: conn.transport,
          peer: conn.wire.peer,
        }),
        // A hook that never answers must not hold the socket (and a maxConnections place) forever.
        new Promise<typeof AUTH_TIMED_OUT>((resolve) => {
          timer = clock.setTimeout(() => resolve(AUTH_TIMED_OUT), limits.authTimeoutMs, 'transport-auth');
        }),
      ]);
    } catch (err) {
      log.warn({ err, clientId: frame.clientId }, 'authenticate threw: refusing');
      return { ok: false, reason: REASON.NOT_AUTHORIZED };
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
    if (verdict === AUTH_TIMED_OUT) {
      log.warn(
        { clientId: frame.clientId, timeoutMs: limits.authTimeoutMs },
        'authenticate timed out: refusing',
      );
      return { ok: false, reason: REASON.SERVER_BUSY };
    }
    if (verdict === true) return { ok: true, clientInfo: NO_CLIENT_INFO };
    if (verdict === false) return { ok: false, reason: REASON.NOT_AUTHORIZED };
    if (verdict.ok) return { ok: true, clientInfo: verdict.clientInfo ?? NO_CLIENT_INFO };
    return { ok: false, reason: verdict.reason ?? REASON.NOT_AUTHORIZED };
  }

  /** maxConnections, counted from the live table plus opens in flight; a resume replacing a live channel is not a new connection. */
  function admit(frame: ConnectFrame): boolean {
    const inUse = channels.connectedClientCount() + opening - 1;
    if (inUse < limits.maxConnections) return true;
    // Live only: resuming a session whose connection is gone adds a live connection.
    return !frame.cleanStart && channels.tables.lookup(frame.clientId).some((p) => channels.tables.isLive(p));
  }

  // --- Inside the connection process
  /** Only MESSAGE, JOIN and LEAVE are sent to the process (see onFrame). */
  function onInbound(conn: Connection, frame: ClientFrame): void {
    const peer = conn.client;
    if (!peer) return;
    // While an async handler runs, later frames wait behind it: handlers see a client's frames
    // one at a time, in order, and ACKs go out in the order the frames came.
    if (peer.chain) {
      const chained = peer.chain.then(() => handleFrame(conn, peer, frame));
      track(conn, peer, chained);
      return;
    }
    // A synchronous throw here crashes the connection process (the runtime's exit reason { error }).
    const pending = handleFrame(conn, peer, frame);
    if (pending) track(conn, peer, pending);
  }

  /** Follows an async handler: a rejection ends the connection process like a synchronous throw. */
  function track(conn: Connection, peer: AdmittedClient, pending: Promise<void>): void {
    const chanPid = conn.pid as Pid;
    const chain: Promise<void> = pending.then(
      () => {
        if (peer.chain === chain) peer.chain = undefined;
      },
      (err: unknown) => {
        runtime.exit(chanPid, { error: err });
        // Nothing more runs for this connection: its process is ending.
        return new Promise<void>(() => undefined);
      },
    );
    peer.chain = chain;
  }

  /** Handles one frame; returns a promise while an async message handler has not settled. */
  function handleFrame(
    conn: Connection,
    peer: AdmittedClient,
    frame: ClientFrame,
  ): Promise<void> | undefined {
    const context = contextOf(conn, peer);
    switch (frame.type) {
      case 'message': {
        const result = handleMessage(context, frame);
        if (isPromise(result)) {
          return result.then((reason) => {
            conn.send({ type: 'ack', id: frame.id, reason: reason ?? REASON.SUCCESS });
          });
        }
        conn.send({ type: 'ack', id: frame.id, reason: result ?? REASON.SUCCESS });
        return undefined;
      }
      case 'join': {
        let reason: ReasonCode = REASON.SUCCESS;
        for (const room of frame.rooms) {
          if (handlers.authorizeJoin && !handlers.authorizeJoin(context, room))
            reason = REASON.NOT_AUTHORIZED;
          else context.join(room);
        }
        conn.send({ type: 'ack', id: frame.id, reason });
        return undefined;
      }
      case 'leave':
        for (const room of frame.rooms) context.leave(room);
        conn.send({ type: 'ack', id: frame.id, reason: REASON.SUCCESS });
        return undefined;
    }
  }

  function deliverToSocket(conn: Connection, message: ChannelMessage): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame({
        type: 'message',
        id: message.id,
        payload: message.payload,
        ...(message.room === undefined ? {} : { room: message.room }),
        ...(message.from === undefined ? {} : { from: message.from }),
      });
    } catch (err) {
      counters.unencodable++;
      log.warn({ err, clientId: conn.clientId, id: message.id }, 'cannot encode a delivery: dropped');
      return;
    }
    conn.sendEncoded(bytes);
  }

  // --- Deaths of connection processes (DOWN batches from the supervisor's monitors)
  function onDeaths(deaths: readonly ConnectionDeath[]): void {
    for (const { pid: dead, reason } of deaths) {
      const conn = byPid.get(dead);
      if (!conn) continue;
      byPid.delete(dead);
      rooms.removeMember(conn);
      if (reason !== null && typeof reason === 'object' && 'error' in reason) counters.handlerErrors++;
      if (conn.writable) conn.disconnect(reasonForExit(reason), exitWhy(reason));
    }
  }

  // --- Rooms and broadcast
  // The operations behind every connection handle of this server (one object, not closures per connection).
  const handleServer: HandleServer = {
    nextId,
    join: (conn, room) => joinConn(conn, room),
    leave: (conn, room) => rooms.leave(conn, room),
    roomsOf: (conn) => rooms.roomsOf(conn),
    broadcast: (conn, room, payload, exceptSelf) =>
      broadcastTo(
        rooms.members(room),
        { id: nextId(), room, payload, from: conn.clientId },
        exceptSelf ? conn : undefined,
      ),
    deliver: (conn, clientId, payload, id) =>
      channels.deliver(clientId, {
        id: id ?? nextId(),
        payload,
        ...(conn.clientId ? { from: conn.clientId } : {}),
      }),
  };

  function contextOf(conn: Connection, peer: AdmittedClient): ConnectionContext {
    return (peer.context ??= new ConnectionHandle(conn, peer.clientInfo, handleServer));
  }

  /** A join counts only for a live, open connection whose process is alive: no member outlives its connection. */
  function joinConn(conn: Connection, room: string): boolean {
    if (conn.phase !== 'open' || conn.pid === undefined || !byPid.has(conn.pid) || !runtime.isAlive(conn.pid))
      return false;
    return rooms.join(conn, room);
  }

  function broadcastTo(
    members: Iterable<Connection>,
    message: { id: string; room?: string | undefined; payload: unknown; from?: string | undefined },
    except?: Connection,
  ): number {
    const encoded = encodeFrame({
      type: 'message',
      id: message.id,
      payload: message.payload,
      ...(message.room === undefined ? {} : { room: message.room }),
      ...(message.from === undefined ? {} : { from: message.from }),
    });
    // One Buffer view for every member (no copy): `ws` would otherwise wrap the bytes in a new one per send.
    const bytes = Buffer.isBuffer(encoded)
      ? encoded
      : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    let reached = 0;
    for (const conn of members) {
      if (conn === except || conn.phase !== 'open') continue;
      const r = conn.sendEncoded(bytes, false, true);
      if (r === 'written' || r === 'queued') reached++;
    }
    return reached;
  }

  function openConnsOf(clientId: string): Connection[] {
    const found: Connection[] = [];
    for (const p of channels.tables.lookup(clientId)) {
      const conn = byPid.get(p);
      if (conn?.phase === 'open') found.push(conn);
    }
    return found;
  }

  // --- Keepalive, connect timeout and idle sweep: one timer for the whole server.
  const sweepEveryMs = Math.max(
    10,
    Math.min(limits.connectTimeoutMs, keepalive.idleTimeoutMs, keepalive.pingIntervalMs || Infinity) / 4,
  );
  let sweepTimer: TimerHandle | undefined;
  function ensureSweep(): void {
    if (sweepTimer === undefined && !stopped)
      sweepTimer = clock.setTimeout(sweep, sweepEveryMs, 'transport-sweep');
  }
  function sweep(): void {
    sweepTimer = undefined;
    const now = ticks();
    const ping = encodeFrame({ type: 'ping' });
    for (const conn of all) {
      if (conn.phase === 'awaiting') {
        if (now - conn.acceptedAt >= limits.connectTimeoutMs) {
          counters.connectTimeouts++;
          conn.disconnect(REASON.CONNECT_TIMEOUT, 'connect_timeout');
        }
      } else if (conn.phase === 'open') {
        const silent = now - conn.lastInboundAt;
        if (silent >= keepalive.idleTimeoutMs) {
          counters.idleTimeouts++;
          conn.disconnect(REASON.IDLE_TIMEOUT, 'idle_timeout');
        } else if (
          keepalive.pingIntervalMs > 0 &&
          silent >= keepalive.pingIntervalMs &&
          now - conn.lastPingAt >= keepalive.pingIntervalMs
        ) {
          conn.lastPingAt = now;
          // One encoding per sweep for every connection it pings: framed once by a WebSocket wire.
          conn.sendEncoded(ping, false, true);
        }
      }
    }
    if (all.size > 0) ensureSweep();
  }

  // --- Listeners
  const netServer: NetServer | undefined = options.tcp
    ? createNetServer((s: Socket) => accept(tcpWire(s)))
    : undefined;
  let wss: WebSocketServer | undefined;
  /** The HTTP server we created for a `ws: { host, port }` listener. */
  let wsHttp: NetServer | undefined;
  const wsPath = options.ws?.path;
  const onWs = (ws: WebSocket, req: IncomingMessage) => accept(wsWire(ws, req.socket));
  const listening: Promise<void>[] = [];
  if (netServer && options.tcp) {
    const { host = '127.0.0.1', port } = options.tcp;
    listening.push(listen(netServer, port, host, 'tcp'));
  }
  if (options.ws) {
    const common = {
      maxPayload: limits.maxFrameBytes + 4,
      perMessageDeflate: false,
      clientTracking: false,
      // Events go straight to the wire, pings answered there (see WireWebSocket): ≈ 300 B less per socket.
      WebSocket: WireWebSocket,
      autoPong: false,
      ...(wsPath === undefined ? {} : { path: wsPath }),
    };
    if ('server' in options.ws) {
      wss = new WebSocketServer({ ...common, server: options.ws.server });
    } else {
      const { host = '127.0.0.1', port } = options.ws;
      wss = new WebSocketServer({ ...common, noServer: true });
      wsHttp = createHttpForWs(wss);
      listening.push(listen(wsHttp, port, host, 'ws'));
    }
    wss.on('connection', onWs);
    wss.on('error', (err) => log.error({ err }, 'websocket server error'));
  }
  const ready = Promise.all(listening).then(() => addresses());
  // An unobserved listen failure must not crash the process; `ready` still rejects for whoever awaits it.
  ready.catch(() => undefined);

  function addresses(): ServerAddresses {
    const out: { -readonly [K in keyof ServerAddresses]: ServerAddresses[K] } = {};
    const t = netServer?.address() as AddressInfo | null | undefined;
    if (t) out.tcp = { host: t.address, port: t.port, url: `tcp://${hostForUrl(t.address)}:${t.port}` };
    const httpServer = options.ws && 'server' in options.ws ? options.ws.server : wsHttp;
    const w = httpServer?.address() as AddressInfo | null | undefined;
    if (w) {
      const path = wsPath ?? '/';
      out.ws = { host: w.address, port: w.port, path, url: `ws://${hostForUrl(w.address)}:${w.port}${path}` };
    }
    return out;
  }

  /**
   * Stops accepting. Returns a promise for the listeners' full close, which Node gives only once
   * every socket they accepted is gone: await it after the connections are closed, not before.
   */
  function stopListening(): Promise<void> {
    accepting = false;
    listenersClosed ??= Promise.all([
      new Promise<void>((r) => (netServer?.listening ? netServer.close(() => r()) : r())),
      new Promise<void>((r) => (wsHttp?.listening ? wsHttp.close(() => r()) : r())),
    ]).then(() => undefined);
    return listenersClosed;
  }
  let listenersClosed: Promise<void> | undefined;

  function whenEmpty(): Promise<void> {
    if (all.size === 0) return Promise.resolve();
    return new Promise((resolve) => emptyWaiters.push(resolve));
  }

  function safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log.error({ err, hook: what }, 'hook threw');
    }
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => clock.setTimeout(resolve, ms, 'transport-drain'));
  }

  const server: Server = {
    ready,
    addresses,
    supervisor,
    pid,
    join(clientId, room) {
      let n = 0;
      for (const conn of openConnsOf(clientId)) if (joinConn(conn, room)) n++;
      return n;
    },
    leave(clientId, room) {
      let n = 0;
      for (const conn of openConnsOf(clientId)) if (rooms.leave(conn, room)) n++;
      return n;
    },
    broadcast(room, payload, o = {}) {
      return broadcastTo(rooms.members(room), { id: o.id ?? nextId(), room, payload, from: o.from });
    },
    broadcastAll(payload, o = {}) {
      return broadcastTo(all, { id: o.id ?? nextId(), payload, from: o.from });
    },
    deliver(clientId, payload, o = {}) {
      return channels.deliver(clientId, {
        id: o.id ?? nextId(),
        payload,
        ...(o.from === undefined ? {} : { from: o.from }),
      });
    },
    roomMembers(room) {
      return [...rooms.members(room)].map((c) => c.clientId ?? '');
    },
    rooms: () => rooms.sizes(),
    connections() {
      const out: ConnectionContext[] = [];
      for (const conn of all) {
        const peer = conn.client;
        if (conn.phase === 'open' && peer) out.push(contextOf(conn, peer));
      }
      return out;
    },
    connectionInfo(clientId) {
      const conn = openConnsOf(clientId)[0];
      if (!conn || conn.pid === undefined) return undefined;
      return {
        clientId,
        pid: conn.pid,
        transport: conn.transport,
        peer: conn.wire.peer,
        phase: conn.phase,
        rooms: rooms.roomsOf(conn),
        queueLength: conn.queueLength,
        queuedBytes: conn.queuedBytes,
        ...conn.counters,
        connectedFor: ticks() - conn.acceptedAt,
      };
    },
    stats() {
      // Live connections' bytes are added to the totals when they close; count them now too.
      let bytesIn = counters.bytesIn;
      let bytesOut = counters.bytesOut;
      let framesOut = counters.framesOut;
      let dropped = counters.dropped;
      for (const conn of all) {
        bytesIn += conn.bytesIn;
        bytesOut += conn.bytesOut;
        framesOut += conn.framesOut;
        dropped += conn.dropped;
      }
      return {
        sockets: { count: all.size, max: maxSockets },
        connections: { count: started, max: maxStarted },
        rooms: rooms.roomCount,
        counters: { ...counters, bytesIn, bytesOut, framesOut, dropped, refused: { ...counters.refused } },
        channels: channels.stats(),
      };
    },
    async drain(o = {}) {
      const ratePerSec = o.ratePerSec ?? 1000;
      const timeoutMs = o.timeoutMs ?? 30_000;
      const reconnectAfterMs = o.reconnectAfterMs ?? 1000;
      if (!(ratePerSec > 0)) throw new InvalidServerOption('drain ratePerSec must be > 0');
      void stopListening();
      const deadline = clock.now() + timeoutMs;
      const told = encodeFrame({ type: 'disconnect', reason: REASON.SERVER_SHUTTING_DOWN, reconnectAfterMs });
      const targets = [...all];
      for (const conn of targets) if (conn.writable) conn.sendEncoded(told);
      const started0 = clock.now();
      let index = 0;
      // Close at the rate: after t ms, rate × t / 1000 connections may have been closed.
      while (index < targets.length && clock.now() < deadline) {
        const allowed = Math.floor(((clock.now() - started0) * ratePerSec) / 1000) + 1;
        while (index < targets.length && index < allowed) {
          const conn = targets[index++] as Connection;
          if (conn.phase !== 'closed') conn.end('server_shutting_down');
        }
        if (index < targets.length) await delay(Math.max(1, 1000 / ratePerSec));
      }
      const remaining = deadline - clock.now();
      if (all.size > 0 && remaining > 0) await Promise.race([whenEmpty(), delay(remaining)]);
      let forced = 0;
      for (const conn of [...all]) {
        forced++;
        conn.end('drain_timeout', true);
      }
      await whenEmpty();
      return { closed: targets.length - forced, forced };
    },
    async closeAll(reason = REASON.SERVER_SHUTTING_DOWN) {
      for (const conn of [...all]) conn.disconnect(reason, 'close_all');
      await Promise.race([whenEmpty(), delay(5000)]);
      for (const conn of [...all]) conn.end('close_all_timeout', true);
      await whenEmpty();
    },
    close() {
      closing ??= closeOnce();
      return closing;
    },
  };
  let closing: Promise<void> | undefined;
  /** `close()`'s work, run once however many callers ask. */
  async function closeOnce(): Promise<void> {
    const listeners = stopListening();
    await server.closeAll();
    await listeners;
    stopped = true;
    if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer);
    sweepTimer = undefined;
    if (wss) await new Promise<void>((r) => wss?.close(() => r()));
    await supervisor.stop().catch(() => undefined);
    runtime.exit(pid, 'shutdown');
  }
  return server;

  function listen(s: NetServer, port: number, host: string, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new ListenFailed(`${what} ${host}:${port}: ${err.message}`, { cause: err }));
      s.once('error', onError);
      s.listen(port, host, () => {
        s.off('error', onError);
        s.on('error', (err) => log.error({ err }, `${what} listener error`));
        resolve();
      });
    });
  }
}

/** What the authenticate race resolves with when the hook is too slow. */
const AUTH_TIMED_OUT = Symbol('auth timed out');

/** The DISCONNECT reason for a connection process's exit. */
export function reasonForExit(reason: DownReason): ReasonCode {
  if (reason !== null && typeof reason === 'object') {
    if ('shutdown' in reason) {
      switch (reason.shutdown) {
        case 'kicked':
          return REASON.KICKED;
        case 'discarded':
          return REASON.DISCARDED;
        case 'takenover':
        case 'takeover_timeout':
        case 'session_ended':
          return REASON.SESSION_TAKEN_OVER;
        default:
          return REASON.SUCCESS;
      }
    }
    if ('error' in reason) return REASON.HANDLER_ERROR;
  }
  if (reason === 'shutdown') return REASON.SERVER_SHUTTING_DOWN;
  return REASON.UNSPECIFIED_ERROR;
}

/** The `onConnStop` reason for a connection process's exit. */
function exitWhy(reason: DownReason): string {
  if (
    reason !== null &&
    typeof reason === 'object' &&
    'shutdown' in reason &&
    typeof reason.shutdown === 'string'
  )
    return reason.shutdown;
  return formatReason(reason);
}

function isPromise(value: unknown): value is Promise<ReasonCode | undefined | void> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** An HTTP server of its own for a WebSocket listener with a host and port; upgrades go to `wss`. */
function createHttpForWs(wss: WebSocketServer): NetServer {
  // A bare HTTP server answering 426 to anything but an upgrade.
  const http = createHttp((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!wss.shouldHandle(req)) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return http;
}
