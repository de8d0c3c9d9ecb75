/** A TCP socket as a {@link Wire}. */
import type { Socket } from 'node:net';
import { peerOf } from './wire.js';
import type { Wire, WireEvents } from './wire.js';

/**
 * Wraps an accepted TCP socket. Nagle is off: frames are small and latency matters.
 *
 * @example
 * ```ts
 * net.createServer((socket) => accept(tcpWire(socket)));
 * ```
 */
export function tcpWire(socket: Socket): Wire {
  return new TcpWire(socket);
}

/**
 * A class, not an object literal: a literal with a getter is created in dictionary mode, and the
 * outbound queue reads `bufferedBytes` and calls `write` on it once per client per broadcast.
 */
class TcpWire implements Wire {
  readonly kind = 'tcp';
  readonly peer: string;
  // Set by `attach` only when the connection queues below the socket's own high-water mark (16 KiB):
  // there a write never returns false, 'drain' never comes, and each write's callback must stand in
  // for it. Otherwise a write takes no callback: the broadcast hot path.
  private written: (() => void) | undefined = undefined;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    // Nothing is read until a connection attaches: no frame can slip past admission.
    socket.pause();
    this.peer = peerOf(socket);
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  needDrain(): void {
    // Its 'drain' is listened to from `attach` on.
  }

  attach(events: WireEvents, queueMark?: number): void {
    const socket = this.socket;
    let closed = false;
    let reason = 'peer_closed';
    const close = () => {
      if (closed) return;
      closed = true;
      events.onClose(reason);
    };
    socket.on('data', (chunk: Buffer) => events.onData(chunk));
    const drained = () => events.onDrain();
    socket.on('drain', drained);
    if (queueMark !== undefined && queueMark < socket.writableHighWaterMark) this.written = drained;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      reason = `socket_error: ${err.code ?? err.message}`;
    });
    socket.on('close', close);
    socket.resume();
  }

  write(bytes: Uint8Array): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    const written = this.written;
    if (written === undefined) socket.write(bytes);
    else socket.write(bytes, written);
  }

  writeShared(bytes: Uint8Array): void {
    // TCP frames are the protocol's bytes themselves.
    this.write(bytes);
  }

  end(): void {
    const socket = this.socket;
    socket.end();
    // A peer that never reads would keep a half-closed socket forever: bound it.
    socket.setTimeout(5000, () => socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }
}
