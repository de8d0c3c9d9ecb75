import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { AckFrame, ConnackFrame, DisconnectFrame, Frame, MessageFrame } from '@switchboard/protocol';
import { rawClient, until } from './support/raw-client.js';
import type { RawClient } from './support/raw-client.js';
import type { ConnectionContext } from '../src/connection-context.js';
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
const isAck = (id: string) => (f: Frame) => f.type === 'ack' && f.id === id;

describe.each(['tcp', 'ws'] as const)('over %s', (kind) => {
  const urlOf = (w: ServerWorld) => (kind === 'tcp' ? w.tcpUrl : w.wsUrl);

  it('CONNECT → CONNACK, registers the client, and a close empties the tables', async () => {
    const w = await start();
    const c = await client(urlOf(w));
    const connack = (await c.connect('alice')) as ConnackFrame;
    expect(connack).toMatchObject({ type: 'connack', sessionPresent: false, reason: REASON.SUCCESS });
    expect(w.cm.connectedClientCount()).toBe(1);
    expect(w.server.stats().connections.count).toBe(1);
    expect(w.server.connectionInfo('alice')).toMatchObject({
      clientId: 'alice',
      transport: kind,
      phase: 'open',
    });
    c.end();
    await c.closed;
    await until(() => w.cm.connectedClientCount() === 0 && w.server.stats().sockets.count === 0);
    expect(w.invariants()).toEqual([]);
  });

  it('answers PING with PONG and routes a targeted message through the channel manager', async () => {
    const w = await start();
    const a = await client(urlOf(w));
    const b = await client(urlOf(w));
    await a.connect('a');
    await b.connect('b');
    a.send({ type: 'ping' });
    await a.next((f) => f.type === 'pong');
    a.send({ type: 'message', id: 'm1', target: 'b', payload: { text: 'hi' } });
    expect(await a.next<AckFrame>(isAck('m1'))).toMatchObject({ reason: REASON.SUCCESS });
    const got = await b.next<MessageFrame>((f) => f.type === 'message');
    expect(got).toMatchObject({ id: 'm1', from: 'a', payload: { text: 'hi' } });
    a.send({ type: 'message', id: 'm2', target: 'nobody', payload: 1 });
    expect(await a.next<AckFrame>(isAck('m2'))).toMatchObject({ reason: REASON.NO_MATCHING_TARGET });
  });

  it('rooms: join, broadcast to the other members, leave', async () => {
    const w = await start();
    const [a, b, c] = [await client(urlOf(w)), await client(urlOf(w)), await client(urlOf(w))];
    await a.connect('a');
    await b.connect('b');
    await c.connect('c');
    for (const [x, id] of [
      [a, 'j1'],
      [b, 'j2'],
    ] as const) {
      x.send({ type: 'join', id, rooms: ['lobby'] });
      expect(await x.next<AckFrame>(isAck(id))).toMatchObject({ reason: REASON.SUCCESS });
    }
    expect(w.server.roomMembers('lobby').sort()).toEqual(['a', 'b']);
    a.send({ type: 'message', id: 'r1', room: 'lobby', payload: 'hello room' });
    expect(await a.next<AckFrame>(isAck('r1'))).toMatchObject({ reason: REASON.SUCCESS });
    expect(await b.next<MessageFrame>((f) => f.type === 'message')).toMatchObject({
      room: 'lobby',
      from: 'a',
      payload: 'hello room',
    });
    // c is not in the room: it may not publish there, and it received nothing.
    c.send({ type: 'message', id: 'r2', room: 'lobby', payload: 'x' });
    expect(await c.next<AckFrame>(isAck('r2'))).toMatchObject({ reason: REASON.NOT_AUTHORIZED });
    expect(c.messages()).toEqual([]);
    expect(w.server.broadcast('lobby', 'from server')).toBe(2);
    await a.next((f) => f.type === 'message' && f.payload === 'from server');
    b.send({ type: 'leave', id: 'l1', rooms: ['lobby'] });
    await b.next(isAck('l1'));
    expect(w.server.roomMembers('lobby')).toEqual(['a']);
  });

  it('a broadcastAll reaches every open connection with the same bytes', async () => {
    const w = await start();
    const cs = await Promise.all([1, 2, 3].map(() => client(urlOf(w))));
    await Promise.all(cs.map((c, i) => c.connect(`c${i}`)));
    expect(w.server.broadcastAll({ n: 1 }, { id: 'all-1' })).toBe(3);
    for (const c of cs)
      expect(await c.next<MessageFrame>((f) => f.type === 'message')).toMatchObject({
        id: 'all-1',
        payload: { n: 1 },
      });
  });
});

