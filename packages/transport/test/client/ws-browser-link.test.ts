/**
 * The browser link, driven here by `ws`'s WebSocket class (it has the browser's interface:
 * `binaryType = 'arraybuffer'`, `onopen`/`onmessage`/`onerror`/`onclose`), against the fake
 * WebSocket server; and the browser `connect`, which takes only ws:// and wss:// URLs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  REASON,
  connect as browserConnect,
  createClient,
  createWsBrowserLink,
  type BrowserWebSocketConstructor,
  type Client,
} from '../../src/client/browser.js';
import { startWsServer, type FakeServer } from './support/fake-server.js';
import { nextEvent, record } from './support/observe.js';

const AsBrowserWebSocket = WebSocket as unknown as BrowserWebSocketConstructor;

describe('the browser WebSocket link', () => {
  let server: FakeServer;
  let client: Client | undefined;

  beforeEach(async () => {
    server = await startWsServer();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.close();
  });

  it('connects, exchanges frames as ArrayBuffers and closes', async () => {
    client = createClient(server.url, createWsBrowserLink(AsBrowserWebSocket), { clientId: 'alice' });
    const log = record(client);
    const conn = await server.nextConnection();
    await conn.accept();
    await client.connected();

    const published = client.publish({ room: 'lobby' }, new Uint8Array([9, 8, 7]));
    const message = await conn.next('message');
    expect(message.payload).toEqual(new Uint8Array([9, 8, 7]));
    conn.send({ type: 'ack', id: message.id, reason: REASON.SUCCESS });
    conn.send({ type: 'message', id: 'x', room: 'lobby', payload: { n: 1 } });
    expect(await published).toBe(REASON.SUCCESS);
    conn.send({ type: 'ping' });
    await conn.next('pong');

    await client.close();
    expect(await conn.next('disconnect')).toEqual({ type: 'disconnect', reason: REASON.SUCCESS });
    await conn.whenClosed();
    expect(log.map((e) => e.event)).toEqual(['connected', 'message', 'close']);
  });

  it('reconnects with cleanStart: false after the server drops the socket', async () => {
    client = createClient(server.url, createWsBrowserLink(AsBrowserWebSocket), {
      clientId: 'alice',
      reconnect: { initialDelayMs: 1, maxDelayMs: 1 },
    });
    await (await server.nextConnection()).accept();
    await client.connected();
    server.connections[0]?.drop();
    const second = await server.nextConnection();
    expect((await second.accept()).cleanStart).toBe(false);
    await client.connected();
  });

  it('ends the link on a text message, which the protocol does not have', async () => {
    client = createClient(server.url, createWsBrowserLink(AsBrowserWebSocket), {
      clientId: 'alice',
      reconnect: false,
    });
    const conn = await server.nextConnection();
    await conn.accept();
    await client.connected();
    const error = nextEvent(client, 'error');
    const close = nextEvent(client, 'close');
    conn.sendText('hello');
    expect(await error).toMatchObject({ code: 'CLIENT_ERR_TRANSPORT' });
    expect(await close).toEqual({ willReconnect: false });
  });

  it('refuses a URL that is not ws:// or wss:// in the browser connect', () => {
    expect(() => browserConnect('tcp://127.0.0.1:1', { clientId: 'alice' })).toThrow(
      expect.objectContaining({ code: 'CLIENT_ERR_INVALID_OPTION' }),
    );
  });

  it('uses the global WebSocket by default', async () => {
    vi.stubGlobal('WebSocket', WebSocket);
    try {
      client = browserConnect(server.url, { clientId: 'alice' });
      await (await server.nextConnection()).accept();
      await client.connected();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reports a missing global WebSocket as a transport error', async () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      client = browserConnect(server.url, { clientId: 'alice', reconnect: false });
      expect(await nextEvent(client, 'error')).toMatchObject({
        code: 'CLIENT_ERR_TRANSPORT',
        message: 'transport error: no global WebSocket in this environment',
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
