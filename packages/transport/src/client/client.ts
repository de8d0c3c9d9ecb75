/**
 * The client core, independent of any socket: it speaks the Switchboard protocol over whatever
 * `Link` a factory opens. It owns the connection lifecycle (CONNECT → CONNACK, keepalive,
 * DISCONNECT), the reconnect loop with jittered backoff and session resume, the re-join of rooms,
 * request/ACK correlation, and the bounded queue of requests made while offline.
 *
 * `node.ts` and `browser.ts` wrap it with the links of their platform.
 */
import {
  PROTOCOL_VERSION,
  REASON,
  createDecoder,
  encodeFrame,
  type DisconnectFrame,
  type Frame,
  type FrameDecoder,
  type MessageFrame,
  type ReasonCode,
} from '@switchboard/protocol';
import { backoffDelay } from './backoff.js';
import {
  ClientClosed,
  ConnectTimeout,
  ConnectionLost,
  ConnectionRefused,
  InvalidClientOption,
  KeepaliveTimeout,
  OfflineQueueFull,
  RequestRejected,
  ServerProtocolError,
  TransportError,
  describeReason,
  type ClientError,
} from './errors.js';
import { TypedEmitter, type Unsubscribe } from './events.js';
import type { Link, LinkFactory } from './link.js';
import {
  MAX_TIMER_MS,
  resolveClientOptions,
  type ClientOptions,
  type ResolvedClientOptions,
} from './options.js';

// --- Events and API

/**
 * Where the client is:
 * - `connecting`: a link is opening, or waiting for CONNACK;
 * - `connected`: CONNACK accepted the connection;
 * - `reconnecting`: waiting out the backoff delay before the next attempt;
 * - `closed`: for good (by `close()`, a reason that forbids reconnecting, `reconnect: false`, or
 *   `maxAttempts` spent). A closed client never opens again.
 */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The events of a client and the value each listener receives. */
export interface ClientEvents {
  /** CONNACK accepted a connection; the rooms are re-joined and the offline queue is sent. */
  readonly connected: { readonly sessionPresent: boolean };
  /** A message from the server, in arrival order (the pendings after CONNACK included). */
  readonly message: MessageFrame;
  /** The server sent DISCONNECT; a `close` event follows. */
  readonly disconnect: DisconnectFrame;
  /**
   * A link ended (one per connection attempt). `reason` is the reason code of the DISCONNECT or
   * failed CONNACK that ended it (the server's, or the one the client sent), absent when the
   * socket just dropped. `willReconnect` is false when the client is now closed for good.
   */
  readonly close: { readonly reason?: ReasonCode; readonly willReconnect: boolean };
  /** A reconnect attempt is scheduled: `attempt` counts from 1 since the last accepted connection. */
  readonly reconnecting: { readonly attempt: number; readonly delayMs: number };
  /** Something went wrong on the connection; the client handles it (reconnects or closes). */
  readonly error: ClientError;
}

/** Where a published message goes: every member of a room, or one client by its id. */
export type PublishTarget = { readonly room: string } | { readonly target: string };

/** Per-publish options. */
export interface PublishOptions {
  /**
   * The message id (at most 256 characters), unique among this client's requests in flight.
   * Default: `<clientId>-<n>`. Reuse the id of a publish that failed with
   * `CLIENT_ERR_CONNECTION_LOST` to retry it in a way the server can recognise.
   */
  readonly id?: string;
}

