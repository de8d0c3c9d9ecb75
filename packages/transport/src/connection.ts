/**
 * One accepted socket, from accept to close: its wire, its frame decoder, its outbound queue,
 * its place in the CONNECT handshake, and its counters. The server drives it; the connection
 * process (the channel machine) owns the client's session. Kept lean: a server holds tens of
 * thousands of these.
 */
import { createDecoder, encodeFrame } from '@switchboard/protocol';
import type { Frame, FrameDecoder, ReasonCode } from '@switchboard/protocol';
import type { ChannelMessage, ChannelPort } from '@switchboard/channels';
import type { Pid } from '@switchboard/runtime';
import type { ConnectionContext } from './connection-context.js';
import { OutboundQueue } from './outbound-queue.js';
import type { PushResult, QueueBounds } from './outbound-queue.js';
import type { Wire, WireEvents } from './wire.js';

/**
 * Where a connection is in its life:
 * `awaiting` (accepted, no CONNECT yet) → `opening` (CONNECT taken, session opening) → `open`
 * (CONNACK sent) → `closing` (we asked the socket to end) → `closed` (the socket is gone).
 */
export type ConnectionPhase = 'awaiting' | 'opening' | 'open' | 'closing' | 'closed';

/** Counters of one connection. */
export interface ConnectionCounters {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Messages dropped by the outbound policy. */
  dropped: number;
}

/**
 * What the server keeps for a client once its CONNECT is admitted: fields of its connection
 * (`connection.client` is the connection itself once `clientInfo` is set), not an object of its own.
 */
export interface AdmittedClient {
  clientInfo: Readonly<Record<string, unknown>>;
  /** The handlers' and hooks' view of the connection, made on first use. */
  context: ConnectionContext | undefined;
  /** Set while an async message handler (and what queued behind it) has not settled. */
  chain: Promise<void> | undefined;
}

/** What a connection tells the server. */
export interface ConnectionEvents {
  /** Frames decoded from the socket, in order. */
  onFrames(connection: Connection, frames: readonly Frame[]): void;
  /** The bytes could not be decoded: the connection is being closed with the error's reason. */
  onBadInput(connection: Connection, code: string, reason: ReasonCode): void;
  /** A frame could not be queued within the bounds and the policy is `disconnect`. */
  onSlow(connection: Connection): void;
  /** The socket is gone. */
  onClosed(connection: Connection, reason: string): void;
  /** The connection process sends the client a message (the channel's `outbound`). */
  onDeliver(connection: Connection, message: ChannelMessage): void;
  /** The connection process hands back a frame it received (the channel's `inbound`). */
  onInbound(connection: Connection, data: unknown): void;
}

/**
 * One socket's connection.
 *
 * @example
 * ```ts
 * const settings = connectionSettings({ maxFrameBytes, bounds, events }); // one per server
 * const conn = new Connection(wire, settings, now);
 * conn.send({ type: 'ping' });
 * conn.disconnect(REASON.IDLE_TIMEOUT, 'idle_timeout');
 * ```
 */
/** What every connection of a server shares: one object per server, not four fields per connection. */
export interface ConnectionSettings {
  readonly maxFrameBytes: number;
  readonly bounds: QueueBounds;
  /** The queue's socket high-water mark, read by the fast path without going through the queue. */
  readonly socketHighWater: number;
  readonly events: ConnectionEvents;
}

/** The settings every connection of one server shares. */
export function connectionSettings(options: {
  readonly maxFrameBytes: number;
  readonly bounds: QueueBounds;
  readonly events: ConnectionEvents;
}): ConnectionSettings {
  return { ...options, socketHighWater: options.bounds.socketHighWaterBytes };
}

/**
 * The fields an open connection mostly leaves at their defaults: frames held while opening, the
 * close reason, handler data, an outbound queue (only while frames wait) and the dropped count.
 * One object, made on the first write of anything else, where five fields on every connection
 * took ≈ 32 B more.
 */
class RareFields {
  early: Frame[] | undefined = undefined;
  closeReason: string | undefined = undefined;
  userData: Map<string, unknown> | undefined = undefined;
  queue: OutboundQueue | undefined = undefined;
  dropped = 0;
}

