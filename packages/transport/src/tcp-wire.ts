/** A TCP socket as a {@link Wire}. */
import type { Socket } from 'node:net';
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
  socket.setNoDelay(true);
  // Nothing is read until a connection attaches: no frame can slip past admission.
  socket.pause();
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
  // Set by `attach` only when the connection queues below the socket's own high-water mark (16 KiB):
  // there a write never returns false, 'drain' never comes, and each write's callback must stand in
  // for it. Otherwise a write takes no callback: the broadcast hot path.
  let written: (() => void) | undefined;
  return {
    kind: 'tcp',
    peer,
    get bufferedBytes() {
      return socket.writableLength;
    },
    attach(events: WireEvents, queueMark?: number) {
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
      if (queueMark !== undefined && queueMark < socket.writableHighWaterMark) written = drained;
      socket.on('error', (err: NodeJS.ErrnoException) => {
        reason = `socket_error: ${err.code ?? err.message}`;
      });
      socket.on('close', close);
      socket.resume();
    },
    write(bytes) {
      if (socket.destroyed) return;
      if (written === undefined) socket.write(bytes);
      else socket.write(bytes, written);
    },
    end() {
      socket.end();
      // A peer that never reads would keep a half-closed socket forever: bound it.
      socket.setTimeout(5000, () => socket.destroy());
    },
    destroy() {
      socket.destroy();
    },
  };
}
