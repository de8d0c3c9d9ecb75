/**
 * The client against a scripted fake server over real sockets, the same cases over TCP and over
 * WebSocket: CONNECT and CONNACK, publish/join/leave and their ACKs, messages in order, PING,
 * close().
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '@switchboard/protocol';
import {
  ClientClosed,
  REASON,
  RequestRejected,
  connect,
  type Client,
  type ClientOptions,
} from '../../src/client/node.js';
import {
  startTcpServer,
  startWsServer,
  type FakeConnection,
  type FakeServer,
} from './support/fake-server.js';
import { nextEvent, record, trackedTimers } from './support/observe.js';

describe.each([
  { transport: 'tcp', start: startTcpServer },
  { transport: 'ws', start: startWsServer },
])('client over $transport', ({ start }) => {
  let server: FakeServer;
  let client: Client | undefined;

  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.close();
  });

  async function connected(
    options: Partial<ClientOptions> = {},
  ): Promise<{ client: Client; conn: FakeConnection }> {
    client = connect(server.url, { clientId: 'alice', ...options });
    const conn = await server.nextConnection();
    await conn.accept();
    await client.connected();
    return { client, conn };
  }

  it('sends CONNECT with the options and reports CONNACK', async () => {
    client = connect(server.url, {
      clientId: 'alice',
      credentials: { token: 't0k' },
      sessionExpiryMs: 60_000,
    });
    expect(client.state).toBe('connecting');
    const conn = await server.nextConnection();
    const whenConnected = nextEvent(client, 'connected');
    const connect_ = await conn.accept({ sessionPresent: true });

    expect(connect_).toEqual({
      type: 'connect',
      version: 1,
      clientId: 'alice',
      cleanStart: true,
      sessionExpiryMs: 60_000,
      credentials: { token: 't0k' },
    });
    expect(await whenConnected).toEqual({ sessionPresent: true });
    expect(client.state).toBe('connected');
    expect(await client.connected()).toEqual({ sessionPresent: true });
  });

  it('sends null session expiry and no credentials by default', async () => {
    client = connect(server.url, { clientId: 'bob', cleanStart: false });
    const conn = await server.nextConnection();
    expect(await conn.accept()).toEqual({
      type: 'connect',
      version: 1,
      clientId: 'bob',
      cleanStart: false,
      sessionExpiryMs: null,
    });
  });

  it('publishes to a room and resolves with the ACK reason', async () => {
    const { client, conn } = await connected();

    const published = client.publish({ room: 'lobby' }, { text: 'hi', n: [1, 2] });
    const message = await conn.next('message');
    expect(message).toEqual({
      type: 'message',
      id: 'alice-1',
      room: 'lobby',
      payload: { text: 'hi', n: [1, 2] },
    });
    conn.send({ type: 'ack', id: message.id, reason: REASON.SUCCESS });

    expect(await published).toBe(REASON.SUCCESS);
  });

  it('publishes to a target with a given id, and resolves with NO_MATCHING_TARGET', async () => {
    const { client, conn } = await connected();

    const published = client.publish({ target: 'bob' }, new Uint8Array([1, 2, 3]), { id: 'm-42' });
    const message = await conn.next('message');
    expect(message).toEqual({
      type: 'message',
      id: 'm-42',
      target: 'bob',
      payload: new Uint8Array([1, 2, 3]),
    });
    conn.send({ type: 'ack', id: 'm-42', reason: REASON.NO_MATCHING_TARGET });

    expect(await published).toBe(REASON.NO_MATCHING_TARGET);
  });

  it('rejects a publish the server refuses with CLIENT_ERR_REJECTED and the reason', async () => {
    const { client, conn } = await connected();

    const published = client.publish({ room: 'vip' }, 'x');
    const { id } = await conn.next('message');
    conn.send({ type: 'ack', id, reason: REASON.NOT_AUTHORIZED });

    const error: unknown = await published.catch((e: unknown) => e);
    expect(RequestRejected.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CLIENT_ERR_REJECTED', reason: REASON.NOT_AUTHORIZED });
  });

  it('matches ACKs to requests by id, whatever their order', async () => {
    const { client, conn } = await connected();

    const first = client.publish({ room: 'a' }, 1);
    const second = client.publish({ room: 'a' }, 2);
    const m1 = await conn.next('message');
    const m2 = await conn.next('message');
    conn.send({ type: 'ack', id: m2.id, reason: REASON.NO_MATCHING_TARGET });
    conn.send({ type: 'ack', id: m1.id, reason: REASON.SUCCESS });

    expect(await Promise.all([first, second])).toEqual([REASON.SUCCESS, REASON.NO_MATCHING_TARGET]);
    expect(m1.id).not.toBe(m2.id);
  });

  it('joins and leaves rooms on the server ACK', async () => {
    const { client, conn } = await connected();

    const joined = client.join('lobby', 'news');
    const join = await conn.next('join');
    expect(join.rooms).toEqual(['lobby', 'news']);
    expect(client.rooms.size).toBe(0); // not before the ACK
    conn.send({ type: 'ack', id: join.id, reason: REASON.SUCCESS });
    await joined;
    expect([...client.rooms]).toEqual(['lobby', 'news']);

    const left = client.leave('news');
    const leave = await conn.next('leave');
    expect(leave.rooms).toEqual(['news']);
    conn.send({ type: 'ack', id: leave.id, reason: REASON.SUCCESS });
    await left;
    expect([...client.rooms]).toEqual(['lobby']);
  });

  it('rejects a join the server refuses and does not count the room as joined', async () => {
    const { client, conn } = await connected();

    const joined = client.join('admins');
    const join = await conn.next('join');
    conn.send({ type: 'ack', id: join.id, reason: REASON.NOT_AUTHORIZED });

    await expect(joined).rejects.toMatchObject({
      code: 'CLIENT_ERR_REJECTED',
      reason: REASON.NOT_AUTHORIZED,
    });
    expect(client.rooms.size).toBe(0);
  });

  it('emits messages in arrival order, the pendings sent with CONNACK included', async () => {
    client = connect(server.url, { clientId: 'alice' });
    const log = record(client);
    const conn = await server.nextConnection();
    await conn.next('connect');
    const frames = [
      encodeFrame({ type: 'connack', sessionPresent: true, reason: REASON.SUCCESS }),
      ...[1, 2, 3].map((n) =>
        encodeFrame({ type: 'message', id: `p${n}`, from: 'bob', target: 'alice', payload: n }),
      ),
    ];
    // The CONNACK and the pendings in one write, as the server sends them.
    conn.sendBytes(Buffer.concat(frames));
    for (const n of [4, 5]) conn.send({ type: 'message', id: `m${n}`, room: 'lobby', payload: n });

    await waitUntil(() => log.filter((e) => e.event === 'message').length === 5);
    expect(log.map((e) => (e.event === 'message' ? e.value.payload : e.event))).toEqual([
      'connected',
      1,
      2,
      3,
      4,
      5,
    ]);
    expect(log[1]).toEqual({
      event: 'message',
      value: { type: 'message', id: 'p1', target: 'alice', from: 'bob', payload: 1 },
    });
  });

  it('answers PING with PONG', async () => {
    const { conn } = await connected();
    conn.send({ type: 'ping' });
    expect(await conn.next('pong')).toEqual({ type: 'pong' });
    conn.send({ type: 'ping' });
    expect(await conn.next('pong')).toEqual({ type: 'pong' });
  });

  it('close() sends DISCONNECT, closes the socket, and leaves nothing running', async () => {
    const timers = trackedTimers();
    const { client: c, conn } = await connected({ timers });
    const log = record(c);
    const unanswered = c.publish({ room: 'lobby' }, 'late').catch((e: unknown) => e);
    await conn.next('message');

    await c.close();

    expect(await conn.next('disconnect')).toEqual({ type: 'disconnect', reason: REASON.SUCCESS });
    await conn.whenClosed();
    expect(c.state).toBe('closed');
    expect(log).toEqual([{ event: 'close', value: { reason: REASON.SUCCESS, willReconnect: false } }]);
    expect(ClientClosed.is(await unanswered)).toBe(true);
    await expect(c.publish({ room: 'lobby' }, 'after')).rejects.toSatisfy((e) => ClientClosed.is(e));
    await expect(c.connected()).rejects.toSatisfy((e) => ClientClosed.is(e));
    expect(timers.pending()).toBe(0);
    expect(server.connections).toHaveLength(1);
    await c.close(); // idempotent
  });
});

/** Waits until `condition` holds (bounded; polls on the event loop, never a fixed sleep). */
async function waitUntil(condition: () => boolean): Promise<void> {
  const { vi } = await import('vitest');
  await vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  });
}
