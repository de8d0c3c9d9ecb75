/**
 * One benchmark client per server kind, each as lean as its protocol allows: a `ws` WebSocket
 * speaking Switchboard's protocol (CONNECT → CONNACK, JOIN → ACK, PONG to PING), a bare `ws`
 * WebSocket, and a `socket.io-client` socket (WebSocket transport only). Every message the
 * server pushes is counted; nothing else is kept.
 */
import { createDecoder, encodeFrame } from '@switchboard/protocol';
import type { Frame } from '@switchboard/protocol';
import { io } from 'socket.io-client';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import WebSocket from 'ws';
import { SOCKETIO_EVENT } from './bench-servers.js';
import type { ServerKind } from './bench-servers.js';

/** One connected client. */
export interface BenchClient {
  /** Joins `room` and resolves once the server acknowledged it (Switchboard only). */
  join(room: string): Promise<void>;
  /** From now on (until the next `join`) only counts what is pushed: no decoding per message. */
  countOnly(): void;
}

/** Where and as whom a client connects, and what it calls for each message pushed to it. */
export interface ClientTarget {
  readonly kind: ServerKind;
  readonly url: string;
  readonly clientId: string;
  /** Source address on the loopback (127.0.0.2, …), so no single address runs out of ports. */
  readonly localAddress: string;
  readonly onMessage: () => void;
  /** The connection closed (a client never closes on its own: the server or the network did). */
  readonly onLost: () => void;
}

/**
 * Connects one client and resolves once the server set it up (CONNACK, or the open event).
 *
 * @example
 * ```ts
 * const client = await openClient({ kind: 'switchboard', url, clientId: 'c1', localAddress: '127.0.0.2', onMessage });
 * await client.join('room');
 * ```
 */
export function openClient(target: ClientTarget): Promise<BenchClient> {
  switch (target.kind) {
    case 'switchboard':
      return switchboardClient(target);
    case 'ws':
      return rawWsClient(target);
    case 'socketio':
      return socketIoClient(target);
  }
}

const PONG = encodeFrame({ type: 'pong' });
const PING = Buffer.from(encodeFrame({ type: 'ping' }));

function switchboardClient({
  url,
  clientId,
  localAddress,
  onMessage,
  onLost,
}: ClientTarget): Promise<BenchClient> {
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  const decoder = createDecoder();
  const acks = new Map<string, () => void>();
  let joins = 0;
  let counting = false;
  return new Promise((resolve, reject) => {
    const client: BenchClient = {
      join(room) {
        counting = false; // its ACK must be read
        const id = `j${joins++}`;
        return new Promise<void>((done) => {
          acks.set(id, done);
          ws.send(encodeFrame({ type: 'join', id, rooms: [room] }));
        });
      },
      countOnly() {
        counting = true;
      },
    };
    const onFrame = (frame: Frame): void => {
      switch (frame.type) {
        case 'message':
          return onMessage();
        case 'ping':
          return void ws.send(PONG);
        case 'connack':
          return resolve(client);
        case 'ack': {
          const done = acks.get(frame.id);
          acks.delete(frame.id);
          return done?.();
        }
        case 'disconnect':
          return reject(new Error(`${clientId}: DISCONNECT reason ${frame.reason}`));
        case 'connect':
        case 'join':
        case 'leave':
        case 'pong':
          // Client-to-server frames: a server never sends them.
          return;
      }
    };
    ws.on('message', (data: Buffer) => {
      // Once set up, a client only counts what it is pushed, as the raw ws client does: every
      // WebSocket message carries one frame here, a MESSAGE unless it is the server's PING (a
      // DISCONNECT would close the socket, which fails the run). Decoding each frame with msgpack
      // would put client work the raw ws clients do not do on the cores the servers share.
      if (counting) {
        if (data.length === PING.length && data.equals(PING)) return void ws.send(PONG);
        return onMessage();
      }
      const { frames, error } = decoder.push(data);
      for (const frame of frames) onFrame(frame);
      if (error !== undefined) reject(new Error(`${clientId}: ${error.code}`));
    });
    ws.once('open', () =>
      ws.send(encodeFrame({ type: 'connect', version: 1, clientId, cleanStart: true, sessionExpiryMs: 0 })),
    );
    ws.on('error', reject);
    ws.on('close', () => {
      onLost();
      reject(new Error(`${clientId}: closed`));
    });
  });
}

function rawWsClient({ url, clientId, localAddress, onMessage, onLost }: ClientTarget): Promise<BenchClient> {
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    ws.on('message', onMessage);
    ws.once('open', () =>
      resolve({
        join: () => Promise.reject(new Error('the raw ws server has no rooms')),
        countOnly: () => undefined,
      }),
    );
    ws.on('error', reject);
    ws.on('close', () => {
      onLost();
      reject(new Error(`${clientId}: closed`));
    });
  });
}

function socketIoClient({
  url,
  clientId,
  localAddress,
  onMessage,
  onLost,
}: ClientTarget): Promise<BenchClient> {
  // `localAddress` reaches the `ws` socket under engine.io-client, which its types do not list.
  const options = {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    localAddress,
  } as Partial<ManagerOptions & SocketOptions>;
  const socket = io(url, options);
  return new Promise((resolve, reject) => {
    socket.on(SOCKETIO_EVENT, onMessage);
    socket.once('connect', () =>
      resolve({
        join: () => Promise.reject(new Error('Socket.IO rooms are joined server side here')),
        // socket.io-client parses every packet; it has no lighter way to receive an event.
        countOnly: () => undefined,
      }),
    );
    socket.on('connect_error', (err) => reject(new Error(`${clientId}: ${err.message}`)));
    socket.on('disconnect', (why) => {
      onLost();
      reject(new Error(`${clientId}: disconnected (${why})`));
    });
  });
}
