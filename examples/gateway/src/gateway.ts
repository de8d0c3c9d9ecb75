/**
 * The reference server: a runtime, a channel manager and a transport server with TCP and
 * WebSocket listeners, plus an HTTP side serving the chat page. Chat rules on top of the
 * transport: room messages go to the room (the default routing), a `{ cmd: 'kick-me' }` message
 * kicks its sender through the channel manager, and each room hears its presence count whenever
 * it changes. The inspector is attached on its own port (127.0.0.1:7002 by default, with a token).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import pino from 'pino';
import { createChannelManager } from '@switchboard/channels';
import { attachInspector } from '@switchboard/inspector';
import type { Inspector } from '@switchboard/inspector';
import type { ChannelManager } from '@switchboard/channels';
import { createRuntime } from '@switchboard/runtime';
import type { Runtime } from '@switchboard/runtime';
import { createServer, routeMessage } from '@switchboard/transport';
import type { Server } from '@switchboard/transport';
import { bundlePage } from './page-bundle.js';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** TCP port. Default 7000; 0 picks one. */
  readonly tcpPort?: number;
  /** HTTP + WebSocket port. Default 7001; 0 picks one. */
  readonly httpPort?: number;
  readonly logger?: Logger;
  /** How often room presence is checked, in ms. Default 250. */
  readonly presenceEveryMs?: number;
  /** The inspector: its port (default 7002; 0 picks one), kick/discard buttons, token; `false` leaves it out. */
  readonly inspector?:
    false | { readonly port?: number; readonly allowCommands?: boolean; readonly token?: string };
}

/** A running gateway. */
export interface Gateway {
  readonly runtime: Runtime;
  readonly channels: ChannelManager;
  readonly server: Server;
  /** Undefined when started with `inspector: false`. */
  readonly inspector: Inspector | undefined;
  readonly urls: {
    readonly tcp: string;
    readonly ws: string;
    readonly http: string;
    /** The inspector page with its token ('' without the inspector). */
    readonly inspector: string;
  };
  close(): Promise<void>;
}

/**
 * Starts the gateway and resolves once every listener is up.
 *
 * @example
 * ```ts
 * const gw = await startGateway({ tcpPort: 0, httpPort: 0 });
 * console.log(gw.urls.http); // open it in a browser
 * await gw.close();
 * ```
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ level: 'silent' });
  const runtime = createRuntime({ logger });
  const channels = createChannelManager(runtime);
  const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
  const script = await bundlePage();

  const http = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (path === '/' || path === '/index.html') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(page);
    } else if (path === '/chat.js') {
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        .end(script);
    } else if (path === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(server.stats()));
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });

  const server = createServer({
    runtime,
    channels,
    tcp: { host, port: options.tcpPort ?? 7000 },
    ws: { server: http, path: '/ws' },
    handlers: {
      message: (conn, message) => {
        const payload = message.payload as { cmd?: unknown } | null;
        if (payload && payload.cmd === 'kick-me') {
          logger.info({ clientId: conn.clientId }, 'kick requested by the client itself');
          void channels.kickSession(conn.clientId);
          return undefined;
        }
        return routeMessage(conn, message);
      },
    },
    hooks: {
      onConnStart: (c) =>
        logger.info({ clientId: c.clientId, transport: c.transport, peer: c.peer }, 'connected'),
      onConnStop: (c, reason) => logger.info({ clientId: c.clientId, reason }, 'disconnected'),
    },
    logger,
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort ?? 7001, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const addresses = await server.ready;
  const httpPort = (http.address() as AddressInfo).port;
  const inspectorOptions = options.inspector ?? {};
  const inspector =
    inspectorOptions === false
      ? undefined
      : await attachInspector(runtime, {
          channels,
          transport: server,
          host,
          port: inspectorOptions.port ?? 7002,
          allowCommands: inspectorOptions.allowCommands ?? false,
          ...(inspectorOptions.token !== undefined ? { token: inspectorOptions.token } : {}),
          // The channel's host and callbacks are wiring, not state: keep them off the page.
          sanitize: (context) => omitWiring(context),
        });

  // Presence: every room hears its member count when it changes.
  const lastCounts = new Map<string, number>();
  const presence = setInterval(() => {
    const now = server.rooms();
    for (const [room, count] of now) {
      if (lastCounts.get(room) !== count) server.broadcast(room, { presence: count });
    }
    lastCounts.clear();
    for (const [room, count] of now) lastCounts.set(room, count);
  }, options.presenceEveryMs ?? 250);

  return {
    runtime,
    channels,
    server,
    inspector,
    urls: {
      tcp: addresses.tcp?.url ?? '',
      ws: `ws://${host}:${httpPort}/ws`,
      http: `http://${host}:${httpPort}/`,
      inspector: inspector?.url ?? '',
    },
    async close() {
      clearInterval(presence);
      await inspector?.close();
      await server.close();
      await new Promise<void>((r) => http.close(() => r()));
      await channels.close();
      await runtime.shutdown();
    },
  };
}

/** A channel context without `host`, `outbound` and `inbound` (functions and the manager's internals). */
function omitWiring(context: unknown): unknown {
  if (typeof context !== 'object' || context === null) return context;
  const { host: _host, outbound: _outbound, inbound: _inbound, ...rest } = context as Record<string, unknown>;
  return rest;
}