/** A connection to a Switchboard server that reconnects by itself. */
export interface Client {
  /** The client id given in the options. */
  readonly clientId: string;
  /** Where the client is in its lifecycle. */
  readonly state: ClientState;
  /** The rooms the server confirmed joining; they are re-joined on every reconnect. */
  readonly rooms: ReadonlySet<string>;
  /** Adds a listener; returns the function that removes it. */
  on<TName extends keyof ClientEvents>(
    event: TName,
    listener: (value: ClientEvents[TName]) => void,
  ): Unsubscribe;
  /**
   * Resolves at the next accepted CONNACK (at once if connected now); rejects with
   * `CLIENT_ERR_CLOSED` if the client closes for good first.
   */
  connected(): Promise<{ readonly sessionPresent: boolean }>;
  /**
   * Sends a message. Resolves with the ACK's reason (`SUCCESS`, or `NO_MATCHING_TARGET` when no one
   * was there to receive it); rejects with `CLIENT_ERR_REJECTED` for a failure reason,
   * `CLIENT_ERR_CONNECTION_LOST` if the connection ended before the ACK, `CLIENT_ERR_QUEUE_FULL`
   * or `CLIENT_ERR_CLOSED`.
   */
  publish(to: PublishTarget, payload: unknown, options?: PublishOptions): Promise<ReasonCode>;
  /** Joins rooms; resolves on the server's ACK. Rejects like `publish`. */
  join(...rooms: string[]): Promise<void>;
  /** Leaves rooms; resolves on the server's ACK. Rejects like `publish`. */
  leave(...rooms: string[]): Promise<void>;
  /**
   * Sends DISCONNECT (SUCCESS) if connected, stops reconnecting, rejects what is still pending
   * with `CLIENT_ERR_CLOSED`, and resolves once the socket is closed.
   */
  close(): Promise<void>;
}

/** Server reasons after which reconnecting would be wrong or pointless. */
const FINAL_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON.NOT_AUTHORIZED,
  // Another connection took this id over: reconnecting would take it back, and both would
  // ping-pong forever.
  REASON.SESSION_TAKEN_OVER,
  REASON.KICKED,
  REASON.DISCARDED,
  REASON.DUPLICATE_CLIENT_ID,
  REASON.INVALID_CLIENT_ID,
  REASON.UNSUPPORTED_VERSION,
]);

/** Limits of the protocol the client checks before sending (the server would refuse the frame). */
const MAX_ID = 256;
const MAX_ROOM = 1024;
const MAX_ROOMS_PER_FRAME = 1000;
/** The room limit does not apply to targets, which are client ids. */
const MAX_TARGET = 65_535;
/** Auto ids are `<clientId prefix>-<counter>`; the prefix is cut so they stay within MAX_ID. */
const ID_PREFIX_LENGTH = 200;

/** A request on its way: queued while offline, or sent and waiting for its ACK. */
interface Request {
  readonly kind: 'publish' | 'join' | 'leave' | 'rejoin';
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly rooms: readonly string[];
  readonly resolve: (reason: ReasonCode) => void;
  readonly reject: (error: Error) => void;
}

/** One connection attempt: its link and what the client learnt on it. */
interface Attempt {
  link: Link | undefined;
  readonly decoder: FrameDecoder;
  /** CONNACK accepted this connection. */
  accepted: boolean;
  /** The client called `link.close()`: later link errors are expected noise. */
  closing: boolean;
  ended: boolean;
  /** The reason code of the DISCONNECT or CONNACK that ended the link, and who sent it. */
  reason: ReasonCode | undefined;
  reasonFromServer: boolean;
  reconnectAfterMs: number | undefined;
  connectTimer: unknown;
  keepaliveTimer: unknown;
  /** Data arrived since the keepalive timer last looked. */
  heard: boolean;
  /** Bytes were sent since the keepalive timer last looked. */
  sent: boolean;
}

/**
 * Creates a client over a link factory and starts connecting at once. `connect` from
 * `@switchboard/transport/client` calls it with the right link for the URL; call it directly to
 * bring your own transport.
 *
 * @example
 * ```ts
 * import { createClient, createTcpLink } from '@switchboard/transport/client';
 *
 * const client = createClient('tcp://127.0.0.1:7000', createTcpLink, { clientId: 'alice' });
 * client.on('message', (m) => console.log(m.room, m.payload));
 * await client.join('lobby');
 * await client.publish({ room: 'lobby' }, { text: 'hello' });
 * await client.close();
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION when an option is missing, out of range or of the wrong type.
 */
