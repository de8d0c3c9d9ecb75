/**
 * The three servers the transport benchmark compares, behind one shape: Switchboard
 * (`createServer`, WebSocket only, default limits and keepalive), a raw `ws` server that just keeps
 * its sockets, and Socket.IO 4.8 (WebSocket transport only). Each listens on 127.0.0.1, counts
 * the connections it has fully set up, and broadcasts a pre-built 64-byte message.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannelManager } from '@switchboard/channels';
import { createRuntime } from '@switchboard/runtime';
import { encodeFrame } from '@switchboard/protocol';
import { createServer } from '@switchboard/transport';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export type ServerKind = 'switchboard' | 'ws' | 'socketio';
export const SERVER_KINDS: readonly ServerKind[] = ['switchboard', 'ws', 'socketio'];

/** Bytes of the message every broadcast carries (the application's payload, before any framing). */
export const PAYLOAD_BYTES = 64;
/** The broadcast payload as text (Switchboard and Socket.IO): 64 ASCII characters. */
export const PAYLOAD_TEXT = 'x'.repeat(PAYLOAD_BYTES);
/** The event name Socket.IO clients listen to. */
export const SOCKETIO_EVENT = 'm';

/** The moment a server had set up its n-th connection. */
export interface Reached {
  /** `process.cpuUsage()` then. */
  readonly cpu: NodeJS.CpuUsage;
  /** `performance.now()` then. */
  readonly at: number;
}

/** One server under test. */
export interface BenchServer {
  readonly kind: ServerKind;
  /** Where clients connect. */
  readonly url: string;
  /** Bytes one broadcast message puts on the wire per client (WebSocket frame payload). */
  readonly wireBytes: number;
  /**
   * Resolves when `n` connections are set up: CONNACK sent (Switchboard), `'connection'`
   * emitted (ws, Socket.IO). The CPU and the time are read at that moment, not when the promise
   * is handled.
   */
  whenEstablished(n: number): Promise<Reached>;
  /** One message to every connection; returns how many it was sent to. */
  broadcastAll(): number;
  /** One message to every member of `room`; returns how many it was sent to (−1: not counted). */
  broadcastRoom(room: string): number;
  /** Puts every connection in `room` from the server side (Socket.IO); the others join from the client. */
  joinAllServerSide(room: string): void;
  roomSize(room: string): number;
  /** Lets deferred work finish (Switchboard: the runtime idle and the channel manager synced). */
  settle(): Promise<void>;
}

/**
 * Starts one server on 127.0.0.1 with a port picked by the OS.
 *
 * @example
 * ```ts
 * const server = await startBenchServer('ws');
 * const reached = await server.whenEstablished(1000); // after clients connect to server.url
 * ```
 */
export function startBenchServer(kind: ServerKind): Promise<BenchServer> {
  switch (kind) {
    case 'switchboard':
      return switchboardServer();
    case 'ws':
      return rawWsServer();
    case 'socketio':
      return socketIoServer();
  }
}

/** Counts set-up connections and resolves the waiter at the n-th one, reading the CPU then. */
function establishedCounter(): { count(): void; readonly n: number; when(n: number): Promise<Reached> } {
  let established = 0;
  let waiter: { n: number; resolve: (r: Reached) => void } | undefined;
  return {
    count() {
      established++;
      if (waiter !== undefined && established >= waiter.n) {
        const { resolve } = waiter;
        waiter = undefined;
        resolve({ cpu: process.cpuUsage(), at: performance.now() });
      }
    },
    get n() {
      return established;
    },
    when(n) {
      if (established >= n) return Promise.resolve({ cpu: process.cpuUsage(), at: performance.now() });
      return new Promise((resolve) => (waiter = { n, resolve }));
    },
  };
}

async function switchboardServer(): Promise<BenchServer> {
  const rt = createRuntime();
  const channels = createChannelManager(rt);
  const server = createServer({ runtime: rt, channels, ws: { host: '127.0.0.1', port: 0, path: '/sb' } });
  const { ws } = await server.ready;
  if (ws === undefined) throw new Error('switchboard: no ws address');
  const sample = encodeFrame({ type: 'message', id: 'node-s0', payload: PAYLOAD_TEXT });
  return {
    kind: 'switchboard',
    url: ws.url,
    wireBytes: sample.byteLength,
    async whenEstablished(n) {
      // No per-connection hook here: `onConnStart` would build each connection's handler context,
      // which an idle server never needs, and the memory figures would include it. The channel
      // manager's live count is O(1) and reaches n just before the last CONNACKs go out; from
      // then on, the server's own count of CONNACKs (O(connections)) is read every turn.
      while (channels.connectedClientCount() < n) await new Promise((r) => setTimeout(r, 10));
      while (server.stats().connections.count < n) await new Promise((r) => setImmediate(r));
      return { cpu: process.cpuUsage(), at: performance.now() };
    },
    broadcastAll: () => server.broadcastAll(PAYLOAD_TEXT),
    broadcastRoom: (room) => server.broadcast(room, PAYLOAD_TEXT),
    joinAllServerSide() {
      throw new Error('switchboard clients join with a JOIN frame');
    },
    roomSize: (room) => server.roomMembers(room).length,
    async settle() {
      await rt.idle();
      await channels.sync();
      await rt.idle();
    },
  };
}

/** Shared listeners: no closure per socket. */
function ignore(): void {}

async function rawWsServer(): Promise<BenchServer> {
  const clients = new Set<WebSocket>();
  const counter = establishedCounter();
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    clientTracking: false,
  });
  function forget(this: WebSocket): void {
    clients.delete(this);
  }
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('error', ignore);
    ws.on('close', forget);
    counter.count();
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const buf = Buffer.alloc(PAYLOAD_BYTES, 'x');
  return {
    kind: 'ws',
    url: `ws://127.0.0.1:${port}/`,
    wireBytes: buf.byteLength,
    whenEstablished: (n) => counter.when(n),
    broadcastAll() {
      for (const ws of clients) ws.send(buf);
      return clients.size;
    },
    broadcastRoom() {
      throw new Error('the raw ws server has no rooms');
    },
    joinAllServerSide() {
      throw new Error('the raw ws server has no rooms');
    },
    roomSize: () => 0,
    settle: () => Promise.resolve(),
  };
}

async function socketIoServer(): Promise<BenchServer> {
  const http = createHttpServer();
  const io = new SocketIoServer(http, { transports: ['websocket'], serveClient: false });
  const counter = establishedCounter();
  io.on('connection', () => counter.count());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    kind: 'socketio',
    url: `http://127.0.0.1:${port}`,
    // `42["m","xxx…"]`: the packet type, the event name and the JSON string.
    wireBytes: Buffer.byteLength(`42${JSON.stringify([SOCKETIO_EVENT, PAYLOAD_TEXT])}`),
    whenEstablished: (n) => counter.when(n),
    broadcastAll() {
      io.emit(SOCKETIO_EVENT, PAYLOAD_TEXT);
      return -1;
    },
    broadcastRoom(room) {
      io.to(room).emit(SOCKETIO_EVENT, PAYLOAD_TEXT);
      return -1;
    },
    joinAllServerSide: (room) => io.socketsJoin(room),
    roomSize: (room) => io.sockets.adapter.rooms.get(room)?.size ?? 0,
    settle: () => Promise.resolve(),
  };
}
