/** Frames a client sends before its session is open: kept in order, bounded by maxFramesWhileOpening. */
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

/** An authenticate hook that holds every CONNECT until `release()`. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  let waiting = 0;
  return {
    authenticate: async () => {
      waiting++;
      await opened;
      return true;
    },
    release: () => release(),
    get waiting() {
      return waiting;
    },
  };
}

describe('frames while the session opens', () => {
  it('are handled after CONNACK, in the order they were sent', async () => {
    const g = gate();
    const w = (world = await serverWorld({ hooks: { authenticate: g.authenticate } }));
    const c = await rawClient(w.tcpUrl);
    clients.push(c);
    c.send({ type: 'connect', version: 1, clientId: 'eager', cleanStart: true, sessionExpiryMs: null });
    for (let i = 0; i < 5; i++) c.send({ type: 'join', id: `j${i}`, rooms: [`r${i}`] });
    await until(() => g.waiting === 1);
    expect(c.frames).toEqual([]);
    g.release();
    await c.next((f) => f.type === 'ack' && f.id === 'j4');
    const order = c.frames.map((f: Frame) => (f.type === 'ack' ? f.id : f.type));
    expect(order).toEqual(['connack', 'j0', 'j1', 'j2', 'j3', 'j4']);
    expect(
      c.frames.filter((f): f is AckFrame => f.type === 'ack').every((a) => a.reason === REASON.SUCCESS),
    ).toBe(true);
    expect(w.server.connectionInfo('eager')?.rooms).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('beyond limits.maxFramesWhileOpening the connection is closed with SERVER_BUSY', async () => {
    const g = gate();
    const w = (world = await serverWorld({
      hooks: { authenticate: g.authenticate },
      limits: { maxFramesWhileOpening: 3 },
    }));
    const c = await rawClient(w.tcpUrl);
    clients.push(c);
    c.send({ type: 'connect', version: 1, clientId: 'flood', cleanStart: true, sessionExpiryMs: null });
    for (let i = 0; i < 4; i++) c.send({ type: 'message', id: `m${i}`, target: 'x', payload: i });
    expect(await c.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.SERVER_BUSY,
    });
    g.release();
    await c.closed;
    // The held open finds the socket gone: nothing stays registered.
    await until(() => w.cm.connectedClientCount() === 0 && w.server.stats().sockets.count === 0);
  });

  it('counts bytes and frames both ways', async () => {
    const w = (world = await serverWorld());
    const c = await rawClient(w.wsUrl);
    clients.push(c);
    await c.connect('counted');
    c.send({ type: 'ping' });
    await c.next((f) => f.type === 'pong');
    const info = w.server.connectionInfo('counted');
    expect(info?.framesIn).toBe(2);
    expect(info?.framesOut).toBe(2);
    expect(info?.bytesIn).toBeGreaterThan(0);
    expect(info?.bytesOut).toBeGreaterThan(0);
    const stats = w.server.stats();
    expect(stats.counters.framesIn).toBe(2);
    expect(stats.counters.bytesIn).toBe(info?.bytesIn);
  });
});