describe('membership and deaths', () => {
  it('removes a dead connection from every room, and refuses a join for it afterwards', async () => {
    const w = await start();
    const a = await client(w.tcpUrl);
    await a.connect('a');
    a.send({ type: 'join', id: 'j', rooms: ['r1', 'r2'] });
    await a.next(isAck('j'));
    const pid = w.server.connectionInfo('a')?.pid;
    expect(pid).toBeDefined();
    await w.cm.kickSession('a');
    expect(await a.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.KICKED,
    });
    await a.closed;
    await until(() => w.server.stats().rooms === 0, 5000, 'rooms emptied');
    expect(w.server.join('a', 'r1')).toBe(0);
    expect(w.server.roomMembers('r1')).toEqual([]);
  });

  it('a crashing handler ends only its own connection (HANDLER_ERROR), others keep working', async () => {
    const w = await start({
      handlers: {
        message: (conn, m) => {
          if (m.payload === 'boom') throw new Error('handler bug');
          conn.send(m.payload);
        },
      },
    });
    const bad = await client(w.tcpUrl);
    const good = await client(w.tcpUrl);
    await bad.connect('bad');
    await good.connect('good');
    bad.send({ type: 'message', id: 'x', target: 'any', payload: 'boom' });
    expect(await bad.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.HANDLER_ERROR,
    });
    await bad.closed;
    good.send({ type: 'message', id: 'y', target: 'any', payload: 'echo' });
    expect(await good.next<MessageFrame>((f) => f.type === 'message')).toMatchObject({ payload: 'echo' });
    expect(await good.next<AckFrame>(isAck('y'))).toMatchObject({ reason: REASON.SUCCESS });
    await until(() => w.server.stats().counters.handlerErrors === 1);
  });

  it('an async handler that rejects ends only its connection', async () => {
    const w = await start({
      handlers: {
        message: async (_c, m) => (m.payload === 'boom' ? Promise.reject(new Error('async bug')) : undefined),
      },
    });
    const bad = await client(w.wsUrl);
    await bad.connect('bad');
    bad.send({ type: 'message', id: 'x', target: 'z', payload: 'boom' });
    expect(await bad.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.HANDLER_ERROR,
    });
  });
});

describe('hooks and authentication', () => {
  it('onConnStart and onConnStop fire once each, with the stop reason', async () => {
    const events: string[] = [];
    const w = await start({
      hooks: {
        onConnStart: (c) => void events.push(`start:${c.clientId}:${c.transport}`),
        onConnStop: (c, reason) => void events.push(`stop:${c.clientId}:${reason}`),
      },
    });
    const a = await client(w.tcpUrl);
    await a.connect('a');
    await until(() => events.length === 1);
    a.send({ type: 'disconnect', reason: REASON.SUCCESS });
    await a.closed;
    await until(() => events.length === 2);
    expect(events).toEqual(['start:a:tcp', 'stop:a:client_disconnect']);
  });

  it('hooks get one context per connection, its methods shared on a prototype and no connection internals', async () => {
    const seen: ConnectionContext[] = [];
    const w = await start({ hooks: { onConnStart: (c) => void seen.push(c) } });
    const a = await client(w.tcpUrl);
    const b = await client(w.tcpUrl);
    await a.connect('a');
    await b.connect('b');
    await until(() => seen.length === 2);
    const [ca, cb] = seen as [ConnectionContext, ConnectionContext];
    expect(Object.getPrototypeOf(ca)).toBe(Object.getPrototypeOf(cb));
    expect(Object.hasOwn(ca, 'send')).toBe(false);
    expect(Object.keys(ca).sort()).toEqual(['clientId', 'clientInfo', 'peer', 'pid', 'transport']);
    expect(ca.join('lobby')).toBe(true);
    expect(ca.rooms()).toEqual(['lobby']);
    expect(w.server.connections().find((c) => c.clientId === 'a')).toBe(ca);
    ca.data.set('k', 1);
    expect(ca.data.get('k')).toBe(1);
    expect(cb.broadcast('lobby', 'hi')).toBe(1);
    const got = await a.next((f) => f.type === 'message');
    expect(got).toMatchObject({ type: 'message', payload: 'hi', room: 'lobby' });
  });

  it('a client that fails authenticate is refused and can never take the session over', async () => {
    const w = await start({
      hooks: { authenticate: ({ credentials }) => credentials === 'secret' },
    });
    const owner = await client(w.tcpUrl);
    expect(await owner.connect('id-1', { credentials: 'secret', cleanStart: false })).toMatchObject({
      type: 'connack',
    });
    const thief = await client(w.tcpUrl);
    expect(await thief.connect('id-1', { credentials: 'guess', cleanStart: false })).toMatchObject({
      type: 'disconnect',
      reason: REASON.NOT_AUTHORIZED,
    });
    await thief.closed;
    expect(owner.isClosed).toBe(false);
    expect(w.cm.connectedClientCount()).toBe(1);
    expect(w.server.stats().counters.refused.auth).toBe(1);
  });

  it('refuses an unknown protocol version', async () => {
    const w = await start();
    const c = await client(w.tcpUrl);
    c.send({ type: 'connect', version: 99, clientId: 'v', cleanStart: true, sessionExpiryMs: null });
    expect(await c.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.UNSUPPORTED_VERSION,
    });
  });

  it('a frame before CONNECT is a protocol error', async () => {
    const w = await start();
    const c = await client(w.tcpUrl);
    c.send({ type: 'join', id: 'j', rooms: ['r'] });
    expect(await c.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
      reason: REASON.PROTOCOL_ERROR,
    });
  });
});

describe('the socket level', () => {
  it.each(['tcp', 'ws'] as const)('over %s, the peer is the client socket address and port', async (kind) => {
    const starts: ConnectionContext[] = [];
    const w = await start({ hooks: { onConnStart: (c) => void starts.push(c) } });
    const c = await client(kind === 'tcp' ? w.tcpUrl : w.wsUrl);
    await c.connect('peer-1');
    await until(() => starts.length === 1);
    const peer = w.server.connectionInfo('peer-1')?.peer;
    expect(peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(starts[0]?.peer).toBe(peer);
  });

  it('a WebSocket ping is answered with a pong carrying its data', async () => {
    const w = await start();
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(w.wsUrl);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
      ws.ping(Buffer.from('are you there'));
      expect((await pong).toString()).toBe('are you there');
    } finally {
      ws.terminate();
    }
  });
});
