/**
 * The tcp-router app: a runtime, a channel manager and a TCP-only transport server, with the demo
 * routes, a connection limit, and onConnStart / onConnStop hooks (Zinx's DoConnectionBegin /
 * DoConnectionLost). `main.ts` runs it; the test starts it on port 0.
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { createChannelManager } from '@switchboard/channels';
import { REASON } from '@switchboard/protocol';
import { createRuntime } from '@switchboard/runtime';
import { createServer } from '@switchboard/transport';
import type { Server } from '@switchboard/transport';
import { Router } from './router.js';

/** The message types the demo routes. */
export const MSG = {
  /** → `'pong'` */
  PING: 1,
  /** → the body, unchanged */
  ECHO: 2,
  /** body: a room name; joins it */
  JOIN: 3,
  /** body: `{ room, text }`; to the room's other members as `{ type: SAY, body: { from, text } }` */
  SAY: 4,
  /** → `{ online }`, how many clients are connected */
  WHO: 5,
  /** Server → client on connect: `{ clientId, online }` */
  WELCOME: 100,
} as const;

/** What the hooks saw, for logs and tests. */
export type RouterEvent =
  | { readonly type: 'conn.started'; readonly clientId: string; readonly peer: string }
  | {
      readonly type: 'conn.stopped';
      readonly clientId: string;
      readonly reason: string;
      readonly connectedMs: number;
    };

/** Options of {@link startTcpRouter}. */
export interface TcpRouterOptions {
  /** Default `'127.0.0.1'`. */
  readonly host?: string;
  /** Default 7100; 0 picks a free port. */
  readonly port?: number;
  /** Connected clients beyond this are refused with SERVER_BUSY. Default 1000. */
  readonly maxConnections?: number;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Called on every connection start and stop. */
  readonly onEvent?: (event: RouterEvent) => void;
}

/** A running tcp-router. */
export interface TcpRouterApp {
  /** `tcp://host:port` */
  readonly url: string;
  readonly server: Server;
  readonly router: Router;
  /** Closes every connection and stops the server, the channel manager and the runtime. */
  stop(): Promise<void>;
}

/**
 * Starts the tcp-router and resolves once it listens.
 *
 * @example
 * ```ts
 * const app = await startTcpRouter({ port: 0, maxConnections: 2 });
 * console.log(app.url); // tcp://127.0.0.1:54321
 * await app.stop();
 * ```
 * @throws {TypeError} TRANSPORT_ERR_INVALID_OPTION (a bad limit); rejects with TRANSPORT_ERR_LISTEN.
 */
export async function startTcpRouter(options: TcpRouterOptions = {}): Promise<TcpRouterApp> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const runtime = createRuntime({ logger });
  // How long a session outlives its connection is the client's choice (CONNECT's sessionExpiryMs).
  const channels = createChannelManager(runtime);
  const log = logger.child({ component: 'tcp-router' });
  const emit = (event: RouterEvent) => options.onEvent?.(event);

  // Reads `server` (below) only from routes and hooks, which run once it exists.
  const online = (): number => server.stats().connections.count;

  const router = new Router()
    .add(MSG.PING, (req) => void req.reply(MSG.PING, 'pong'))
    .add(MSG.ECHO, (req) => void req.reply(MSG.ECHO, req.body))
    .add(MSG.JOIN, (req) => {
      if (typeof req.body !== 'string' || req.body === '') return REASON.PROTOCOL_ERROR;
      req.connection.join(req.body);
    })
    .add(MSG.SAY, (req) => {
      const { room, text } = (req.body ?? {}) as { room?: unknown; text?: unknown };
      if (typeof room !== 'string' || typeof text !== 'string') return REASON.PROTOCOL_ERROR;
      if (!req.connection.rooms().includes(room)) return REASON.NOT_AUTHORIZED;
      const body = { from: req.connection.clientId, text };
      const reached = req.connection.broadcast(room, { type: MSG.SAY, body }, { exceptSelf: true });
      return reached > 0 ? REASON.SUCCESS : REASON.NO_MATCHING_TARGET;
    })
    .add(MSG.WHO, (req) => void req.reply(MSG.WHO, { online: online() }));

  const server: Server = createServer({
    runtime,
    channels,
    tcp: { host: options.host ?? '127.0.0.1', port: options.port ?? 7100 },
    limits: { maxConnections: options.maxConnections ?? 1000 },
    handlers: { message: router.handle },
    hooks: {
      onConnStart: (conn) => {
        // Connection properties (Zinx's SetProperty) live as long as the connection.
        conn.data.set('startedAt', runtime.clock.now());
        conn.send({ type: MSG.WELCOME, body: { clientId: conn.clientId, online: online() } });
        log.info({ clientId: conn.clientId, peer: conn.peer }, 'connection started');
        emit({ type: 'conn.started', clientId: conn.clientId, peer: conn.peer });
      },
      onConnStop: (conn, reason) => {
        const startedAt = conn.data.get('startedAt') as number;
        const connectedMs = runtime.clock.now() - startedAt;
        log.info({ clientId: conn.clientId, reason, connectedMs }, 'connection stopped');
        emit({ type: 'conn.stopped', clientId: conn.clientId, reason, connectedMs });
      },
    },
    logger,
  });

  const stop = async () => {
    await server.close();
    await channels.close();
    await runtime.shutdown();
  };
  let addresses;
  try {
    addresses = await server.ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: addresses.tcp?.url ?? '', server, router, stop };
}
