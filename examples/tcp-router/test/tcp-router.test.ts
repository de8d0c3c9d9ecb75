/**
 * The tcp-router end to end: started on port 0, driven over real TCP sockets with the protocol
 * codec. Routing by message type, replies through the outbound queue, the connection limit, the
 * start/stop hooks, rooms, and a crashing handler that ends only its own connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { DisconnectFrame, Frame } from '@switchboard/protocol';
import { MSG, startTcpRouter } from '../src/app.js';
import type { RouterEvent, TcpRouterApp, TcpRouterOptions } from '../src/app.js';
import { connectRouter } from '../src/client.js';
import type { RouterClient } from '../src/client.js';
import { Router, isRoutedPayload } from '../src/router.js';

let app: TcpRouterApp | undefined;
const clients: RouterClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await app?.stop();
  app = undefined;
});

async function start(options: TcpRouterOptions = {}) {
  app = await startTcpRouter({ port: 0, ...options });
  return app;
}
async function client(url: string, clientId?: string) {
  const c = await connectRouter(url);
  clients.push(c);
  if (clientId !== undefined) expect(await c.hello(clientId)).toMatchObject({ type: 'connack' });
  return c;
}
const routedOf = (type: number) => (f: Frame) =>
  f.type === 'message' && isRoutedPayload(f.payload) && f.payload.type === type;
/** Waits up to 5 s for `condition`, checking on every event-loop turn. */
async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('tcp-router', () => {
  it('listens on a tcp:// URL and welcomes each client (onConnStart)', async () => {
    const a = await start();
    expect(a.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const c = await client(a.url, 'alice');
    const welcome = await c.next(routedOf(MSG.WELCOME));
    expect(welcome).toMatchObject({ payload: { type: MSG.WELCOME, body: { clientId: 'alice', online: 1 } } });
  });

  it('routes each message type to its handler and ACKs it', async () => {
    const a = await start();
    const c = await client(a.url, 'alice');
    expect(await c.request(MSG.PING)).toMatchObject({ reason: REASON.SUCCESS });
    expect(await c.request(MSG.ECHO, { n: [1, 2, 3] })).toMatchObject({ reason: REASON.SUCCESS });
    expect(await c.request(MSG.WHO)).toMatchObject({ reason: REASON.SUCCESS });
    expect(c.routed().filter((p) => p.type !== MSG.WELCOME)).toEqual([
      { type: MSG.PING, body: 'pong' },
      { type: MSG.ECHO, body: { n: [1, 2, 3] } },
      { type: MSG.WHO, body: { online: 1 } },
    ]);
  });

  it('ACKs an unknown type with NO_MATCHING_TARGET and a payload without a type with PROTOCOL_ERROR', async () => {
    const a = await start();
    const c = await client(a.url, 'alice');
    expect(await c.request(99, 'anyone?')).toMatchObject({ reason: REASON.NO_MATCHING_TARGET });
    expect(await c.request(-1)).toMatchObject({ reason: REASON.PROTOCOL_ERROR });
    // Still connected: the next request is answered.
    expect(await c.request(MSG.PING)).toMatchObject({ reason: REASON.SUCCESS });
  });

  it('rooms: SAY reaches the other members of the room, not the sender, not outsiders', async () => {
    const a = await start();
    const [ann, bob, cat] = [
      await client(a.url, 'ann'),
      await client(a.url, 'bob'),
      await client(a.url, 'cat'),
    ];
    expect(await ann.request(MSG.JOIN, 'den')).toMatchObject({ reason: REASON.SUCCESS });
    expect(await bob.request(MSG.JOIN, 'den')).toMatchObject({ reason: REASON.SUCCESS });
    expect(await ann.request(MSG.SAY, { room: 'den', text: 'hi' })).toMatchObject({ reason: REASON.SUCCESS });
    const heard = await bob.next(routedOf(MSG.SAY));
    expect(heard).toMatchObject({
      room: 'den',
      payload: { type: MSG.SAY, body: { from: 'ann', text: 'hi' } },
    });
    // cat is not in the room: it may not speak there, and heard nothing.
    expect(await cat.request(MSG.SAY, { room: 'den', text: 'psst' })).toMatchObject({
      reason: REASON.NOT_AUTHORIZED,
    });
    expect(cat.routed().filter((p) => p.type === MSG.SAY)).toEqual([]);
    expect(ann.routed().filter((p) => p.type === MSG.SAY)).toEqual([]);
  });

  it('refuses the client past maxConnections with SERVER_BUSY, and admits one once a place frees', async () => {
    const a = await start({ maxConnections: 2 });
    const first = await client(a.url, 'one');
    await client(a.url, 'two');
    const third = await client(a.url);
    expect(await third.hello('three')).toMatchObject({ type: 'disconnect', reason: REASON.SERVER_BUSY });
    await third.closed;
    first.bye();
    await first.closed;
    await until(() => a.server.stats().connections.count === 1, 'a place to free');
    const fourth = await client(a.url);
    expect(await fourth.hello('four')).toMatchObject({ type: 'connack' });
  });

  it('fires onConnStop once per started connection, with the reason and its duration', async () => {
    const events: RouterEvent[] = [];
    const a = await start({ onEvent: (e) => events.push(e) });
    const c = await client(a.url, 'alice');
    c.bye();
    await c.closed;
    await until(() => events.length === 2, 'the stop event');
    expect(events[0]).toMatchObject({ type: 'conn.started', clientId: 'alice' });
    expect(events[1]).toMatchObject({ type: 'conn.stopped', clientId: 'alice', reason: 'client_disconnect' });
    expect((events[1] as { connectedMs: number }).connectedMs).toBeGreaterThanOrEqual(0);
  });

  it('a handler that throws ends only its own connection (HANDLER_ERROR)', async () => {
    const a = await start();
    a.router.add(66, () => {
      throw new Error('route bug');
    });
    const bad = await client(a.url, 'bad');
    const good = await client(a.url, 'good');
    void bad.request(66).catch(() => undefined); // no ACK comes: the connection ends first
    expect(await bad.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.HANDLER_ERROR,
    });
    await bad.closed;
    expect(await good.request(MSG.PING)).toMatchObject({ reason: REASON.SUCCESS });
  });
});

describe('Router', () => {
  it('refuses a type that is not a non-negative integer, or that already has a handler', () => {
    const router = new Router().add(1, () => undefined);
    expect(() => router.add(1, () => undefined)).toThrow(TypeError);
    expect(() => router.add(-1, () => undefined)).toThrow(TypeError);
    expect(() => router.add(1.5, () => undefined)).toThrow(TypeError);
    expect(router.types()).toEqual([1]);
  });
});