export class Connection implements WireEvents, ChannelPort {
  phase: ConnectionPhase = 'awaiting';
  clientId: string | undefined;
  /** The connection process, once spawned. */
  pid: Pid | undefined;
  /** True once CONNACK went out (so `onConnStart` ran and `onConnStop` will). */
  started = false;
  // The admitted client's record (`AdmittedClient`): fields here, not an object or a `WeakMap` entry.
  /** Set when the CONNECT is admitted. */
  clientInfo: Readonly<Record<string, unknown>> | undefined = undefined;
  // Not rare fields: a server with handlers sets both on most connections, and a connection that
  // sets any rare field pays for the whole object.
  /** The handlers' context of this connection, made on first use. */
  context: ConnectionContext | undefined = undefined;
  /** The handlers' frames in flight, one after another. */
  chain: Promise<void> | undefined = undefined;
  // Whole milliseconds since the server started (small integers: no boxed number per field).
  readonly acceptedAt: number;
  lastInboundAt: number;
  lastPingAt: number;
  // The counters are fields, not an object of their own (≈ 30 B less per connection): see `counters`.
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  /**
   * Whether frames wait in the queue (kept here after every queue operation): the fast path reads
   * only this object, the wire and the socket — at 20,000 members one cache line less per member.
   */
  private backlogged = false;
  /**
   * Only while a frame is split across chunks (≈ 100 B): an idle connection holds none, and a
   * chunk of whole frames makes one that is let go at once (so not a rare field: every chunk sets it).
   */
  private decoder: FrameDecoder | undefined = undefined;
  /** See {@link RareFields}: read and written through the accessors below. */
  #rare: RareFields | undefined = undefined;

  /** The rare fields, made now if they were not yet. */
  #fields(): RareFields {
    return (this.#rare ??= new RareFields());
  }

