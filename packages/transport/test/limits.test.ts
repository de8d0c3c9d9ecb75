import { afterEach, describe, expect, it } from 'vitest';
import { REASON, encodeFrame } from '@switchboard/protocol';
import type { DisconnectFrame, Frame, MessageFrame } from '@switchboard/protocol';
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
async function start(options: Parameters<typeof serverWorld>[0] = {}) {
  world = await serverWorld(options);
  return world;
}
async function client(url: string) {
  const c = await rawClient(url);
  clients.push(c);
  return c;
}
const disconnect = (c: RawClient) => c.next<DisconnectFrame>((f: Frame) => f.type === 'disconnect');

describe('bad input closes only that connection', () => {
  it.each(['tcp', 'ws'] as const)(
    'an oversize frame header (%s): FRAME_TOO_LARGE, from the header alone',
    async (kind) => {
      const w = await start({ limits: { maxFrameBytes: 1024 } });
      const bystander = await client(w.tcpUrl);
      await bystander.connect('bystander');
      const c = await client(kind === 'tcp' ? w.tcpUrl : w.wsUrl);
      await c.connect('big');
      // Only the 4-byte header of a 1 GiB frame: refused without waiting for a body.
      c.sendBytes(new Uint8Array([0x40, 0, 0, 0]));
      expect(await disconnect(c)).toMatchObject({ reason: REASON.FRAME_TOO_LARGE });
      await c.closed;
      bystander.send({ type: 'ping' });
      await bystander.next((f) => f.type === 'pong');
      expect(w.server.stats().counters.malformed).toBe(1);
    },
  );

  it('malformed msgpack: MALFORMED_FRAME', async () => {
    const w = await start();
    const c = await client(w.tcpUrl);
    await c.connect('m');
    c.sendBytes(new Uint8Array([0, 0, 0, 2, 0xc1, 0xc1]));
    expect(await disconnect(c)).toMatchObject({ reason: REASON.MALFORMED_FRAME });
  });

  it('a frame split byte by byte is still one frame', async () => {
    const w = await start();
    const c = await client(w.tcpUrl);
    const bytes = encodeFrame({
      type: 'connect',
      version: 1,
      clientId: 'split',
      cleanStart: true,
      sessionExpiryMs: null,
    });
    for (const b of bytes) c.sendBytes(new Uint8Array([b]));
    await c.next((f) => f.type === 'connack');
  });
});

describe('timeouts', () => {
  it('a socket that never sends CONNECT is closed with CONNECT_TIMEOUT', async () => {
    const w = await start({ limits: { connectTimeoutMs: 100 } });
    const c = await client(w.tcpUrl);
    expect(await disconnect(c)).toMatchObject({ reason: REASON.CONNECT_TIMEOUT });
    await c.closed;
    expect(w.server.stats().counters.connectTimeouts).toBe(1);
  });

  it('a silent connection gets PINGs, then is closed with IDLE_TIMEOUT; one that answers stays', async () => {
    const w = await start({ keepalive: { pingIntervalMs: 40, idleTimeoutMs: 200 } });
    const silent = await client(w.tcpUrl);
    const lively = await client(w.tcpUrl);
    await silent.connect('silent');
    await lively.connect('lively');
    // The lively client answers every PING with a PONG (any inbound frame counts as activity).
    let pongs = 0;
    const answer = setInterval(() => {
      const pings = lively.frames.filter((f) => f.type === 'ping').length;
      while (pongs < pings) {
        lively.send({ type: 'pong' });
        pongs++;
      }
    }, 5);
    try {
      await silent.next((f) => f.type === 'ping');
      expect(await disconnect(silent)).toMatchObject({ reason: REASON.IDLE_TIMEOUT });
      await silent.closed;
      await until(() => pongs >= 3, 5000, 'three pings answered');
      expect(lively.isClosed).toBe(false);
      expect(w.server.stats().counters.idleTimeouts).toBe(1);
    } finally {
      clearInterval(answer);
    }
  });
});

