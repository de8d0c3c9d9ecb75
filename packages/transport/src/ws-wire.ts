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
 * A class, not an object literal: a literal with a getter is created in dictionary mode, and the
 * outbound queue reads `bufferedBytes` and calls `write` on it once per client per broadcast.
 */
class WsWire implements Wire {
  readonly kind = 'ws';
  readonly peer: string;
  /** Messages that arrived before a connection attached, in order; undefined once attached. */
  private pending: Buffer[] | undefined = [];
  // Set by `attach` only when the connection queues below the socket's own high-water mark: there a
  // write never returns false, 'drain' never comes, and each send's callback must stand in for it.
  // Otherwise a send takes no callback (and no options object): the broadcast hot path.
  private written: (() => void) | undefined = undefined;
  private readonly early = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) return void this.ws.close(1003, 'binary frames only');
    this.pending?.push(data);
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {
    ws.binaryType = 'nodebuffer';
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    // Messages may arrive before a connection attaches: keep them in order.
    ws.on('message', this.early);
  }

  get bufferedBytes(): number {
    // The socket's buffer, plus what `ws`'s sender holds back while it compresses or reads a Blob:
    // nothing here (no permessage-deflate, only buffers sent), so 'drain' accounts for all of it.
    return this.ws.bufferedAmount;
  }

  attach(events: WireEvents, queueMark?: number): void {
    const { ws, socket } = this;
    let closed = false;
    let reason = 'peer_closed';
    ws.off('message', this.early);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return void ws.close(1003, 'binary frames only');
      events.onData(data);
    });
    const drained = () => events.onDrain();
    socket.on('drain', drained);
    if (queueMark !== undefined && queueMark < socket.writableHighWaterMark) this.written = drained;
    ws.on('error', (err: NodeJS.ErrnoException) => {
      reason = `socket_error: ${err.code ?? err.message}`;
    });
    ws.on('close', () => {
      if (closed) return;
      closed = true;
      events.onClose(reason);
    });
    const queued = this.pending ?? [];
    this.pending = undefined;
    for (const data of queued) events.onData(data);
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
