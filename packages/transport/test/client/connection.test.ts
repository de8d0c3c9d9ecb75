/**
 * The edges of one connection: a server that never answers CONNECT, frames split byte by byte,
 * several frames in one WebSocket message, bytes that break the protocol, frames out of place, a
 * silent server, and the bound on requests made while offline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REASON, encodeFrame } from '@switchboard/protocol';
import { createDeterministicScheduler } from '@switchboard/runtime';
import { OfflineQueueFull, connect, type Client } from '../../src/client/node.js';
import { startTcpServer, startWsServer, type FakeServer } from './support/fake-server.js';
import { manualTimers, nextEvent, record } from './support/observe.js';

const fastRetry = { initialDelayMs: 1, maxDelayMs: 1 };

describe('a connection', () => {
  let server: FakeServer | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server?.close();
    server = undefined;
  });

  async function tcp(): Promise<FakeServer> {
    server = await startTcpServer();
    return server;
  }

  it('is closed and retried when no CONNACK comes within connectTimeoutMs', async () => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice', connectTimeoutMs: 50, reconnect: fastRetry });
    const error = nextEvent(client, 'error');
    const first = await s.nextConnection();
    await first.next('connect');

    expect(await error).toMatchObject({ code: 'CLIENT_ERR_CONNECT_TIMEOUT' });
    await first.whenClosed();
    const second = await s.nextConnection();
    await second.accept();
    await client.connected();
  });

  it("takes the runtime's deterministic scheduler as its timers", async () => {
    const s = await tcp();
    const sched = createDeterministicScheduler({ auto: false });
    client = connect(s.url, { clientId: 'alice', connectTimeoutMs: 1000, reconnect: false, timers: sched });
    const log = record(client);
    const conn = await s.nextConnection();
    await conn.next('connect');

    sched.advance(999);
    expect(log).toEqual([]);
    const error = nextEvent(client, 'error');
    sched.advance(1);

    expect(await error).toMatchObject({
      code: 'CLIENT_ERR_CONNECT_TIMEOUT',
      message: 'no CONNACK within 1000 ms',
    });
    await conn.whenClosed();
  });

  it('reads frames the server writes one byte at a time', async () => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice' });
    const log = record(client);
    const conn = await s.nextConnection();
    await conn.next('connect');

    await conn.sendByteByByte({
      type: 'connack',
      sessionPresent: true,
      reason: REASON.SUCCESS,
      pingIntervalMs: 30_000,
    });
    await conn.sendByteByByte({
      type: 'message',
      id: 'm1',
      room: 'lobby',
      from: 'bob',
      payload: { text: 'héllo' },
    });

    await client.connected();
    expect(log).toEqual([
      { event: 'connected', value: { sessionPresent: true } },
      {
        event: 'message',
        value: { type: 'message', id: 'm1', room: 'lobby', from: 'bob', payload: { text: 'héllo' } },
      },
    ]);
  });

  it('reads several frames from one WebSocket message', async () => {
    server = await startWsServer();
    client = connect(server.url, { clientId: 'alice' });
    const log = record(client);
    const conn = await server.nextConnection();
    await conn.next('connect');

    conn.sendBytes(
      Buffer.concat([
        encodeFrame({ type: 'connack', sessionPresent: false, reason: REASON.SUCCESS }),
        encodeFrame({ type: 'message', id: 'a', room: 'r', payload: 1 }),
        encodeFrame({ type: 'ping' }),
        encodeFrame({ type: 'message', id: 'b', room: 'r', payload: 2 }),
      ]),
    );

    expect(await conn.next('pong')).toEqual({ type: 'pong' });
    expect(log.map((e) => e.event)).toEqual(['connected', 'message', 'message']);
  });

  it('answers undecodable bytes with DISCONNECT, reports CLIENT_ERR_PROTOCOL and reconnects', async () => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice', reconnect: fastRetry });
    const first = await s.nextConnection();
    await first.accept();
    await client.connected();
    const error = nextEvent(client, 'error');
    const close = nextEvent(client, 'close');

    first.sendBytes(new Uint8Array([0, 0, 0, 0])); // a frame of length 0 is malformed

    expect(await error).toMatchObject({ code: 'CLIENT_ERR_PROTOCOL' });
    expect(await first.next('disconnect')).toEqual({ type: 'disconnect', reason: REASON.MALFORMED_FRAME });
    expect(await close).toEqual({ reason: REASON.MALFORMED_FRAME, willReconnect: true });
    await first.whenClosed();
    const second = await s.nextConnection();
    expect((await second.accept()).cleanStart).toBe(false);
  });

  it('refuses a frame larger than maxFrameBytes from its length header', async () => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice', maxFrameBytes: 64, reconnect: false });
    const conn = await s.nextConnection();
    await conn.accept();
    await client.connected();
    const error = nextEvent(client, 'error');

    // Only the header of a 1 MiB frame: the client must not wait for the body.
    conn.sendBytes(new Uint8Array([0, 0x10, 0, 0]));

    expect(await error).toMatchObject({ code: 'CLIENT_ERR_PROTOCOL' });
    await conn.whenClosed();
  });

  it.each([
    {
      what: 'a MESSAGE before CONNACK',
      frame: { type: 'message', id: 'x', room: 'r', payload: 1 } as const,
      accept: false,
    },
    {
      what: 'a second CONNACK',
      frame: { type: 'connack', sessionPresent: false, reason: REASON.SUCCESS } as const,
      accept: true,
    },
    { what: 'a JOIN from the server', frame: { type: 'join', id: 'x', rooms: ['r'] } as const, accept: true },
  ])('treats $what as a protocol error', async ({ frame, accept }) => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice', reconnect: false });
    const conn = await s.nextConnection();
    if (accept) await conn.accept();
    else await conn.next('connect');
    const error = nextEvent(client, 'error');

    conn.send(frame);

    expect(await error).toMatchObject({ code: 'CLIENT_ERR_PROTOCOL' });
    expect(await conn.next('disconnect')).toEqual({ type: 'disconnect', reason: REASON.PROTOCOL_ERROR });
    await conn.whenClosed();
  });

  it('PINGs after an interval in which it sent nothing, and not while it is busy', async () => {
    const s = await tcp();
    const timers = manualTimers();
    client = connect(s.url, { clientId: 'alice', timers });
    const conn = await s.nextConnection();
    await conn.accept({ pingIntervalMs: 1000 });
    await client.connected();

    timers.advance(1000);
    expect(await conn.next('ping')).toEqual({ type: 'ping' });
    conn.send({ type: 'pong' });
    // A publish in the next interval stands in for the PING.
    const published = client.publish({ room: 'r' }, 1);
    conn.send({ type: 'ack', id: (await conn.next('message')).id, reason: REASON.SUCCESS });
    await published;
    timers.advance(1000);
    timers.advance(1000);
    expect(await conn.next('ping')).toEqual({ type: 'ping' });
    expect(conn.received.filter((f) => f.type === 'ping')).toHaveLength(2);
    expect(client.state).toBe('connected');
  });

  it('presumes a server silent for two ping intervals dead, and reconnects', async () => {
    const s = await tcp();
    const timers = manualTimers();
    client = connect(s.url, { clientId: 'alice', reconnect: fastRetry, timers });
    const log = record(client);
    const first = await s.nextConnection();
    await first.accept({ pingIntervalMs: 1000 });
    await client.connected();

    // A server PING every 1,000 ms keeps the connection; so does one every 1,900 ms (one check in
    // two hears nothing, never two running).
    for (const gap of [1000, 1000, 1000, 1900, 1900, 1900]) {
      timers.advance(gap);
      first.send({ type: 'ping' });
      await first.next('pong');
    }
    timers.advance(1000);
    expect(client.state).toBe('connected');
    expect(log.filter((e) => e.event === 'error')).toEqual([]);

    // Then silence, the client's own PINGs unanswered: two checks running hear nothing.
    const error = nextEvent(client, 'error');
    const reconnecting = nextEvent(client, 'reconnecting');
    timers.advance(2000);
    expect(await error).toMatchObject({
      code: 'CLIENT_ERR_KEEPALIVE_TIMEOUT',
      message: 'no data from the server for 2000 ms',
    });
    await first.whenClosed();
    timers.advance((await reconnecting).delayMs);
    await (await s.nextConnection()).accept();
    await client.connected();
  });

  it('does not watch the server when keepalive is off', async () => {
    const s = await tcp();
    const timers = manualTimers();
    client = connect(s.url, { clientId: 'alice', keepalive: false, timers });
    await (await s.nextConnection()).accept({ pingIntervalMs: 1000 });
    await client.connected();
    expect(timers.pending()).toBe(0);
  });

  it('queues requests while offline up to maxQueuedWhileOffline, then sends them in order', async () => {
    const s = await tcp();
    client = connect(s.url, { clientId: 'alice', maxQueuedWhileOffline: 2 });
    const first = client.publish({ room: 'r' }, 1);
    const second = client.join('r');
    const third = client.publish({ room: 'r' }, 3);
    await expect(third).rejects.toSatisfy((e) => OfflineQueueFull.is(e));

    const conn = await s.nextConnection();
    await conn.accept();
    const sent = [await conn.next(), await conn.next()];
    expect(sent).toMatchObject([
      { type: 'message', payload: 1 },
      { type: 'join', rooms: ['r'] },
    ]);
    for (const frame of sent)
      conn.send({ type: 'ack', id: (frame as { id: string }).id, reason: REASON.SUCCESS });
    expect(await first).toBe(REASON.SUCCESS);
    await second;
    // Online, the bound does not apply.
    const online = [
      client.publish({ room: 'r' }, 4),
      client.publish({ room: 'r' }, 5),
      client.publish({ room: 'r' }, 6),
    ];
    for (let i = 0; i < 3; i++)
      conn.send({ type: 'ack', id: (await conn.next('message')).id, reason: REASON.SUCCESS });
    expect(await Promise.all(online)).toEqual([REASON.SUCCESS, REASON.SUCCESS, REASON.SUCCESS]);
  });

  it('reports a refused TCP connection as CLIENT_ERR_TRANSPORT', async () => {
    const s = await tcp();
    const url = s.url;
    await s.close();
    server = undefined;
    client = connect(url, { clientId: 'alice', reconnect: false });
    const error = nextEvent(client, 'error');
    expect(await error).toMatchObject({ code: 'CLIENT_ERR_TRANSPORT' });
    expect((await error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
