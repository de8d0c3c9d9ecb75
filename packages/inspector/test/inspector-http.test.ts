/**
 * The inspector over real HTTP and WebSockets on 127.0.0.1: the token guards every route, the
 * page's files are served from the prebuilt bundle, the feed speaks msgpack or JSON, limits hold,
 * and an XState app pointed at it with `@statelyai/inspect` shows up as actors with charts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unpack, pack } from 'msgpackr';
import WebSocket from 'ws';
import { createActor, createMachine } from 'xstate';
import { createWebSocketInspector } from '@statelyai/inspect';
import { attachInspector, createInspectorHandler, TOKEN_COOKIE } from '@switchboard/inspector';
import type { Inspector, ServerMessage } from '@switchboard/inspector';
import { createRuntime } from '@switchboard/runtime';
import type { Runtime } from '@switchboard/runtime';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  options: Parameters<typeof attachInspector>[1] = {},
): Promise<{ rt: Runtime; inspector: Inspector }> {
  const rt = createRuntime();
  const inspector = await attachInspector(rt, options);
  cleanups.push(() => rt.shutdown());
  cleanups.push(() => inspector.close());
  return { rt, inspector };
}

/** A feed client that decodes what it gets. */
async function openFeed(url: string, json = false): Promise<{ ws: WebSocket; got: ServerMessage[] }> {
  const got: ServerMessage[] = [];
  const ws = new WebSocket(url);
  ws.on('message', (data, isBinary) => {
    got.push(
      (isBinary && !json ? unpack(data as Buffer) : JSON.parse((data as Buffer).toString())) as ServerMessage,
    );
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  cleanups.push(() => ws.close());
  return { ws, got };
}

function feedUrl(inspector: Inspector, query: string): string {
  return `ws://127.0.0.1:${inspector.port}/feed${query}`;
}

describe('the token', () => {
  it('answers 401 on every route without it, and serves the page with it', async () => {
    const { inspector } = await start();
    const base = `http://127.0.0.1:${inspector.port}`;
    for (const path of ['/', '/index.html', '/app.js', '/layout-worker.js', '/nope', '/feed']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(401);
    }
    expect((await fetch(`${base}/?token=wrong-token-of-some-length`)).status).toBe(401);

    const page = await fetch(inspector.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${TOKEN_COOKIE}=${encodeURIComponent(inspector.token)}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(await page.text()).toMatch(/app\.js/);

    // The cookie or a bearer header carry it as well as the query.
    const viaCookie = await fetch(`${base}/app.js`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.headers.get('content-type')).toMatch(/javascript/);
    const viaBearer = await fetch(`${base}/THIRD-PARTY-LICENSES.txt`, {
      headers: { authorization: `Bearer ${inspector.token}` },
    });
    expect(await viaBearer.text()).toMatch(/Eclipse Public License/);
    expect((await fetch(`${base}/missing.js?token=${inspector.token}`)).status).toBe(404);
    expect((await fetch(inspector.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a WebSocket upgrade without it with 401', async () => {
    const { inspector } = await start();
    const ws = new WebSocket(feedUrl(inspector, ''));
    const status = await new Promise<number | undefined>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('error', () => resolve(undefined));
    });
    expect(status).toBe(401);
  });

  it('binds 127.0.0.1 by default and generates a fresh random token each time', async () => {
    const a = await start();
    const b = await start();
    expect(a.inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(a.inspector.token).not.toBe(b.inspector.token);
  });

  it('rejects a short token and a malformed base path', () => {
    const rt = createRuntime();
    cleanups.push(() => rt.shutdown());
    expect(() => createInspectorHandler(rt, { token: 'short' })).toThrow(
      /INSPECTOR_ERR_INVALID_OPTION|16 characters/,
    );
    expect(() => createInspectorHandler(rt, { basePath: 'inspector' })).toThrow(/basePath/);
  });
});

describe('the feed', () => {
  it('speaks msgpack by default and JSON with ?format=json', async () => {
    const { inspector } = await start();
    const binary = await openFeed(feedUrl(inspector, `?token=${inspector.token}`));
    await vi.waitFor(() => expect(binary.got[0]?.t).toBe('hello'));
    const text = await openFeed(feedUrl(inspector, `?token=${inspector.token}&format=json`), true);
    await vi.waitFor(() => expect(text.got[0]?.t).toBe('hello'));
    text.ws.send(
      JSON.stringify({ t: 'processes', sort: 'pid', dir: 'asc', filter: '', offset: 0, limit: 10 }),
    );
    await vi.waitFor(() => expect(text.got.some((m) => m.t === 'processes')).toBe(true));
    binary.ws.send(pack({ t: 'subscribe', views: ['bogus'] }));
    await vi.waitFor(() => expect(binary.got.some((m) => m.t === 'error')).toBe(true));
    expect(inspector.handler.hub.feedCount).toBe(2);
  });

  it('sends coalesced list updates at the list interval while subscribed', async () => {
    const { inspector } = await start({ limits: { listIntervalMs: 50 } });
    const feed = await openFeed(feedUrl(inspector, `?token=${inspector.token}`));
    feed.ws.send(pack({ t: 'subscribe', views: ['overview'] }));
    await vi.waitFor(() =>
      expect(feed.got.filter((m) => m.t === 'overview').length).toBeGreaterThanOrEqual(3),
    );
    const overview = feed.got.find((m) => m.t === 'overview');
    expect(overview).toMatchObject({ t: 'overview', memory: { heapUsed: expect.any(Number) as number } });
  });

  it('refuses pages beyond maxFeeds with 503, and detaches when pages leave', async () => {
    const { inspector } = await start({ limits: { maxFeeds: 1 } });
    const first = await openFeed(feedUrl(inspector, `?token=${inspector.token}`));
    const second = new WebSocket(feedUrl(inspector, `?token=${inspector.token}`));
    const status = await new Promise<number | undefined>((resolve) => {
      second.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      second.on('error', () => resolve(undefined));
    });
    expect(status).toBe(503);
    expect(inspector.handler.hub.attached).toBe(true);
    first.ws.close();
    await vi.waitFor(() => expect(inspector.handler.hub.attached).toBe(false));
  });

  it('closes every feed on close(), and close() is idempotent', async () => {
    const { inspector } = await start();
    const feed = await openFeed(feedUrl(inspector, `?token=${inspector.token}`));
    const closed = new Promise<number>((resolve) => feed.ws.once('close', (code) => resolve(code)));
    await Promise.all([inspector.close(), inspector.close()]);
    expect(await closed).toBe(1001);
  });
});

describe('mounting on an existing server', () => {
  it('serves under a base path and leaves other paths to the server', async () => {
    const rt = createRuntime();
    cleanups.push(() => rt.shutdown());
    const handler = createInspectorHandler(rt, { basePath: '/inspector/' });
    cleanups.push(() => handler.close());
    const server = createServer((req, res) => {
      if (handler.handleRequest(req, res)) return;
      res.end('app');
    });
    server.on('upgrade', (req, socket, head) => {
      if (!handler.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/other`)).text()).toBe('app');
    expect((await fetch(`${base}/inspector/`)).status).toBe(401);
    expect((await fetch(`${base}${handler.pagePath}`)).status).toBe(200);
    const redirect = await fetch(`${base}/inspector?token=${handler.token}`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe(`/inspector/?token=${handler.token}`);
    const feed = await openFeed(`${base.replace('http', 'ws')}/inspector/feed?token=${handler.token}`);
    await vi.waitFor(() => expect(feed.got[0]?.t).toBe('hello'));
  });
});

describe('XState apps through @statelyai/inspect', () => {
  it('shows their actors, charts and transitions', async () => {
    const { inspector } = await start({ limits: { listIntervalMs: 50, actorIntervalMs: 20 } });
    const page = await openFeed(feedUrl(inspector, `?token=${inspector.token}&format=json`), true);
    const light = createMachine({
      id: 'light',
      initial: 'green',
      states: {
        green: { on: { next: 'yellow' } },
        yellow: { on: { next: 'red' } },
        red: { on: { next: 'green' } },
      },
    });
    const stately = createWebSocketInspector({
      url: `ws://127.0.0.1:${inspector.port}/ingest?token=${inspector.token}`,
    });
    cleanups.push(() => stately.stop());
    const actor = createActor(light, { inspect: stately.inspect });
    actor.start();
    cleanups.push(() => void actor.stop());
    actor.send({ type: 'next' });

    page.ws.send(
      JSON.stringify({ t: 'processes', sort: 'pid', dir: 'asc', filter: 'ext:', offset: 0, limit: 50 }),
    );
    let row: { id: string; state: string } | undefined;
    await vi.waitFor(
      () => {
        const pages = page.got.filter((m) => m.t === 'processes');
        row = pages.at(-1)?.rows.find((r) => r.kind === 'external' && r.name === 'light');
        expect(row?.state).toBe('yellow');
      },
      { timeout: 10_000 },
    );
    page.ws.send(JSON.stringify({ t: 'open', id: row?.id }));
    await vi.waitFor(() => expect(page.got.some((m) => m.t === 'actor')).toBe(true));
    const chart = page.got.find((m) => m.t === 'chart');
    // @statelyai/inspect sends the config through a stable (key-sorted) stringify: order is alphabetical.
    expect(chart?.t === 'chart' && chart.root.children.map((c) => c.id).sort()).toEqual([
      'light.green',
      'light.red',
      'light.yellow',
    ]);
    expect(chart?.t === 'chart' && chart.edges.map((e) => `${e.source}>${e.target}:${e.label}`)).toContain(
      'light.yellow>light.red:next',
    );
    actor.send({ type: 'next' });
    await vi.waitFor(
      () => {
        const last = page.got.filter((m) => m.t === 'actorEvents').at(-1);
        expect(last?.t === 'actorEvents' && last.stateIds).toEqual(['light', 'light.red']);
      },
      { timeout: 10_000 },
    );
  });

  it('ignores frames that are not inspection events', async () => {
    const { inspector } = await start();
    const hub = inspector.handler.hub;
    expect(hub.ingest('not json')).toBe(false);
    expect(hub.ingest(JSON.stringify({ type: 'hello' }))).toBe(false);
    expect(hub.ingest(JSON.stringify({ type: '@xstate.unknown', sessionId: 'x' }))).toBe(false);
  });
});
