// The invariant the outbound queue's flush relies on, checked on real sockets for both wires: with a
// queue mark at or above the socket's own writable high-water mark, writes go out with no callback
// (the broadcast hot path), and a socket filled to the queue mark by a paused peer still reports
// `onDrain` once the peer reads again (Node's 'drain', owed since the write that filled it past its
// own mark). Below the socket's own mark no 'drain' ever comes: there every write carries a callback
// that reports a drain when it completes.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { tcpWire } from '../../src/tcp-wire.js';
import { WireWebSocket, wsWire } from '../../src/ws-wire.js';
import type { Wire } from '../../src/wire.js';
import { until } from '../support/raw-client.js';

/** A server-side wire, its socket, and the peer's pause/resume. */
interface Pair {
  readonly wire: Wire;
  readonly socket: Socket;
  pause(): void;
  resume(): void;
  close(): void;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function tcpPair(): Promise<Pair> {
  const server = createServer();
  const port = await listening(server);
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const peer = connect(port, '127.0.0.1');
  const [socket] = await accepted;
  peer.on('data', () => undefined);
  return {
    wire: tcpWire(socket),
    socket,
    pause: () => void peer.pause(),
    resume: () => void peer.resume(),
    close: () => {
      peer.destroy();
      socket.destroy();
      server.close();
    },
  };
}

async function wsPair(): Promise<Pair> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, WebSocket: WireWebSocket });
  const http = createHttpServer();
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
  );
  const port = await listening(http);
  const accepted = once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>;
  const peer = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const [ws, req] = await accepted;
  if (peer.readyState !== WebSocket.OPEN) await once(peer, 'open');
  peer.on('message', () => undefined);
  const socket = req.socket;
  return {
    wire: wsWire(ws, socket),
    socket,
    pause: () => peer.pause(),
    resume: () => peer.resume(),
    close: () => {
      peer.terminate();
      ws.terminate();
      wss.close();
      http.close();
    },
  };
}

/** Records, for every write the socket takes, whether it came with a callback. */
function spyWrites(socket: Socket): boolean[] {
  const withCallback: boolean[] = [];
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    withCallback.push(args.some((a) => typeof a === 'function'));
    return write(...args);
  };
  return withCallback;
}

describe.each([
  ['tcp', tcpPair],
  ['ws', wsPair],
] as const)('%s wire drain', (kind, pair) => {
  it.each([65_536, 16_384])(
    'queue mark %i (≥ the socket’s own): no write callback, and onDrain still comes after a stall',
    { timeout: 20_000 },
    async (mark) => {
      const p = await pair();
      cleanups.push(() => p.close());
      expect(p.socket.writableHighWaterMark).toBeLessThanOrEqual(mark);
      let drains = 0;
      p.wire.attach({ onData: () => undefined, onDrain: () => drains++, onClose: () => undefined }, mark);
      const withCallback = spyWrites(p.socket);
      // Arrange: the peer stops reading; write until the socket itself holds the queue mark (the
      // point from which a connection would queue and wait for nothing but this drain).
      p.pause();
      const chunk = Buffer.alloc(16 * 1024);
      for (let i = 0; i < 20_000 && p.wire.bufferedBytes < mark; i++) {
        p.wire.write(chunk);
        if (i % 64 === 63) await new Promise((r) => setImmediate(r));
      }
      expect(p.wire.bufferedBytes).toBeGreaterThanOrEqual(mark);
      // A connection starts queueing here, and asks for 'drain' from now on.
      p.wire.needDrain();
      // (The socket may have drained while it was filling, between yields: only a later drain counts.)
      const before = drains;
      // Act: the peer reads again.
      p.resume();
      // Assert: the drain comes, and no write ever carried a callback.
      await until(() => drains > before, 10_000, 'onDrain');
      expect(p.wire.bufferedBytes).toBe(0);
      expect(withCallback.length).toBeGreaterThan(0);
      expect(withCallback.every((cb) => !cb)).toBe(true);
    },
  );

  it("listens for the socket's 'drain' once a connection queues (a WebSocket wire: not before)", async () => {
    const p = await pair();
    cleanups.push(() => p.close());
    const before = p.socket.listenerCount('drain');
    p.wire.attach({ onData: () => undefined, onDrain: () => undefined, onClose: () => undefined }, 65_536);
    const attached = p.socket.listenerCount('drain');
    expect(attached - before).toBe(kind === 'ws' ? 0 : 1);
    p.wire.needDrain();
    p.wire.needDrain();
    expect(p.socket.listenerCount('drain')).toBe(before + 1);
  });

  it('queue mark below the socket’s own: every write reports a drain when it completes', async () => {
    const p = await pair();
    cleanups.push(() => p.close());
    let drains = 0;
    p.wire.attach({ onData: () => undefined, onDrain: () => drains++, onClose: () => undefined }, 1024);
    const withCallback = spyWrites(p.socket);
    p.wire.write(Buffer.alloc(100));
    p.wire.write(Buffer.alloc(100));
    await until(() => drains >= 2, 5000, 'two drains');
    expect(withCallback.some((cb) => cb)).toBe(true);
  });
});
