/**
 * A wire is one accepted socket as a connection sees it: bytes in (through `onData`), bytes out
 * with the socket's own buffering visible (so the connection can apply backpressure), and two
 * ways to end. TCP sockets and WebSockets both become wires.
 */

/** What a wire reports to its connection. */
export interface WireEvents {
  onData(bytes: Uint8Array): void;
  /** The socket's buffer fell below its high-water mark. */
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
  /** Hands the wire its connection's callbacks; data before this is buffered by the socket. */
  attach(events: WireEvents): void;
  write(bytes: Uint8Array): void;
  /** Closes after what is buffered has been written. */
  end(): void;
  /** Closes now, dropping what is buffered. */
  destroy(): void;
}