  /** Frames that arrived while the session was opening; handed to the process once it is open. */
  get early(): Frame[] | undefined {
    return this.#rare?.early;
  }
  set early(value: Frame[] | undefined) {
    if (value !== undefined || this.#rare !== undefined) this.#fields().early = value;
  }

  /** Why we closed it (set before the socket ends), reported to `onConnStop`. */
  get closeReason(): string | undefined {
    return this.#rare?.closeReason;
  }
  set closeReason(value: string | undefined) {
    if (value !== undefined || this.#rare !== undefined) this.#fields().closeReason = value;
  }

  /** Messages dropped by the outbound policy. */
  get dropped(): number {
    return this.#rare === undefined ? 0 : this.#rare.dropped;
  }
  set dropped(value: number) {
    if (value !== 0 || this.#rare !== undefined) this.#fields().dropped = value;
  }

  /** Per-connection data for handlers (Zinx's connection properties); created on first use. */
  private get userData(): Map<string, unknown> | undefined {
    return this.#rare?.userData;
  }
  private set userData(value: Map<string, unknown> | undefined) {
    if (value !== undefined || this.#rare !== undefined) this.#fields().userData = value;
  }

  /** Only while frames wait behind the socket (≈ 110 B): made on the first one, let go when drained. */
  private get queue(): OutboundQueue | undefined {
    return this.#rare?.queue;
  }
  private set queue(value: OutboundQueue | undefined) {
    if (value !== undefined || this.#rare !== undefined) this.#fields().queue = value;
  }

  /** `now`: whole milliseconds since the server started. */
  constructor(
    readonly wire: Wire,
    private readonly settings: ConnectionSettings,
    now: number,
  ) {
    this.acceptedAt = now;
    this.lastInboundAt = now;
    this.lastPingAt = now;
    // The connection is the wire's listener itself: no events object and closures per socket.
    wire.attach(this, settings.socketHighWater);
  }

  /** The admitted client's record: this connection, once its CONNECT was admitted. */
  get client(): AdmittedClient | undefined {
    return this.clientInfo === undefined ? undefined : (this as AdmittedClient);
  }

  /** The transport kind, `'tcp'` or `'ws'`. */
  get transport(): 'tcp' | 'ws' {
    return this.wire.kind;
  }

  /** A copy of the counters. */
  get counters(): ConnectionCounters {
    const { bytesIn, bytesOut, framesIn, framesOut, dropped } = this;
    return { bytesIn, bytesOut, framesIn, framesOut, dropped };
  }

  /** Messages waiting behind the socket. */
  get queueLength(): number {
    return this.queue?.length ?? 0;
  }

  /** Bytes waiting behind the socket. */
  get queuedBytes(): number {
    return this.queue?.queuedBytes ?? 0;
  }

  /** True while the socket can still take frames. */
  get writable(): boolean {
    return this.phase !== 'closing' && this.phase !== 'closed';
  }

  /** Handler data of this connection. */
  get data(): Map<string, unknown> {
    return (this.userData ??= new Map());
  }

  /**
   * Encodes and queues a frame. Returns what the queue did (`'dropped'` if the socket is gone).
   * Frames other than MESSAGE are control frames: never dropped by the outbound policy.
   */
  send(frame: Frame): PushResult {
    return this.sendEncoded(encodeFrame(frame), frame.type !== 'message');
  }

  /**
   * Queues bytes already encoded. `shared`: the same bytes go to many connections in a row (a
   * broadcast encodes once for every member), and the wire may frame them once for all.
   */
  sendEncoded(bytes: Uint8Array, control = false, shared = false): PushResult {
    // The fast path, once per member per broadcast (and the CONNACK): writable, nothing queued,
    // room in the socket.
    if (!this.backlogged && this.writable && this.wire.bufferedBytes < this.settings.socketHighWater) {
      if (shared) this.wire.writeShared(bytes);
      else this.wire.write(bytes);
      this.bytesOut += bytes.byteLength;
      this.framesOut++;
      return 'written';
    }
    if (!this.writable) return 'dropped';
    // The wire is the queue's sink itself (no getter in between on the per-push path).
    const queue = (this.queue ??= this.startQueue());
    // drop-oldest may drop several queued frames for one push: count what the queue dropped.
    const droppedBefore = queue.dropped;
    const result = queue.push(bytes, control);
    this.settle(queue);
    if (result === 'written') {
      this.bytesOut += bytes.byteLength;
      this.framesOut++;
      return result;
    }
    this.dropped += queue.dropped - droppedBefore;
    if (result === 'evict') this.settings.events.onSlow(this);
    return result;
  }

  /** The outbound queue, made as the first frame waits: from now on the wire must report 'drain'. */
  private startQueue(): OutboundQueue {
    this.wire.needDrain();
    return new OutboundQueue(this.settings.bounds, this.wire);
  }

  /** After a queue operation: whether frames wait, and the queue let go once none do. */
  private settle(queue: OutboundQueue): void {
    this.backlogged = queue.length > 0;
    if (!this.backlogged) this.queue = undefined;
  }

  /**
   * Tells the client why (a DISCONNECT frame, after what is already queued) and ends the socket.
   * With `abrupt`, the socket is destroyed at once (a client that does not read gets nothing more).
   */
  disconnect(
    reason: ReasonCode,
    why: string,
    options: {
      readonly reconnectAfterMs?: number;
      readonly message?: string;
      readonly abrupt?: boolean;
    } = {},
  ): void {
    if (!this.writable) return;
    this.closeReason = why;
    this.phase = 'closing';
    this.queue = undefined;
    this.backlogged = false;
    if (options.abrupt === true) return void this.wire.destroy();
    const bytes = encodeFrame({
      type: 'disconnect',
      reason,
      ...(options.reconnectAfterMs === undefined ? {} : { reconnectAfterMs: options.reconnectAfterMs }),
      ...(options.message === undefined ? {} : { message: options.message }),
    });
    this.bytesOut += bytes.byteLength;
    this.framesOut++;
    this.wire.write(bytes);
    this.wire.end();
  }

  /** Ends the socket without a frame (after a DISCONNECT was already sent), or destroys it. */
  end(why: string, abrupt = false): void {
    if (this.phase === 'closed') return;
    this.closeReason ??= why;
    this.phase = 'closing';
    if (abrupt) this.wire.destroy();
    else this.wire.end();
  }

  /** Channel port: the connection process sends the client a message. */
  outbound(message: ChannelMessage): void {
    this.settings.events.onDeliver(this, message);
  }

  /** Channel port: the connection process hands back a frame it received. */
  inbound(data: unknown): void {
    this.settings.events.onInbound(this, data);
  }

  /** Wire callback: bytes from the socket. */
  onData(bytes: Uint8Array): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.bytesIn += bytes.byteLength;
    const decoder = (this.decoder ??= createDecoder({ maxFrameBytes: this.settings.maxFrameBytes }));
    const { frames, error } = decoder.push(bytes);
    // Between frames it holds nothing: let it go (a poisoned one stays, for its error).
    if (error === undefined && decoder.buffered === 0) this.decoder = undefined;
    if (frames.length > 0) {
      this.framesIn += frames.length;
      this.settings.events.onFrames(this, frames);
    }
    if (error !== undefined && this.writable) this.settings.events.onBadInput(this, error.code, error.reason);
  }

  /** Wire callback: the socket drained; queued frames go out (and are counted) until it pushes back again. */
  onDrain(): void {
    const queue = this.queue;
    if (queue === undefined) return;
    const frames = queue.length;
    const bytes = queue.queuedBytes;
    // Nothing else touches the queue meanwhile: a socket reports errors and closes asynchronously.
    queue.flush();
    this.framesOut += frames - queue.length;
    this.bytesOut += bytes - queue.queuedBytes;
    this.settle(queue);
  }

  /** Wire callback: the socket is gone. */
  onClose(reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.queue = undefined;
    this.backlogged = false;
    this.settings.events.onClosed(this, this.closeReason ?? reason);
  }
}
