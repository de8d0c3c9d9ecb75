/** A WebSocket (from the `ws` library) as a {@link Wire}: each binary message carries whole frames. */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Wire, WireEvents } from './wire.js';

/**
 * Wraps an accepted WebSocket. Text messages are protocol errors: they close the socket with 1003
 * (unsupported data).
 *
 * @example
 * ```ts
 * wss.on('connection', (ws, req) => accept(wsWire(ws, req.socket)));
 * ```
 */
export function wsWire(ws: WebSocket, socket: Socket): Wire {
  return new WsWire(ws, socket);
}

/**
 * The wire of each WebSocket and of its socket. The listeners are shared functions (an emitter
 * calls a listener with itself as `this`) that find their wire here: no closures per socket, and
 * no listener removed (`off` turns an emitter's listener table into a dictionary).
 */
const wires = new WeakMap<object, WsWire>();

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  wires.get(this)?.message(data, isBinary);
}

function onSocketDrain(this: Socket): void {
  wires.get(this)?.events?.onDrain();
}

function onError(this: WebSocket, err: NodeJS.ErrnoException): void {
  const wire = wires.get(this);
  if (wire) wire.reason = `socket_error: ${err.code ?? err.message}`;
}

function onClose(this: WebSocket): void {
  wires.get(this)?.close();
}

/**
 * A class, not an object literal: a literal with a getter is created in dictionary mode, and the
 * outbound queue reads `bufferedBytes` and calls `write` on it once per client per broadcast.
 */
class WsWire implements Wire {
  readonly kind = 'ws';
  readonly peer: string;
  /** The connection's callbacks, once attached. */
  events: WireEvents | undefined = undefined;
  /** Why the socket closed, if it was an error (the close event itself carries no reason we use). */
  reason = 'peer_closed';
  /** Messages that arrived before a connection attached, in order; undefined once attached. */
  private pending: Buffer[] | undefined = undefined;
  private closed = false;
  // Set by `attach` only when the connection queues below the socket's own high-water mark: there a
  // write never returns false, 'drain' never comes, and each send's callback must stand in for it.
  // Otherwise a send takes no callback (and no options object): the broadcast hot path.
  private written: (() => void) | undefined = undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {
    ws.binaryType = 'nodebuffer';
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    wires.set(ws, this);
    wires.set(socket, this);
    // Messages may arrive before a connection attaches: `message` keeps them in order.
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
    socket.on('drain', onSocketDrain);
  }

  get bufferedBytes(): number {
    // The socket's buffer, plus what `ws`'s sender holds back while it compresses or reads a Blob:
    // nothing here (no permessage-deflate, only buffers sent), so 'drain' accounts for all of it.
    return this.ws.bufferedAmount;
  }

  attach(events: WireEvents, queueMark?: number): void {
    this.events = events;
    if (queueMark !== undefined && queueMark < this.socket.writableHighWaterMark)
      this.written = () => events.onDrain();
    const queued = this.pending ?? [];
    this.pending = undefined;
    for (const data of queued) events.onData(data);
    if (this.closed) events.onClose(this.reason);
  }

  /** A WebSocket message: to the connection, or kept until one attaches. */
  message(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return void this.ws.close(1003, 'binary frames only');
    const events = this.events;
    if (events !== undefined) events.onData(data);
    else (this.pending ??= []).push(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.onClose(this.reason);
  }

  write(bytes: Uint8Array): void {
    const ws = this.ws;
    // No options: a non-string is sent binary, and compression is off for the whole server.
    if (ws.readyState !== ws.OPEN) return;
    const written = this.written;
    if (written === undefined) ws.send(bytes);
    else ws.send(bytes, written);
  }

  end(): void {
    const ws = this.ws;
    ws.close(1000);
    // The closing handshake needs the peer: bound it (ws terminates after 30 s otherwise).
    setTimeout(() => ws.terminate(), 5000).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}
