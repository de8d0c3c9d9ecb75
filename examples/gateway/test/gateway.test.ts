import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import { connect } from '@switchboard/transport/client';
import type { Client } from '@switchboard/transport/client';
import { startGateway } from '../src/gateway.js';
import type { Gateway } from '../src/gateway.js';

let gateway: Gateway | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await gateway?.close();
  gateway = undefined;
});

type Seen = { readonly payload?: { readonly presence?: unknown; readonly text?: unknown } | null };

function next<T>(
  client: Client,
  event: 'message' | 'disconnect',
  match: (v: Seen) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const off = client.on(event, (value) => {
      if (match(value as Seen)) {
        off();
        resolve(value as T);
      }
    });
  });
}

describe('the gateway (examples/gateway)', () => {
  it('serves the chat page and its script, bundled in memory', async () => {
    gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0 } });
    const page = await fetch(gateway.urls.http);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/chat.js">');
    const script = await fetch(`${gateway.urls.http}chat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    const code = await script.text();
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/from\s*["']node:/);
    expect((await fetch(`${gateway.urls.http}nope`)).status).toBe(404);
  });

  it('a TCP client and a WebSocket client chat in a room and hear its presence count', async () => {
    gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0 }, presenceEveryMs: 20 });
    const a = connect(gateway.urls.tcp, { clientId: 'alice' });
    const b = connect(gateway.urls.ws, { clientId: 'bob' });
    clients.push(a, b);
    await Promise.all([a.connected(), b.connected()]);
    const presence2 = next(a, 'message', (m) => m.payload?.presence === 2);
    await a.join('lobby');
    await b.join('lobby');
    await presence2;
    const got = next<{ from: string; payload: unknown }>(b, 'message', (m) => m.payload?.text !== undefined);
    expect(await a.publish({ room: 'lobby' }, { text: 'hello bob' })).toBe(REASON.SUCCESS);
    expect(await got).toMatchObject({ from: 'alice', payload: { text: 'hello bob' } });
  });

  it('"kick me" kicks the sender: DISCONNECT KICKED, and the client does not reconnect', async () => {
    gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0 } });
    const c = connect(gateway.urls.ws, { clientId: 'kicked' });
    clients.push(c);
    await c.connected();
    const told = next<{ reason: number }>(c, 'disconnect');
    void c.publish({ target: 'kicked' }, { cmd: 'kick-me' }).catch(() => undefined);
    expect((await told).reason).toBe(REASON.KICKED);
    await new Promise<void>((resolve) => c.on('close', ({ willReconnect }) => !willReconnect && resolve()));
    expect(c.state).toBe('closed');
    expect(gateway.channels.tables.lookup('kicked').filter((p) => gateway?.runtime.isAlive(p))).toEqual([]);
  });
});
