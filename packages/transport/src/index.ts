/**
 * `@switchboard/transport`: TCP and WebSocket listeners for the channel manager — one supervised
 * connection process per socket, rooms and broadcast, bounded outbound queues, keepalive,
 * admission limits and graceful drain. The client is `@switchboard/transport/client`.
 */
export { createServer, reasonForExit } from './server.js';
export type {
  ConnectionInfo,
  DrainOptions,
  DrainResult,
  Server,
  ServerAddresses,
  ServerOptions,
} from './server.js';
export type { ConnectionContext, Handlers, MessageHandler } from './connection-context.js';
export { routeMessage } from './route-message.js';
export type { AuthRequest, AuthVerdict, ServerHooks } from './hooks.js';
export {
  DEFAULT_KEEPALIVE,
  DEFAULT_LIMITS,
  DEFAULT_OUTBOUND,
  resolveKeepalive,
  resolveLimits,
  resolveOutbound,
} from './options.js';
export type {
  KeepaliveOptions,
  Limits,
  OutboundOptions,
  OutboundPolicy,
  TcpListen,
  WsListen,
} from './options.js';
export type { CountAndMax, RefusedCounts, ServerStats, TransportCounters } from './stats.js';
export { InvalidServerOption, ListenFailed } from './errors.js';
export { Rooms } from './rooms.js';
export { PONG_BACKLOG_BYTES } from './ws-wire.js';
export { OutboundQueue } from './outbound-queue.js';
export type { PushResult, QueueBounds, QueueSink } from './outbound-queue.js';
