/** A WebSocket (from the `ws` library) as a {@link Wire}: each binary message carries whole frames. */
import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import { WebSocket } from 'ws';
import { peerOf } from './wire.js';
import type { Wire, WireEvents } from './wire.js';

/**
 * Claims an accepted WebSocket of the server's class ({@link WireWebSocket}) as a {@link Wire}:
 * the socket is its own wire. Text messages are protocol errors: they close the socket with 1003
 * (unsupported data).
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true, WebSocket: WireWebSocket });
 * wss.on('connection', (ws, req) => accept(wsWire(ws, req.socket)));
 * ```
 * @throws TypeError when `ws` is not a {@link WireWebSocket} (a server made without that class).
 */
export function wsWire(ws: WebSocket, socket: Socket): Wire {
  if (!(ws instanceof WireWebSocket))
    throw new TypeError('wsWire: the WebSocket server must be made with `WebSocket: WireWebSocket`');
  ws.claim(socket);
  return ws;
}

/**
 * Broadcast frames as WebSocket frames, built once per broadcast (by `ws`'s own framing) and
 * written whole to every member's socket: one write of one buffer per member, where `ws.send` would
 * frame the bytes again for each (a header, two option objects, and a corked two-buffer write).
 * Weak: an entry goes with its broadcast.
 */
const framed = new WeakMap<Uint8Array, Buffer>();

/** A server's binary frame: final, unmasked, uncompressed (the server has no permessage-deflate). */
const BINARY_FRAME = { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false } as const;

/**
 * `ws`'s own framing (`Sender.frame`: exported by `ws`, not in its type definitions). Without it (another
 * `ws`), broadcasts go through `ws.send` like every other frame.
 */
const frameData = (
  wsModule as unknown as {
    Sender?: { frame?: (data: Uint8Array, options: typeof BINARY_FRAME) => Uint8Array[] };
  }
).Sender?.frame;

function frameOnce(bytes: Uint8Array, frame: NonNullable<typeof frameData>): Buffer {
  let whole = framed.get(bytes);
  if (whole === undefined) {
    whole = Buffer.concat(frame(bytes, BINARY_FRAME));
    framed.set(bytes, whole);
  }
  return whole;
}

/** Every server socket's `_extensions` (see {@link WireWebSocket}). */
const NO_EXTENSIONS = Object.freeze({});

/** The buffered bytes above which a WebSocket ping goes unanswered. */
export const PONG_BACKLOG_BYTES = 64 * 1024;

/**
 * The server's WebSocket class (`ws`'s `WebSocket` option), and its own {@link Wire}: one object
 * per socket where a wire beside it took ≈ 100 B more. Its events go straight to the wire's
 * handling instead of being emitted to listeners. A `ws` emitter's listener table is a dictionary
 * from the start (≈ 180 B empty) and grows with each event listened to; this one has none until
 * something listens, and its extensions are one frozen object shared by every socket. Automatic
 * pongs are off (`autoPong: false`: a closure per socket, ≈ 100 B) and answered here, except on a
 * socket whose buffer holds {@link PONG_BACKLOG_BYTES} already: a ping flood from a peer that does
 * not read cannot grow it (`ws` itself would terminate the socket).
 *
 * Until {@link wsWire} claims it, it is a plain `ws` WebSocket: its events are emitted.
 */
export class WireWebSocket extends WebSocket implements Wire {
  /** `address:port` of the peer; undefined until claimed (the mark of a claimed socket). */
  #peer: string | undefined = undefined;
  /** The connection's callbacks, once attached. */
  #events: WireEvents | undefined = undefined;
  /** Why the socket closed, if it was an error (the close event itself carries no reason we use). */
  #reason = 'peer_closed';
  /** Messages that arrived before a connection attached, in order; undefined once attached. */
  #pending: Buffer[] | undefined = undefined;
  #closed = false;
  // Set by `attach` only when the connection queues below the socket's own high-water mark: there a
  // write never returns false, 'drain' never comes, and each send's callback must stand in for it.
  // Otherwise a send takes no callback (and no options object): the broadcast hot path.
  #written: (() => void) | undefined = undefined;
  /** Whether the socket's 'drain' is listened to: only once the connection has queued. */
  #drainHeard = false;

  // Both set over `ws`'s own fields as the constructor returns (no constructor of our own: `ws`'s
  // overloads stay the class's). Nobody listens to this emitter (its events go to the wire), and
  // Node's `EventEmitter` makes its listener table on the first `on`: without one it keeps no empty
  // dictionary (≈ 180 B). `ws` only reads a socket's extensions (none: the server has no
  // permessage-deflate), and a negotiated one would replace the object, not change it: one frozen
  // empty object for all.
  protected _events: object | undefined = undefined;
  protected _extensions: object = NO_EXTENSIONS;

