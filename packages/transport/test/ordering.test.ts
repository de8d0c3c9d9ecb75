/** Async handlers are serialised per connection; control frames outlive the outbound policy; auth has a deadline. */
import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { AckFrame, DisconnectFrame, Frame } from '@switchboard/protocol';
import { rawClient, until } from './support/raw-client.js';
import type { RawClient } from './support/raw-client.js';
import { serverWorld } from './support/server-world.js';
import type { ServerWorld } from './support/server-world.js';

let world: ServerWorld | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await world?.stop();
  world = undefined;
});
async function client(url: string) {
  const c = await rawClient(url);
  clients.push(c);
  return c;
}

describe('per-connection ordering', () => {
  it('a slow async handler holds later frames: handlers run one at a time and ACKs keep the order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const w = (world = await serverWorld({
      handlers: {
        message: async (_conn, m) => {
          seen.push(`start:${m.id}`);
          if (m.id === 'slow') await gate;
          seen.push(`end:${m.id}`);
          return undefined;
        },
      },
    }));
    const c = await client(w.tcpUrl);
    await c.connect('ordered');
    c.send({ type: 'message', id: 'slow', target: 'x', payload: 1 });
    c.send({ type: 'message', id: 'fast', target: 'x', payload: 2 });
    c.send({ type: 'join', id: 'join', rooms: ['r'] });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['start:slow']);
    expect(c.frames.filter((f) => f.type === 'ack')).toEqual([]);
    release();
    await c.next((f) => f.type === 'ack' && f.id === 'join');
    expect(seen).toEqual(['start:slow', 'end:slow', 'start:fast', 'end:fast']);
    expect(c.frames.filter((f): f is AckFrame => f.type === 'ack').map((a) => a.id)).toEqual([
      'slow',
      'fast',
      'join',
    ]);
  });

  it('a rejection in a chained handler ends the connection with HANDLER_ERROR', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = (world = await serverWorld({
      handlers: {
        message: async (_conn, m) => {
          if (m.id === 'first') await gate;
          if (m.id === 'second') throw new Error('second fails');
          return undefined;
        },
      },
    }));
    const c = await client(w.wsUrl);
    await c.connect('chained');
    c.send({ type: 'message', id: 'first', target: 'x', payload: 1 });
    c.send({ type: 'message', id: 'second', target: 'x', payload: 2 });
    release();
    expect(await c.next<DisconnectFrame>((f: Frame) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.HANDLER_ERROR,
    });
  });
});

describe('control frames and the outbound policy', () => {
  it('PONGs are queued past a full queue under drop-newest, never dropped', async () => {
    const w = (world = await serverWorld({ outbound: { maxQueueMessages: 8, policy: 'drop-newest' } }));
    const c = await client(w.tcpUrl);
    await c.connect('pinger');
    c.send({ type: 'join', id: 'j', rooms: ['feed'] });
    await c.next((f) => f.type === 'ack');
    c.pause();
    const big = new Uint8Array(32 * 1024);
    for (let i = 0; i < 4000 && (w.server.connectionInfo('pinger')?.dropped ?? 0) === 0; i++) {
      w.server.broadcast('feed', big, { id: `b${i}` });
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(w.server.connectionInfo('pinger')?.queueLength).toBe(8);
    for (let i = 0; i < 3; i++) c.send({ type: 'ping' });
    await until(() => w.server.connectionInfo('pinger')?.queueLength === 11, 5000, 'three PONGs queued');
    c.resume();
    await until(() => c.frames.filter((f) => f.type === 'pong').length === 3, 20_000, 'three PONGs received');
  });
});

describe('authentication deadline', () => {
  it('an authenticate hook that never answers refuses the client after limits.authTimeoutMs', async () => {
    const w = (world = await serverWorld({
      limits: { authTimeoutMs: 100 },
      hooks: { authenticate: () => new Promise<boolean>(() => undefined) },
    }));
    const c = await client(w.tcpUrl);
    expect(await c.connect('stuck')).toMatchObject({ type: 'disconnect', reason: REASON.SERVER_BUSY });
    await c.closed;
    expect(w.server.stats().counters.refused.auth).toBe(1);
    expect(w.cm.connectedClientCount()).toBe(0);
  });

  it('close() called twice at once closes once', async () => {
    const w = (world = await serverWorld());
    const c = await client(w.tcpUrl);
    await c.connect('x');
    const [a, b] = [w.server.close(), w.server.close()];
    expect(a).toBe(b);
    await a;
    await c.closed;
  });
});
