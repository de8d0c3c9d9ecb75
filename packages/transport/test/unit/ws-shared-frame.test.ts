// A broadcast's bytes are framed as one WebSocket frame once, and that frame is written whole to
// every member's socket: peers receive exactly what `ws.send` would have sent, in order with the
// wire's other frames.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WireWebSocket, wsWire } from '../../src/ws-wire.js';
import type { Wire } from '../../src/wire.js';
import { until } from '../support/raw-client.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A server with `n` accepted WebSocket wires, each with what its peer received (binary flag included). */
async function wires(n: number) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, WebSocket: WireWebSocket });
  const http = createHttpServer();
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
  );
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  const out: { wire: Wire; socket: Socket; peer: WebSocket; got: { data: Buffer; binary: boolean }[] }[] = [];
  for (let i = 0; i < n; i++) {
    const accepted = once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>;
    const peer = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    const got: { data: Buffer; binary: boolean }[] = [];
    peer.on('message', (data: Buffer, binary: boolean) => got.push({ data, binary }));
    const [ws, req] = await accepted;
    if (peer.readyState !== WebSocket.OPEN) await once(peer, 'open');
    const wire = wsWire(ws, req.socket);
    wire.attach({ onData: () => undefined, onDrain: () => undefined, onClose: () => undefined }, 65_536);
    out.push({ wire, socket: req.socket, peer, got });
  }
  cleanups.push(() => {
    for (const { peer } of out) peer.terminate();
    wss.close();
    http.close();
  });
  return out;
}

/** Records every buffer written to the socket. */
function spyWrites(socket: Socket): unknown[] {
  const chunks: unknown[] = [];
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    chunks.push(args[0]);
    return write(...args);
  };
  return chunks;
}

describe('WebSocket wire, shared frames', () => {
  it('peers receive shared frames as binary messages, in order with plain writes', async () => {
    const [a, b] = await wires(2);
    if (!a || !b) throw new Error('no wires');
    const shared = Buffer.from('broadcast');
    const big = Buffer.alloc(70_000, 7); // a 64-bit length header
    const mid = Buffer.alloc(300, 3); // a 16-bit length header
    for (const { wire } of [a, b]) {
      wire.write(Buffer.from('first'));
      wire.writeShared(shared);
      wire.writeShared(mid);
      wire.writeShared(big);
      wire.write(Buffer.from('last'));
    }
    for (const { got } of [a, b]) await until(() => got.length === 5, 5000, 'five messages');
    for (const { got } of [a, b]) {
      expect(got.every((m) => m.binary)).toBe(true);
      expect(got.map((m) => m.data.byteLength)).toEqual([5, 9, 300, 70_000, 4]);
      expect(got[1]?.data.toString()).toBe('broadcast');
      expect(got[2]?.data.equals(mid)).toBe(true);
      expect(got[3]?.data.equals(big)).toBe(true);
      expect(got[4]?.data.toString()).toBe('last');
    }
  });

  it('frames the bytes once: every socket gets the same single buffer', async () => {
    const [a, b] = await wires(2);
    if (!a || !b) throw new Error('no wires');
    const writesA = spyWrites(a.socket);
    const writesB = spyWrites(b.socket);
    const shared = Buffer.from('once for all');
    a.wire.writeShared(shared);
    b.wire.writeShared(shared);
    expect(writesA).toHaveLength(1);
    expect(writesB).toHaveLength(1);
    expect(writesA[0]).toBe(writesB[0]);
    // Header (final binary frame, 12 bytes, unmasked) and the bytes, in one buffer.
    expect([...(writesA[0] as Buffer).subarray(0, 2)]).toEqual([0x82, 12]);
    await until(() => b.got.length === 1, 5000, 'the message');
    expect(b.got[0]?.data.toString()).toBe('once for all');
  });

  it('writes nothing to a socket that is closing', async () => {
    const [a] = await wires(1);
    if (!a) throw new Error('no wire');
    a.wire.end();
    const writes = spyWrites(a.socket);
    expect(() => a.wire.writeShared(Buffer.from('late'))).not.toThrow();
    expect(writes).toEqual([]);
  });
});