export function createClient(url: string, link: LinkFactory, options: ClientOptions): Client {
  if (typeof url !== 'string' || url.length === 0)
    throw new InvalidClientOption('url must be a non-empty string');
  if (typeof link !== 'function') throw new InvalidClientOption('link must be a link factory function');
  return new SwitchboardClient(url, link, resolveClientOptions(options));
}

// --- Internals

class SwitchboardClient implements Client {
  readonly #url: string;
  readonly #openLink: LinkFactory;
  readonly #options: ResolvedClientOptions;
  readonly #events = new TypedEmitter<ClientEvents>();
  readonly #idPrefix: string;
  #nextId = 0;

  #state: ClientState = 'connecting';
  #attempt: Attempt | undefined;
  #backoffTimer: unknown;
  /** Reconnect attempts since the last accepted connection. */
  #failures = 0;
  /** A connection was accepted once: from then on every CONNECT resumes. */
  #everAccepted = false;
  #sessionPresent = false;
  /** `close()` was called; the client ends once the link is closed. */
  #closing = false;
  /** What pending and later requests reject with once the client is closed for good. */
  #finalError: ClientError | undefined;
  readonly #closeWaiters: (() => void)[] = [];
  readonly #connectedWaiters: { resolve(v: { sessionPresent: boolean }): void; reject(e: Error): void }[] =
    [];

  readonly #joined = new Set<string>();
  /** Requests not yet sent on the current connection, in the order they must go. */
  #outbox: Request[] = [];
  /** Requests sent on the current connection and waiting for their ACK, by id. */
  readonly #inflight = new Map<string, Request>();
  /** Every id in the outbox or in flight: a new request may not reuse one. */
  readonly #idsInUse = new Set<string>();

