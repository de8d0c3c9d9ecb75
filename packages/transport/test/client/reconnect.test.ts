/**
 * Reconnecting: jittered backoff that follows its formula, resume with `cleanStart: false`, the
 * re-join of rooms, the server's `reconnectAfterMs`, the reasons that end the client for good,
 * `maxAttempts`, and what happens to requests in flight when a connection drops.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientClosed,
  ConnectionLost,
  REASON,
  backoffDelay,
  connect,
  type Client,
  type ClientOptions,
  type ReasonCode,
} from '../../src/client/node.js';
import { startTcpServer, type FakeConnection, type FakeServer } from './support/fake-server.js';
import { nextEvent, record, scriptedRandom, trackedTimers } from './support/observe.js';

const policy = { initialDelayMs: 20, maxDelayMs: 80, factor: 2, jitter: 0.5 };

describe('reconnect', () => {
  let server: FakeServer;
  let client: Client | undefined;

  beforeEach(async () => {
    server = await startTcpServer();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.close();
  });

  function start(options: Partial<ClientOptions> = {}): Client {
    client = connect(server.url, { clientId: 'alice', reconnect: policy, ...options });
    return client;
  }

  it('retries with the backoff formula after drops, and resets it once accepted', async () => {
    // Arrange
    const random = scriptedRandom([0.1, 0.9, 0.5, 0.3]);
    const timers = trackedTimers();
    const c = start({ random, timers });
    const log = record(c);
    const first = await server.nextConnection();
    await first.accept();
    await c.connected();

    // Act: the server drops the connection, then refuses three attempts before CONNACK.
    first.drop();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const { delayMs } = await nextEvent(c, 'reconnecting');
      delays.push(delayMs);
      const next = await server.nextConnection();
      // The attempt was opened by the backoff timer of that delay, which had fired.
      expect(timers.fired.at(-1)).toBe(delayMs);
      if (attempt < 4) next.drop();
      else await next.accept();
    }
    await c.connected();

    // Assert: attempt n waited min(80, 20 × 2^(n−1)) × (1 − 0.5 × r), r the n-th random draw.
    expect(random.drawn).toEqual([0.1, 0.9, 0.5, 0.3]);
    expect(delays).toEqual([
      Math.round(20 * (1 - 0.05)),
      Math.round(40 * (1 - 0.45)),
      Math.round(80 * (1 - 0.25)),
      Math.round(80 * (1 - 0.15)), // capped at maxDelayMs
    ]);
    expect(delays).toEqual(random.drawn.map((r, i) => backoffDelay(i + 1, policy, r)));
    expect(log.filter((e) => e.event === 'reconnecting').map((e) => e.value)).toEqual(
      delays.map((delayMs, i) => ({ attempt: i + 1, delayMs })),
    );
    expect(log.filter((e) => e.event === 'close').map((e) => e.value)).toEqual(
      delays.map(() => ({ willReconnect: true })),
    );

    // The next drop starts again from attempt 1 (the scripted draws start over: r = 0.1).
    server.connections.at(-1)?.drop();
    expect(await nextEvent(c, 'reconnecting')).toEqual({ attempt: 1, delayMs: backoffDelay(1, policy, 0.1) });
  });

  it('resumes with cleanStart: false and re-joins its rooms before sending what waited', async () => {
    const c = start({ cleanStart: true });
    const first = await server.nextConnection();
    expect((await first.accept()).cleanStart).toBe(true);
    const joined = c.join('lobby', 'news');
    const join = await first.next('join');
    first.send({ type: 'ack', id: join.id, reason: REASON.SUCCESS });
    await joined;

    first.drop();
    await nextEvent(c, 'reconnecting');
    expect(c.state).toBe('reconnecting');
    // Made while offline: waits for the next CONNACK.
    const published = c.publish({ room: 'lobby' }, 'back');
    const second = await server.nextConnection();
    const whenConnected = nextEvent(c, 'connected');
    const connect_ = await second.accept({ sessionPresent: true });

    expect(connect_.cleanStart).toBe(false);
    expect(await whenConnected).toEqual({ sessionPresent: true });
    const rejoin = await second.next();
    expect(rejoin).toMatchObject({ type: 'join', rooms: ['lobby', 'news'] });
    const message = await second.next();
    expect(message).toMatchObject({ type: 'message', room: 'lobby', payload: 'back' });
    second.send({ type: 'ack', id: (rejoin as { id: string }).id, reason: REASON.SUCCESS });
    second.send({ type: 'ack', id: (message as { id: string }).id, reason: REASON.SUCCESS });
    expect(await published).toBe(REASON.SUCCESS);
    expect([...c.rooms]).toEqual(['lobby', 'news']);
  });

  it('keeps the requested cleanStart until a connection is accepted', async () => {
    start({ cleanStart: true });
    const first = await server.nextConnection();
    await first.next('connect');
    first.drop(); // before CONNACK: nothing of ours exists on the server to resume
    const second = await server.nextConnection();
    expect((await second.accept()).cleanStart).toBe(true);
  });

  it('drops a room from the re-join set when the server refuses it, and says so', async () => {
    const c = start();
    const first = await server.nextConnection();
    await first.accept();
    const joined = c.join('vip');
    first.send({ type: 'ack', id: (await first.next('join')).id, reason: REASON.SUCCESS });
    await joined;

    first.drop();
    const second = await server.nextConnection();
    await second.accept();
    const rejoin = await second.next('join');
    const error = nextEvent(c, 'error');
    second.send({ type: 'ack', id: rejoin.id, reason: REASON.NOT_AUTHORIZED });

    expect(await error).toMatchObject({ code: 'CLIENT_ERR_REJECTED', reason: REASON.NOT_AUTHORIZED });
    expect(c.rooms.size).toBe(0);
  });

  it('rejects a publish in flight with CLIENT_ERR_CONNECTION_LOST and sends a join in flight again', async () => {
    const c = start();
    const first = await server.nextConnection();
    await first.accept();
    const published = c.publish({ room: 'lobby' }, 'maybe').catch((e: unknown) => e);
    const joined = c.join('lobby');
    await first.next('message');
    await first.next('join');

    first.drop();
    expect(ConnectionLost.is(await published)).toBe(true);
    const second = await server.nextConnection();
    await second.accept();
    const join = await second.next('join');
    expect(join.rooms).toEqual(['lobby']);
    second.send({ type: 'ack', id: join.id, reason: REASON.SUCCESS });
    await joined;
    expect([...c.rooms]).toEqual(['lobby']);
  });

  it('waits at least the reconnectAfterMs of a DISCONNECT, plus jitter', async () => {
    const random = scriptedRandom([0.5]);
    const timers = trackedTimers();
    const c = start({ random, timers });
    const first = await server.nextConnection();
    await first.accept();
    const disconnect = nextEvent(c, 'disconnect');
    const close = nextEvent(c, 'close');
    const reconnecting = nextEvent(c, 'reconnecting');

    first.send({ type: 'disconnect', reason: REASON.SERVER_SHUTTING_DOWN, reconnectAfterMs: 150 });

    expect(await disconnect).toEqual({
      type: 'disconnect',
      reason: REASON.SERVER_SHUTTING_DOWN,
      reconnectAfterMs: 150,
    });
    expect(await close).toEqual({ reason: REASON.SERVER_SHUTTING_DOWN, willReconnect: true });
    const { delayMs } = await reconnecting;
    expect(delayMs).toBe(Math.round(150 * (1 + 0.5 * 0.5)));
    await server.nextConnection();
    expect(timers.fired.at(-1)).toBe(delayMs);
  });

  describe.each([
    { name: 'SESSION_TAKEN_OVER', reason: REASON.SESSION_TAKEN_OVER },
    { name: 'KICKED', reason: REASON.KICKED },
    { name: 'NOT_AUTHORIZED', reason: REASON.NOT_AUTHORIZED },
    { name: 'DISCARDED', reason: REASON.DISCARDED },
  ])('after $name', ({ reason }) => {
    it('closes for good when the server sends DISCONNECT with it', async () => {
      await expectFinal(reason, (conn) => conn.send({ type: 'disconnect', reason }), true);
    });
  });

  describe.each([
    { name: 'NOT_AUTHORIZED', reason: REASON.NOT_AUTHORIZED },
    { name: 'UNSUPPORTED_VERSION', reason: REASON.UNSUPPORTED_VERSION },
    { name: 'INVALID_CLIENT_ID', reason: REASON.INVALID_CLIENT_ID },
    { name: 'DUPLICATE_CLIENT_ID', reason: REASON.DUPLICATE_CLIENT_ID },
  ])('a CONNACK with $name', ({ reason }) => {
    it('closes the client for good', async () => {
      await expectFinal(
        reason,
        (conn) => conn.send({ type: 'connack', sessionPresent: false, reason }),
        false,
      );
    });
  });

  /** The client ends for good: no timer left, no new connection, pending requests rejected. */
  async function expectFinal(
    reason: ReasonCode,
    end: (conn: FakeConnection) => void,
    acceptFirst: boolean,
  ): Promise<void> {
    const timers = trackedTimers();
    const c = start({ timers });
    const log = record(c);
    const waiting = c.connected().catch((e: unknown) => e);
    const conn = await server.nextConnection();
    if (acceptFirst) await conn.accept();
    else await conn.next('connect');
    const queued = c.join('lobby').catch((e: unknown) => e);
    const close = nextEvent(c, 'close');

    end(conn);

    expect(await close).toEqual({ reason, willReconnect: false });
    expect(c.state).toBe('closed');
    await conn.whenClosed();
    const error = await queued;
    expect(ClientClosed.is(error)).toBe(true);
    expect(error).toMatchObject({ reason });
    if (!acceptFirst) {
      expect(ClientClosed.is(await waiting)).toBe(true);
      expect(log.find((e) => e.event === 'error')?.value).toMatchObject({
        code: 'CLIENT_ERR_REFUSED',
        reason,
      });
    }
    expect(log.some((e) => e.event === 'reconnecting')).toBe(false);
    expect(timers.pending()).toBe(0);
    expect(server.connections).toHaveLength(1);
  }

  it.each([
    { name: 'SERVER_SHUTTING_DOWN', reason: REASON.SERVER_SHUTTING_DOWN },
    { name: 'SERVER_BUSY', reason: REASON.SERVER_BUSY },
    { name: 'IDLE_TIMEOUT', reason: REASON.IDLE_TIMEOUT },
    { name: 'CONNECT_TIMEOUT', reason: REASON.CONNECT_TIMEOUT },
    { name: 'CONNECTION_RATE_EXCEEDED', reason: REASON.CONNECTION_RATE_EXCEEDED },
  ])('reconnects after a DISCONNECT with $name', async ({ reason }) => {
    start();
    const first = await server.nextConnection();
    await first.accept();
    first.send({ type: 'disconnect', reason });
    const second = await server.nextConnection();
    expect((await second.accept()).cleanStart).toBe(false);
  });

  it('reconnects after a CONNACK with SERVER_BUSY', async () => {
    const c = start();
    const first = await server.nextConnection();
    const error = nextEvent(c, 'error');
    await first.accept({ reason: REASON.SERVER_BUSY });
    expect(await error).toMatchObject({ code: 'CLIENT_ERR_REFUSED', reason: REASON.SERVER_BUSY });
    const second = await server.nextConnection();
    await second.accept();
    await c.connected();
  });

  it('gives up after maxAttempts failed attempts', async () => {
    const timers = trackedTimers();
    const c = start({ reconnect: { ...policy, initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 }, timers });
    const log = record(c);
    const waiting = c.connected().catch((e: unknown) => e);
    await server.close(); // nothing listens any more: every attempt is refused

    const error = await waiting;
    expect(ClientClosed.is(error)).toBe(true);
    expect((error as Error).message).toContain('gave up after 2 reconnect attempts');
    expect(log.filter((e) => e.event === 'reconnecting').map((e) => e.value.attempt)).toEqual([1, 2]);
    expect(log.filter((e) => e.event === 'error').map((e) => e.value.code)).toEqual([
      'CLIENT_ERR_TRANSPORT',
      'CLIENT_ERR_TRANSPORT',
      'CLIENT_ERR_TRANSPORT',
    ]);
    expect(log.at(-1)).toEqual({ event: 'close', value: { willReconnect: false } });
    expect(timers.pending()).toBe(0);
  });

  it('does not reconnect with reconnect: false', async () => {
    const c = start({ reconnect: false });
    const first = await server.nextConnection();
    await first.accept();
    const close = nextEvent(c, 'close');
    first.drop();
    expect(await close).toEqual({ willReconnect: false });
    expect(c.state).toBe('closed');
  });

  it('close() during the backoff wait ends at once and cancels the attempt', async () => {
    const timers = trackedTimers();
    const c = start({ reconnect: { ...policy, initialDelayMs: 60_000, maxDelayMs: 60_000 }, timers });
    const first = await server.nextConnection();
    await first.accept();
    const queued = nextEvent(c, 'reconnecting');
    first.drop();
    await queued;
    const pending = c.publish({ room: 'lobby' }, 'never').catch((e: unknown) => e);

    await c.close();

    expect(c.state).toBe('closed');
    expect(ClientClosed.is(await pending)).toBe(true);
    expect(timers.pending()).toBe(0);
  });
});
