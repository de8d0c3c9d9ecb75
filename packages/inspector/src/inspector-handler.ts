/**
 * The inspector's HTTP side, mountable on any `node:http` server: the page's files, the page
 * feed (`<base>feed`, WebSocket) and the ingest endpoint for XState apps (`<base>ingest`), all
 * behind the token. Without it every route answers 401, whatever the path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Runtime } from '@switchboard/runtime';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { InvalidInspectorOption } from './errors.js';
import { InspectorHub, intervalTicker } from './inspector-hub.js';
import type { Ticker } from './inspector-hub.js';
import type { InspectorHandlerOptions } from './options.js';
import { resolveLimits } from './options.js';
import { loadApp } from './static-app.js';
import { TOKEN_COOKIE, generateToken, isAuthorized } from './token.js';

/** Options of `createInspectorHandler`. */
export interface CreateInspectorHandlerOptions extends InspectorHandlerOptions {
  /** Where the inspector is mounted: `'/'` (default) or a prefix such as `'/inspector/'`. */
  readonly basePath?: string;
  /** Drives the list and actor intervals (tests pass a manual one). Default: `setInterval`, unref'd. */
  readonly ticker?: Ticker;
}

/** Mount it: call `handleRequest` from the server's `request` event and `handleUpgrade` from `upgrade`. */
export interface InspectorHandler {
  readonly token: string;
  readonly basePath: string;
  /** The page's path with the token, relative to the server's origin. */
  readonly pagePath: string;
  /** The core (pages, views, watched actors). */
  readonly hub: InspectorHub;
  /** Answers a request under `basePath`; false (and nothing written) for any other path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes a WebSocket upgrade under `basePath`; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every page's feed and detaches from the runtime. */
  close(): void;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; worker-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // The token is in the page URL: never send it on as a referrer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function createInspectorHandler(
  runtime: Runtime,
  options: CreateInspectorHandlerOptions = {},
): InspectorHandler {
  const basePath = options.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) {
    throw new InvalidInspectorOption(`basePath must start and end with '/', got ${basePath}`);
  }
  const token = options.token ?? generateToken();
  if (token.length < 16) throw new InvalidInspectorOption('token must be at least 16 characters');
  const limits = resolveLimits(options.limits);
  const app = loadApp();
  const hub = new InspectorHub(runtime, {
    channels: options.channels,
    transport: options.transport,
    allowCommands: options.allowCommands ?? false,
    sanitize: options.sanitize,
    limits,
    ticker: options.ticker ?? intervalTicker,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const ingestSockets = new Set<WebSocket>();

  const parse = (req: IncomingMessage): URL | undefined => {
    const url = new URL(req.url ?? '/', 'http://inspector');
    return url.pathname === basePath.slice(0, -1) || url.pathname.startsWith(basePath) ? url : undefined;
  };

  const handleRequest = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = parse(req);
    if (!url) return false;
    if (!isAuthorized(token, req, url)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('401: the inspector needs its token (open the URL printed at start-up)\n');
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return true;
    }
    if (url.pathname === basePath.slice(0, -1)) {
      res.writeHead(308, { location: basePath + url.search, ...SECURITY_HEADERS }).end();
      return true;
    }
    const name = url.pathname.slice(basePath.length) || 'index.html';
    const file = app.get(name);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('404\n');
      return true;
    }
    const headers: Record<string, string> = { 'content-type': file.type, ...SECURITY_HEADERS };
    // The page sets the cookie so its scripts, worker and feed are authorised without the query.
    if (name === 'index.html') {
      headers['set-cookie'] =
        `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=${basePath}; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };

  const refuse = (socket: Duplex, status: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = parse(req);
    if (!url) return false;
    if (!isAuthorized(token, req, url)) {
      refuse(socket, '401 Unauthorized');
      return true;
    }
    const path = url.pathname.slice(basePath.length);
    if (path === 'feed') {
      if (hub.feedCount >= limits.maxFeeds) {
        refuse(socket, '503 Service Unavailable');
        return true;
      }
      const format = url.searchParams.get('format') === 'json' ? 'json' : 'msgpack';
      wss.handleUpgrade(req, socket, head, (ws) => {
        const feed = hub.connect(ws, format);
        ws.on('message', (data, isBinary) =>
          hub.receive(feed, isBinary ? (data as Buffer) : (data as Buffer).toString()),
        );
        ws.on('close', () => hub.disconnect(feed));
        ws.on('error', () => ws.terminate());
      });
      return true;
    }
    if (path === 'ingest' || path === '') {
      if (ingestSockets.size >= limits.maxFeeds) {
        refuse(socket, '503 Service Unavailable');
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ingestSockets.add(ws);
        ws.on('message', (data) => void hub.ingest(data as Buffer));
        ws.on('close', () => ingestSockets.delete(ws));
        ws.on('error', () => ws.terminate());
      });
      return true;
    }
    refuse(socket, '404 Not Found');
    return true;
  };

  return {
    token,
    basePath,
    pagePath: `${basePath}?token=${encodeURIComponent(token)}`,
    hub,
    handleRequest,
    handleUpgrade,
    close() {
      hub.close();
      for (const ws of ingestSockets) ws.close(1001, 'inspector closed');
      wss.close();
    },
  };
}
