/**
 * A scripted fake Switchboard server for the client's tests: real sockets on 127.0.0.1 (node:net
 * or a `ws` WebSocketServer) and the real protocol codec, but no logic of its own. A test reads
 * the frames each connection received and writes the frames it wants, byte by byte if it likes.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  REASON,
  createDecoder,
  encodeFrame,
  type ConnectFrame,
  type Frame,
  type ReasonCode,
} from '@switchboard/protocol';

/** How long a wait for something the client should do may take before the test fails. */
export const WAIT_MS = 5_000;

/** One accepted socket, seen from the server. */
export class FakeConnection {
  /** Every frame the client sent on this connection, in order. */
  readonly received: Frame[] = [];
  closed = false;
  readonly #decoder = createDecoder();
  readonly #waiters: {
    readonly test: (frame: Frame) => boolean;
    readonly resolve: (frame: Frame) => void;
  }[] = [];
  /** Frames received and not yet taken by `next`. */
  readonly #unread: Frame[] = [];
  readonly #closedWaiters: (() => void)[] = [];
  readonly #write: (bytes: Uint8Array) => void;
  readonly #destroy: () => void;
  readonly #end: () => void;
  readonly #writeText: ((text: string) => void) | undefined;

  constructor(
    write: (bytes: Uint8Array) => void,
    destroy: () => void,
    end: () => void,
    writeText?: (text: string) => void,
  ) {
    this.#write = write;
    this.#destroy = destroy;
    this.#end = end;
    this.#writeText = writeText;
  }

  /** Feeds bytes from the socket (called by the server). */
  ingest(bytes: Uint8Array): void {
    const { frames, error } = this.#decoder.push(bytes);
    if (error !== undefined) throw error;
    for (const frame of frames) {
      this.received.push(frame);
      const index = this.#waiters.findIndex((w) => w.test(frame));
      if (index >= 0) {
        const [waiter] = this.#waiters.splice(index, 1);
        waiter?.resolve(frame);
      } else {
        this.#unread.push(frame);
      }
    }
  }

  /** Marks the socket closed (called by the server). */
  markClosed(): void {
    this.closed = true;
    for (const resolve of this.#closedWaiters.splice(0)) resolve();
  }

  /** The next unread frame of `type` (any type if omitted): one already received, or the next to come. */
  next<TType extends Frame['type']>(type?: TType): Promise<Extract<Frame, { type: TType }>> {
    const test = (frame: Frame): boolean => type === undefined || frame.type === type;
    const index = this.#unread.findIndex(test);
    if (index >= 0) {
      const [frame] = this.#unread.splice(index, 1);
      return Promise.resolve(frame as Extract<Frame, { type: TType }>);
    }
    return withTimeout(
      new Promise<Frame>((resolve) => this.#waiters.push({ test, resolve })),
      `a ${type ?? 'any'} frame`,
    ) as Promise<Extract<Frame, { type: TType }>>;
  }

  /** Waits for CONNECT and answers CONNACK; returns the CONNECT. */
  async accept(
    connack: { sessionPresent?: boolean; reason?: ReasonCode; pingIntervalMs?: number } = {},
  ): Promise<ConnectFrame> {
    const connect = await this.next('connect');
    this.send({
      type: 'connack',
      sessionPresent: connack.sessionPresent ?? false,
      reason: connack.reason ?? REASON.SUCCESS,
      ...(connack.pingIntervalMs === undefined ? {} : { pingIntervalMs: connack.pingIntervalMs }),
    });
    return connect;
  }

  /** Sends one frame. */
  send(frame: Frame): void {
    this.#write(encodeFrame(frame));
  }

  /** Sends raw bytes as they are. */
  sendBytes(bytes: Uint8Array): void {
    this.#write(bytes);
  }

  /** Sends a WebSocket text message (not part of the protocol; WebSocket servers only). */
  sendText(text: string): void {
    if (this.#writeText === undefined) throw new TypeError('a TCP connection has no text messages');
    this.#writeText(text);
  }

  /** Sends a frame one byte per write, yielding to the event loop between writes. */
  async sendByteByByte(frame: Frame): Promise<void> {
    const bytes = encodeFrame(frame);
    for (let i = 0; i < bytes.length; i++) {
      this.#write(bytes.subarray(i, i + 1));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Drops the socket without a word (a network failure, from the client's side). */
  drop(): void {
    this.#destroy();
  }

  /** Closes the socket politely (FIN or a WebSocket close). */
  end(): void {
    this.#end();
  }

  /** Resolves once the socket is closed. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.#closedWaiters.push(resolve)),
      'the socket to close',
    );
  }
}

/** A listening fake server. */
export interface FakeServer {
  readonly url: string;
  readonly connections: FakeConnection[];
  /** The next connection to be accepted (or one accepted and not yet taken). */
  nextConnection(): Promise<FakeConnection>;
  /** Stops listening and destroys every socket. */
  close(): Promise<void>;
}

abstract class BaseFakeServer implements FakeServer {
  abstract readonly url: string;
  readonly connections: FakeConnection[] = [];
  #taken = 0;
  readonly #waiters: ((conn: FakeConnection) => void)[] = [];

  protected added(conn: FakeConnection): void {
    this.connections.push(conn);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#taken++;
      waiter(conn);
    }
  }

  nextConnection(): Promise<FakeConnection> {
    const conn = this.connections[this.#taken];
    if (conn !== undefined) {
      this.#taken++;
      return Promise.resolve(conn);
    }
    return withTimeout(new Promise((resolve) => this.#waiters.push(resolve)), 'a connection');
  }

  abstract close(): Promise<void>;
}

class TcpFakeServer extends BaseFakeServer {
  readonly url: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(server: Server) {
    super();
    this.#server = server;
    this.url = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      const conn = new FakeConnection(
        (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        () => socket.destroy(),
        () => socket.end(),
      );
      socket.on('data', (chunk: Buffer) => conn.ingest(chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        conn.markClosed();
      });
      this.added(conn);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

class WsFakeServer extends BaseFakeServer {
  readonly url: string;
  readonly #server: WebSocketServer;

  constructor(server: WebSocketServer) {
    super();
    this.#server = server;
    this.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/switchboard`;
    server.on('connection', (socket: WebSocket) => {
      const conn = new FakeConnection(
        (bytes) => {
          if (socket.readyState === socket.OPEN) socket.send(bytes);
        },
        () => socket.terminate(),
        () => socket.close(1000),
        (text) => socket.send(text),
      );
      socket.on('message', (data: Buffer) => conn.ingest(data));
      socket.on('error', () => {});
      socket.on('close', () => conn.markClosed());
      this.added(conn);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#server.clients) socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Starts a fake server on a free TCP port of 127.0.0.1. */
export async function startTcpServer(): Promise<FakeServer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new TcpFakeServer(server);
}

/** Starts a fake WebSocket server on a free port of 127.0.0.1. */
export async function startWsServer(): Promise<FakeServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/switchboard' });
  await once(server, 'listening');
  return new WsFakeServer(server);
}

/** Rejects if `promise` has not settled within WAIT_MS (a bound, never a sleep). */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