  /** Makes this accepted socket a wire (see {@link wsWire}); its events go to the wire from now on. */
  claim(socket: Socket): void {
    this.binaryType = 'nodebuffer';
    this.#peer = peerOf(socket);
    // No setNoDelay here: `ws` turned Nagle off when it took the socket.
  }

  override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
    if (this.#peer !== undefined) {
      switch (event) {
        case 'message':
          this.#message(first as Buffer, second as boolean);
          return true;
        case 'ping':
          if (this.readyState === this.OPEN && this.bufferedAmount < PONG_BACKLOG_BYTES) this.pong(first);
          return true;
        case 'error': {
          const err = first as NodeJS.ErrnoException;
          this.#reason = `socket_error: ${err.code ?? err.message}`;
          return true;
        }
        case 'close':
          this.#close();
          return true;
      }
    }
    // Nobody listens for an error before the socket is claimed: never let it throw.
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return super.emit(event, first, second);
  }

  // --- Wire

  get kind(): 'ws' {
    return 'ws';
  }

  get peer(): string {
    return this.#peer ?? '?';
  }

  get bufferedBytes(): number {
    // The socket's buffer, plus what `ws`'s sender holds back while it compresses or reads a Blob:
    // nothing here (no permessage-deflate, only buffers sent), so 'drain' accounts for all of it.
    return this.bufferedAmount;
  }

  /**
   * A listener (one closure) only for a socket whose connection ever queued: most never fill up,
   * and a listener on each would cost every socket a table entry. The connection asks as it starts
   * queueing, in the same turn as the write that filled the buffer, so the 'drain' it is owed has
   * not come yet. Never removed (`off` turns an emitter's listener table into a dictionary).
   */
  needDrain(): void {
    if (this.#drainHeard) return;
    this.#drainHeard = true;
    this.#socket.on('drain', () => this.#events?.onDrain());
  }

  attach(events: WireEvents, queueMark?: number): void {
    this.#events = events;
    if (queueMark !== undefined && queueMark < this.#socket.writableHighWaterMark)
      this.#written = () => events.onDrain();
    const queued = this.#pending ?? [];
    this.#pending = undefined;
    for (const data of queued) events.onData(data);
    if (this.#closed) events.onClose(this.#reason);
  }

  write(bytes: Uint8Array): void {
    // No options: a non-string is sent binary, and compression is off for the whole server.
    if (this.readyState !== WebSocket.OPEN) return;
    const written = this.#written;
    if (written === undefined) this.send(bytes);
    else this.send(bytes, written);
  }

  /**
   * A broadcast's frame, straight to the socket: `ws` holds nothing back here (no compression, only
   * buffers sent, so its sender never queues), and every earlier frame is already in the socket's
   * buffer, in order.
   */
  writeShared(bytes: Uint8Array): void {
    if (frameData === undefined) return this.write(bytes);
    if (this.readyState !== WebSocket.OPEN) return;
    const frame = frameOnce(bytes, frameData);
    const written = this.#written;
    if (written === undefined) this.#socket.write(frame);
    else this.#socket.write(frame, written);
  }

  end(): void {
    this.close(1000);
    // The closing handshake needs the peer: bound it (ws terminates after 30 s otherwise).
    setTimeout(() => this.terminate(), 5000).unref();
  }

  destroy(): void {
    this.terminate();
  }

  /** The net socket `ws` took over (its own field, set before the socket is accepted). */
  get #socket(): Socket {
    return (this as unknown as { _socket: Socket })._socket;
  }

  /** A WebSocket message: to the connection, or kept until one attaches. */
  #message(data: Buffer, isBinary: boolean): void {
    releaseChunkList(this);
    if (!isBinary) return void this.close(1003, 'binary frames only');
    const events = this.#events;
    if (events !== undefined) events.onData(data);
    else (this.#pending ??= []).push(data);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events?.onClose(this.#reason);
  }
}

/** The parts of `ws`'s receiver {@link releaseChunkList} touches (not in `ws`'s type definitions). */
interface ReceiverChunks {
  _buffers?: unknown[];
}

/**
 * Gives the socket's `ws` receiver a fresh empty chunk list once a message has used up every chunk
 * it held. An array keeps the backing store it grew to when it empties (17 slots, ≈ 150 B, from
 * the first chunk), and most connections go quiet after a message: the next chunk makes a new one.
 * Called as the receiver emits the message: the chunks it was made of are already taken off the
 * list, and the receiver reads its list from its field every time.
 */
function releaseChunkList(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: ReceiverChunks })._receiver;
  if (receiver !== undefined && Array.isArray(receiver._buffers) && receiver._buffers.length === 0)
    receiver._buffers = [];
}