  constructor(url: string, openLink: LinkFactory, options: ResolvedClientOptions) {
    this.#url = url;
    this.#openLink = openLink;
    this.#options = options;
    this.#idPrefix = options.clientId.slice(0, ID_PREFIX_LENGTH);
    this.#start();
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  get state(): ClientState {
    return this.#state;
  }

  get rooms(): ReadonlySet<string> {
    return this.#joined;
  }

  on<TName extends keyof ClientEvents>(
    event: TName,
    listener: (value: ClientEvents[TName]) => void,
  ): Unsubscribe {
    return this.#events.on(event, listener);
  }

  connected(): Promise<{ readonly sessionPresent: boolean }> {
    if (this.#online() && !this.#closing) return Promise.resolve({ sessionPresent: this.#sessionPresent });
    if (this.#closing || this.#state === 'closed') return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ resolve, reject }));
  }

  publish(to: PublishTarget, payload: unknown, options?: PublishOptions): Promise<ReasonCode> {
    const route = checkTarget(to);
    const id = this.#claimId(options?.id);
    // Encoded now, so a payload the protocol cannot carry fails at the call that passed it.
    const bytes = encodeFrame({ type: 'message', id, ...route, payload });
    return this.#submit('publish', id, bytes, []);
  }

  join(...rooms: string[]): Promise<void> {
    checkRooms(rooms);
    const id = this.#claimId(undefined);
    return this.#submit('join', id, encodeFrame({ type: 'join', id, rooms }), rooms).then(() => undefined);
  }

  leave(...rooms: string[]): Promise<void> {
    checkRooms(rooms);
    const id = this.#claimId(undefined);
    return this.#submit('leave', id, encodeFrame({ type: 'leave', id, rooms }), rooms).then(() => undefined);
  }

  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    if (this.#closing) return done;
    this.#closing = true;
    const attempt = this.#attempt;
    if (attempt === undefined) {
      // Waiting out a backoff delay: there is no socket to close.
      this.#finish(REASON.SUCCESS, 'closed by close()');
    } else if (!attempt.closing) {
      // (A link already closing keeps the reason it is closing with.)
      if (attempt.accepted) this.#send(attempt, encodeFrame({ type: 'disconnect', reason: REASON.SUCCESS }));
      attempt.reason = REASON.SUCCESS;
      attempt.reasonFromServer = false;
      this.#closeLink(attempt);
    }
    return done;
  }

  // --- Requests

  #claimId(requested: string | undefined): string {
    if (requested !== undefined) {
      if (typeof requested !== 'string' || requested.length === 0 || requested.length > MAX_ID) {
        throw new InvalidClientOption(`id must be a non-empty string of at most ${MAX_ID} characters`);
      }
      if (this.#idsInUse.has(requested)) {
        throw new InvalidClientOption(`id ${requested} is already in use by a request in flight`);
      }
      return requested;
    }
    let id: string;
    do id = `${this.#idPrefix}-${++this.#nextId}`;
    while (this.#idsInUse.has(id));
    return id;
  }

  #submit(
    kind: Request['kind'],
    id: string,
    bytes: Uint8Array,
    rooms: readonly string[],
  ): Promise<ReasonCode> {
    if (this.#closing || this.#state === 'closed') return Promise.reject(this.#closedError());
    const attempt = this.#online();
    if (attempt === undefined && this.#outbox.length >= this.#options.maxQueuedWhileOffline) {
      return Promise.reject(new OfflineQueueFull(this.#options.maxQueuedWhileOffline));
    }
    return new Promise<ReasonCode>((resolve, reject) => {
      const request: Request = { kind, id, bytes, rooms, resolve, reject };
      this.#idsInUse.add(id);
      if (attempt !== undefined) this.#dispatch(attempt, request);
      else this.#outbox.push(request);
    });
  }

  /**
   * The accepted connection that can take requests now, if any. A link that is closing takes
   * nothing more: what is sent meanwhile waits for the next connection.
   */
  #online(): Attempt | undefined {
    const attempt = this.#attempt;
    return attempt !== undefined && attempt.accepted && !attempt.closing && !attempt.ended
      ? attempt
      : undefined;
  }

  #dispatch(attempt: Attempt, request: Request): void {
    this.#inflight.set(request.id, request);
    this.#send(attempt, request.bytes);
  }

  #settle(request: Request, reason: ReasonCode): void {
    this.#idsInUse.delete(request.id);
    // Codes below 0x80 are successes (SUCCESS, NO_MATCHING_TARGET), as in MQTT 5.
    const ok = reason < 0x80;
    switch (request.kind) {
      case 'join':
      case 'rejoin':
        if (ok) for (const room of request.rooms) this.#joined.add(room);
        else if (request.kind === 'rejoin') for (const room of request.rooms) this.#joined.delete(room);
        break;
      case 'leave':
        if (ok) for (const room of request.rooms) this.#joined.delete(room);
        break;
      case 'publish':
        break;
    }
    if (ok) {
      request.resolve(reason);
      return;
    }
    const what =
      request.kind === 'publish' ? `publish ${request.id}` : `${request.kind} ${request.rooms.join(', ')}`;
    const error = new RequestRejected(what, reason, { reason });
    if (request.kind === 'rejoin') this.#events.emit('error', error);
    else request.reject(error);
  }

  /** After CONNACK: re-join the rooms, then send what waited, in order. */
  #flush(attempt: Attempt): void {
    const rooms = [...this.#joined];
    for (let i = 0; i < rooms.length; i += MAX_ROOMS_PER_FRAME) {
      const chunk = rooms.slice(i, i + MAX_ROOMS_PER_FRAME);
      const id = this.#claimId(undefined);
      this.#idsInUse.add(id);
      const request: Request = {
        kind: 'rejoin',
        id,
        bytes: encodeFrame({ type: 'join', id, rooms: chunk }),
        rooms: chunk,
        resolve: noop,
        reject: noop,
      };
      this.#dispatch(attempt, request);
    }
    const outbox = this.#outbox;
    this.#outbox = [];
    for (const request of outbox) {
      if (attempt.ended || attempt.closing) {
        this.#outbox.push(request);
        continue;
      }
      this.#dispatch(attempt, request);
    }
  }

  /**
   * The connection ended with requests in flight. Joins and leaves are idempotent and go again
   * after the next CONNACK; a publish might have been delivered, so the caller decides.
   */
  #recallInflight(): void {
    const again: Request[] = [];
    for (const request of this.#inflight.values()) {
      if (request.kind === 'join' || request.kind === 'leave') {
        again.push(request);
      } else {
        this.#idsInUse.delete(request.id);
        if (request.kind === 'publish') request.reject(new ConnectionLost(request.id));
      }
    }
    this.#inflight.clear();
    this.#outbox = [...again, ...this.#outbox];
  }

  // --- Connection lifecycle

  #start(): void {
    this.#state = 'connecting';
    const attempt: Attempt = {
      link: undefined,
      decoder: createDecoder({ maxFrameBytes: this.#options.maxFrameBytes }),
      accepted: false,
      closing: false,
      ended: false,
      reason: undefined,
      reasonFromServer: false,
      reconnectAfterMs: undefined,
      connectTimer: undefined,
      keepaliveTimer: undefined,
      heard: false,
      sent: false,
    };
    this.#attempt = attempt;
    const { timers, connectTimeoutMs } = this.#options;
    attempt.connectTimer = timers.setTimeout(() => {
      attempt.connectTimer = undefined;
      if (attempt.accepted || attempt.closing) return;
      this.#events.emit('error', new ConnectTimeout(connectTimeoutMs));
      this.#closeLink(attempt);
    }, connectTimeoutMs);
    try {
      attempt.link = this.#openLink(this.#url, {
        onOpen: () => this.#onOpen(attempt),
        onData: (bytes) => this.#onData(attempt, bytes),
        onError: (error) => this.#onError(attempt, error),
        onClose: () => this.#onClose(attempt),
      });
    } catch (error) {
      // A factory that throws (no WebSocket in this environment, say) is a link that closed at
      // once; reported in a microtask, so a caller of `connect` can subscribe first.
      queueMicrotask(() => {
        this.#onError(attempt, error);
        this.#onClose(attempt);
      });
    }
  }

