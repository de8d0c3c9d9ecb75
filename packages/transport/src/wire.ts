/**
 * A wire is one accepted socket as a connection sees it: bytes in (through `onData`), bytes out
 * with the socket's own buffering visible (so the connection can apply backpressure), and two
 * ways to end. TCP sockets and WebSockets both become wires.
 */
import type { Socket } from 'node:net';

/** What a wire reports to its connection. */
export interface WireEvents {
  onData(bytes: Uint8Array): void;
  /**
   * The socket's buffer emptied after a write had filled it to the socket's own high-water mark
   * (Node's 'drain'); with `drainEveryWrite`, also after every write the socket completed.
   */
  onDrain(): void;
  /** The socket is gone (peer close, error, or our own end/destroy); called once. */
  onClose(reason: string): void;
}

/** One accepted socket. */
export interface Wire {
  readonly kind: 'tcp' | 'ws';
  /** `address:port` of the peer. */
  readonly peer: string;
  /** Bytes the socket holds that the kernel has not taken yet. */
  readonly bufferedBytes: number;
  /**
   * Hands the wire its connection's callbacks; data before this is buffered by the socket.
   * `queueMark` is the buffered size from which the connection stops writing and queues. At or above
   * the socket's own high-water mark (Node's `writableHighWaterMark`, 16 KiB; the default queue mark
   * is 64 KiB) that needs nothing more: the write that filled the buffer that far made the socket owe
   * a 'drain', which comes once it empties. Below it a write never returns false and no 'drain'
   * comes, so the wire then reports every completed write as a drain too (a write callback per write).
   * Without a mark nothing queues behind the wire (a refused socket).
   */
  attach(events: WireEvents, queueMark?: number): void;
  /**
   * The connection starts queueing (its buffer reached its `queueMark`): from now on the wire must
   * report 'drain'. Until then a wire may leave the socket's 'drain' unheard (most sockets never
   * fill up: no listener for them). Idempotent.
   */
  needDrain(): void;
  /** Writes a frame; must not allocate per call on the common path (it runs once per client per broadcast). */
  write(bytes: Uint8Array): void;
  /**
   * Writes a frame whose bytes go to many wires in a row (a broadcast, same object each time): the
   * wire may frame them once for all (a WebSocket frame built once, one write per socket).
   */
  writeShared(bytes: Uint8Array): void;
  /** Closes after what is buffered has been written. */
  end(): void;
  /** Closes now, dropping what is buffered. */
  destroy(): void;
}

/**
 * `address:port` of a socket's peer, as one flat string (a template literal makes a cons string of
 * three parts, ≈ 90 B; this is ≈ 32 B). Reading the address makes Node cache it on the socket
 * (`_peername`, ≈ 90 B more per connection); the cache is cleared, since Node rebuilds it on demand.
 */
export function peerOf(socket: Socket): string {
  const peer = [socket.remoteAddress ?? '?', socket.remotePort ?? 0].join(':');
  (socket as { _peername?: unknown })._peername = undefined;
  return peer;
}