describe('admission', () => {
  it('maxConnections: the next client is refused with SERVER_BUSY, and admitted once one leaves', async () => {
    const w = await start({ limits: { maxConnections: 3 } });
    const admitted = await Promise.all([1, 2, 3].map(() => client(w.tcpUrl)));
    for (const [i, c] of admitted.entries())
      expect(await c.connect(`c${i}`)).toMatchObject({ type: 'connack' });
    const refused = await client(w.tcpUrl);
    expect(await refused.connect('c4')).toMatchObject({ type: 'disconnect', reason: REASON.SERVER_BUSY });
    expect(w.server.stats().counters.refused.busy).toBe(1);
    // A resume of a live id is a replacement, not a new connection.
    const again = await client(w.tcpUrl);
    expect(await again.connect('c0', { cleanStart: false })).toMatchObject({ type: 'connack' });
    admitted[1]?.end();
    await until(() => w.cm.connectedClientCount() === 2);
    const later = await client(w.tcpUrl);
    expect(await later.connect('c5')).toMatchObject({ type: 'connack' });
  });

  it('maxConnRate: sockets beyond the rate are refused with CONNECTION_RATE_EXCEEDED', async () => {
    const w = await start({ limits: { maxConnRate: 2 } });
    const cs = await Promise.all([1, 2, 3, 4, 5].map(() => client(w.tcpUrl)));
    await until(() => w.server.stats().counters.refused.rate >= 3);
    const refused = () =>
      cs.filter((c) =>
        c.frames.some((f) => f.type === 'disconnect' && f.reason === REASON.CONNECTION_RATE_EXCEEDED),
      );
    // The server counts a refusal when it writes the DISCONNECT; the client reads it a little later.
    await until(() => refused().length >= 3, 5000, 'three clients told CONNECTION_RATE_EXCEEDED');
    expect(refused().length).toBe(w.server.stats().counters.refused.rate);
  });
});

describe('slow consumers', () => {
  const payload = new Uint8Array(16 * 1024);

  async function flood(w: ServerWorld, until_: () => boolean, max = 4000) {
    for (let i = 0; i < max && !until_(); i++) {
      w.server.broadcast('feed', payload, { id: `f${i}` });
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  it("policy 'disconnect': the client that never reads is evicted (SLOW_CONSUMER); the others keep up", async () => {
    const w = await start({ outbound: { maxQueueMessages: 64, maxQueueBytes: 256 * 1024 } });
    const slow = await client(w.tcpUrl);
    const fast = await client(w.tcpUrl);
    await slow.connect('slow');
    await fast.connect('fast');
    for (const [c, id] of [
      [slow, 'j1'],
      [fast, 'j2'],
    ] as const) {
      c.send({ type: 'join', id, rooms: ['feed'] });
      await c.next((f) => f.type === 'ack' && f.id === id);
    }
    slow.pause();
    await flood(w, () => w.server.stats().counters.evicted > 0);
    expect(w.server.stats().counters.evicted).toBe(1);
    await until(() => w.server.connectionInfo('slow') === undefined, 5000, 'slow connection gone');
    // A paused socket never sees the end: read what the kernel holds, then the close.
    slow.resume();
    await slow.closed;
    expect(slow.disconnectFrame()).toBeUndefined(); // destroyed at once: nothing more was sent
    // The fast client got every message, in order, and keeps receiving.
    w.server.broadcast('feed', 'after', { id: 'after' });
    await fast.next((f) => f.type === 'message' && f.id === 'after', 20_000);
    const ids = fast.messages().map((m: MessageFrame) => m.id);
    expect(ids.at(-1)).toBe('after');
    expect(ids.slice(0, -1)).toEqual(ids.slice(0, -1).map((_, i) => `f${i}`));
    expect(fast.isClosed).toBe(false);
  });

  it.each(['drop-oldest', 'drop-newest'] as const)(
    "policy '%s': messages are dropped and counted, the client stays",
    async (policy) => {
      const w = await start({ outbound: { maxQueueMessages: 16, maxQueueBytes: 1 << 20, policy } });
      const slow = await client(w.tcpUrl);
      await slow.connect('slow');
      slow.send({ type: 'join', id: 'j', rooms: ['feed'] });
      await slow.next((f) => f.type === 'ack');
      slow.pause();
      await flood(w, () => (w.server.connectionInfo('slow')?.dropped ?? 0) >= 10);
      const info = w.server.connectionInfo('slow');
      expect(info?.dropped).toBeGreaterThanOrEqual(10);
      expect(info?.queueLength).toBeLessThanOrEqual(16);
      expect(w.server.stats().counters.evicted).toBe(0);
      slow.resume();
      // It drains: the last message arrives (drop-oldest keeps the newest; drop-newest keeps the queue).
      const marker = policy === 'drop-oldest' ? 'end' : undefined;
      if (marker) {
        w.server.broadcast('feed', marker, { id: marker });
        await slow.next((f) => f.type === 'message' && f.id === marker, 20_000);
      } else {
        await until(() => w.server.connectionInfo('slow')?.queueLength === 0, 20_000, 'queue drained');
        w.server.broadcast('feed', 'end', { id: 'end' });
        await slow.next((f) => f.type === 'message' && f.id === 'end', 20_000);
      }
      expect(slow.isClosed).toBe(false);
    },
  );
});