  #onOpen(attempt: Attempt): void {
    if (attempt.ended || attempt.closing) return;
    const { clientId, cleanStart, sessionExpiryMs, credentials } = this.#options;
    this.#send(
      attempt,
      encodeFrame({
        type: 'connect',
        version: PROTOCOL_VERSION,
        clientId,
        // Before the first accepted connection there is nothing of ours to resume.
        cleanStart: this.#everAccepted ? false : cleanStart,
        sessionExpiryMs,
        ...(credentials === undefined ? {} : { credentials }),
      }),
    );
  }

  #onData(attempt: Attempt, bytes: Uint8Array): void {
    if (attempt.ended || attempt.closing) return;
    attempt.heard = true;
    const { frames, error } = attempt.decoder.push(bytes);
    for (const frame of frames) {
      this.#onFrame(attempt, frame);
      if (attempt.closing) return;
    }
    if (error !== undefined) this.#protocolFailure(attempt, error.message, error.reason, error);
  }

  #onFrame(attempt: Attempt, frame: Frame): void {
    switch (frame.type) {
      case 'connack':
        if (attempt.accepted)
          return this.#protocolFailure(attempt, 'a second CONNACK', REASON.PROTOCOL_ERROR);
        if (frame.reason !== REASON.SUCCESS) {
          attempt.reason = frame.reason;
          attempt.reasonFromServer = true;
          this.#events.emit('error', new ConnectionRefused(frame.reason, { reason: frame.reason }));
          return this.#closeLink(attempt);
        }
        return this.#onAccepted(attempt, frame.sessionPresent, frame.pingIntervalMs);
      case 'message':
        if (!attempt.accepted)
          return this.#protocolFailure(attempt, 'MESSAGE before CONNACK', REASON.PROTOCOL_ERROR);
        return this.#events.emit('message', frame);
      case 'ack': {
        if (!attempt.accepted)
          return this.#protocolFailure(attempt, 'ACK before CONNACK', REASON.PROTOCOL_ERROR);
        const request = this.#inflight.get(frame.id);
        // An ACK for nothing we wait for (a late one after a retry, say) changes nothing.
        if (request === undefined) return;
        this.#inflight.delete(frame.id);
        return this.#settle(request, frame.reason);
      }
      case 'ping':
        return this.#send(attempt, PONG);
      case 'pong':
        return;
      case 'disconnect':
        attempt.reason = frame.reason;
        attempt.reasonFromServer = true;
        if (frame.reconnectAfterMs !== undefined) attempt.reconnectAfterMs = frame.reconnectAfterMs;
        this.#events.emit('disconnect', frame);
        return this.#closeLink(attempt);
      case 'connect':
      case 'join':
      case 'leave':
        return this.#protocolFailure(
          attempt,
          `a ${frame.type.toUpperCase()} frame from the server`,
          REASON.PROTOCOL_ERROR,
        );
    }
  }

  #onAccepted(attempt: Attempt, sessionPresent: boolean, pingIntervalMs: number | undefined): void {
    const { timers, keepalive } = this.#options;
    attempt.accepted = true;
    timers.clearTimeout(attempt.connectTimer);
    attempt.connectTimer = undefined;
    this.#failures = 0;
    this.#everAccepted = true;
    this.#sessionPresent = sessionPresent;
    this.#state = 'connected';
    if (keepalive && pingIntervalMs !== undefined && pingIntervalMs > 0) {
      this.#watchKeepalive(attempt, Math.min(MAX_TIMER_MS, pingIntervalMs));
    }
    this.#flush(attempt);
    if (attempt.closing) return;
    const waiters = this.#connectedWaiters.splice(0);
    for (const waiter of waiters) waiter.resolve({ sessionPresent });
    this.#events.emit('connected', { sessionPresent });
  }

  /**
   * Keepalive on the interval CONNACK announced, checked once per interval: a client that sent
   * nothing since the last check sends a PING (so the server's idle timer sees it alive), and a
   * server that sent nothing in two checks running (at least two whole intervals of silence,
   * though a PING asked for a PONG) is gone. Checking flags instead of re-arming a timer per chunk
   * keeps a busy connection cheap.
   */
  #watchKeepalive(attempt: Attempt, interval: number): void {
    let silentChecks = 0;
    attempt.heard = false;
    attempt.sent = false;
    const check = (): void => {
      attempt.keepaliveTimer = undefined;
      if (attempt.closing || attempt.ended) return;
      silentChecks = attempt.heard ? 0 : silentChecks + 1;
      attempt.heard = false;
      if (silentChecks >= 2) {
        this.#events.emit('error', new KeepaliveTimeout(2 * interval));
        this.#closeLink(attempt);
        return;
      }
      if (!attempt.sent) this.#send(attempt, PING);
      attempt.sent = false;
      attempt.keepaliveTimer = this.#options.timers.setTimeout(check, interval);
    };
    attempt.keepaliveTimer = this.#options.timers.setTimeout(check, interval);
  }

  #protocolFailure(attempt: Attempt, detail: string, reason: ReasonCode, cause?: unknown): void {
    this.#events.emit('error', new ServerProtocolError(detail, cause === undefined ? {} : { cause }));
    // Tell the server why, as it would tell us; the client then reconnects as after any drop.
    this.#send(attempt, encodeFrame({ type: 'disconnect', reason }));
    attempt.reason = reason;
    attempt.reasonFromServer = false;
    this.#closeLink(attempt);
  }

  #onError(attempt: Attempt, error: unknown): void {
    if (attempt.ended || attempt.closing) return;
    const detail = error instanceof Error ? error.message : String(error);
    this.#events.emit('error', new TransportError(detail, { cause: error }));
  }

  #send(attempt: Attempt, bytes: Uint8Array): void {
    if (attempt.ended || attempt.closing) return;
    attempt.sent = true;
    attempt.link?.send(bytes);
  }

  #closeLink(attempt: Attempt): void {
    if (attempt.closing || attempt.ended) return;
    attempt.closing = true;
    this.#clearAttemptTimers(attempt);
    attempt.link?.close();
  }

  #clearAttemptTimers(attempt: Attempt): void {
    const { timers } = this.#options;
    if (attempt.connectTimer !== undefined) timers.clearTimeout(attempt.connectTimer);
    if (attempt.keepaliveTimer !== undefined) timers.clearTimeout(attempt.keepaliveTimer);
    attempt.connectTimer = undefined;
    attempt.keepaliveTimer = undefined;
  }

  #onClose(attempt: Attempt): void {
    if (attempt.ended) return;
    attempt.ended = true;
    this.#clearAttemptTimers(attempt);
    if (this.#attempt !== attempt) return;
    this.#attempt = undefined;
    const reason = attempt.reason;
    const { reconnect } = this.#options;
    if (this.#closing) return this.#finish(reason, 'closed by close()');
    if (reconnect === false) return this.#finish(reason, 'the connection ended and reconnect is off');
    if (attempt.reasonFromServer && reason !== undefined && FINAL_REASONS.has(reason)) {
      return this.#finish(reason, `the server ended the connection with ${describeReason(reason)}`);
    }
    if (this.#failures >= reconnect.maxAttempts) {
      return this.#finish(reason, `gave up after ${this.#failures} reconnect attempts`);
    }
    this.#recallInflight();
    const failures = ++this.#failures;
    const delayMs = Math.min(
      MAX_TIMER_MS,
      backoffDelay(failures, reconnect, this.#options.random(), attempt.reconnectAfterMs),
    );
    this.#state = 'reconnecting';
    this.#events.emit('close', { ...(reason === undefined ? {} : { reason }), willReconnect: true });
    // A listener may have closed the client.
    if (this.#closing || this.#state !== 'reconnecting') return;
    this.#events.emit('reconnecting', { attempt: failures, delayMs });
    if (this.#closing || this.#state !== 'reconnecting') return;
    this.#backoffTimer = this.#options.timers.setTimeout(() => {
      this.#backoffTimer = undefined;
      if (this.#state === 'reconnecting' && !this.#closing) this.#start();
    }, delayMs);
  }

  /** Closed for good: nothing pending survives, nothing opens again. */
  #finish(reason: ReasonCode | undefined, why: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#backoffTimer !== undefined) this.#options.timers.clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.#finalError = new ClientClosed(why, reason === undefined ? {} : { reason });
    const error = this.#finalError;
    const pending = [...this.#inflight.values(), ...this.#outbox];
    this.#inflight.clear();
    this.#outbox = [];
    this.#idsInUse.clear();
    for (const request of pending) request.reject(error);
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.reject(error);
    this.#events.emit('close', { ...(reason === undefined ? {} : { reason }), willReconnect: false });
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }

  #closedError(): ClientError {
    return this.#finalError ?? new ClientClosed('closed by close()');
  }
}

function noop(): void {}

/** PING and PONG have no fields: encoded once. */
const PING = encodeFrame({ type: 'ping' });
const PONG = encodeFrame({ type: 'pong' });

function checkTarget(to: PublishTarget): { room: string } | { target: string } {
  if (typeof to !== 'object' || to === null)
    throw new InvalidClientOption('publish needs { room } or { target }');
  const room = (to as { room?: unknown }).room;
  const target = (to as { target?: unknown }).target;
  if (room !== undefined && target !== undefined) {
    throw new InvalidClientOption('publish takes { room } or { target }, not both');
  }
  if (room !== undefined) {
    if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM) {
      throw new InvalidClientOption(`room must be a non-empty string of at most ${MAX_ROOM} characters`);
    }
    return { room };
  }
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_TARGET) {
    throw new InvalidClientOption(
      `target must be a client id (a non-empty string of at most ${MAX_TARGET} characters)`,
    );
  }
  return { target };
}

function checkRooms(rooms: readonly string[]): void {
  if (rooms.length === 0) throw new InvalidClientOption('name at least one room');
  if (rooms.length > MAX_ROOMS_PER_FRAME) {
    throw new InvalidClientOption(`at most ${MAX_ROOMS_PER_FRAME} rooms per call`);
  }
  for (const room of rooms) {
    if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM) {
      throw new InvalidClientOption(`a room must be a non-empty string of at most ${MAX_ROOM} characters`);
    }
  }
}
