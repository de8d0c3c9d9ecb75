/**
 * The server's options: every limit has a name, a default and a check. `resolveOptions` turns
 * what the user passed into the complete, validated set the server runs with.
 */
import type { Server as HttpServer } from 'node:http';
import { DEFAULT_MAX_FRAME_BYTES } from '@switchboard/protocol';
import { InvalidServerOption } from './errors.js';

/** Admission limits. */
export interface Limits {
  /** Most connected clients, counted from the channel manager's live table plus opens in flight. Default 100,000. */
  readonly maxConnections?: number;
  /** Most accepted sockets per second (a token bucket of one second's worth). Default `Infinity`. */
  readonly maxConnRate?: number;
  /** A socket that has not sent CONNECT by then is closed with CONNECT_TIMEOUT. Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /** Largest frame body accepted, checked from its length header. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Frames a connection may send while its session is still opening; beyond it, SERVER_BUSY. Default 100. */
  readonly maxFramesWhileOpening?: number;
  /** An `authenticate` hook that has not answered by then refuses the client (SERVER_BUSY). Default 5,000 ms. */
  readonly authTimeoutMs?: number;
}

/** What to do with a message when a connection's outbound queue is full. */
export type OutboundPolicy = 'disconnect' | 'drop-oldest' | 'drop-newest';

/** The bounded per-connection outbound queue, used while the socket pushes back. */
export interface OutboundOptions {
  /** Most bytes queued behind a socket that pushes back. Default 1 MiB. */
  readonly maxQueueBytes?: number;
  /** Most messages queued behind a socket that pushes back. Default 1,000. */
  readonly maxQueueMessages?: number;
  /** Default `'disconnect'` (reason SLOW_CONSUMER). */
  readonly policy?: OutboundPolicy;
  /** Bytes the socket itself may buffer before we queue instead of writing. Default 64 KiB. */
  readonly socketHighWaterBytes?: number;
}

/** Keepalive: server PINGs and the idle sweep. */
export interface KeepaliveOptions {
  /** A PING goes to a connection silent for this long. Default 30,000 ms; 0 disables PINGs. */
  readonly pingIntervalMs?: number;
  /** A connection silent (no inbound frame) for this long is closed with IDLE_TIMEOUT. Default 90,000 ms. */
  readonly idleTimeoutMs?: number;
}

/** Where to listen for TCP. */
export interface TcpListen {
  readonly host?: string;
  /** 0 picks a free port (read it back from `server.addresses()`). */
  readonly port: number;
}

/** Where to listen for WebSocket: a host and port of its own, or an existing HTTP server. */
export type WsListen =
  | { readonly host?: string; readonly port: number; readonly path?: string }
  | { readonly server: HttpServer; readonly path?: string };

/** The limits after defaults. */
export type ResolvedLimits = Required<Limits>;
/** The outbound options after defaults. */
export type ResolvedOutbound = Required<OutboundOptions>;
/** The keepalive options after defaults. */
export type ResolvedKeepalive = Required<KeepaliveOptions>;

/** Defaults of every limit, by name. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxConnections: 100_000,
  maxConnRate: Infinity,
  connectTimeoutMs: 10_000,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxFramesWhileOpening: 100,
  authTimeoutMs: 5000,
};
/** Defaults of the outbound queue. */
export const DEFAULT_OUTBOUND: ResolvedOutbound = {
  maxQueueBytes: 1_048_576,
  maxQueueMessages: 1000,
  policy: 'disconnect',
  socketHighWaterBytes: 65_536,
};
/** Defaults of keepalive. */
export const DEFAULT_KEEPALIVE: ResolvedKeepalive = { pingIntervalMs: 30_000, idleTimeoutMs: 90_000 };

const POLICIES: readonly OutboundPolicy[] = ['disconnect', 'drop-oldest', 'drop-newest'];

/**
 * Fills in defaults and checks ranges.
 *
 * @example
 * ```ts
 * resolveLimits({ maxConnections: 10 }).connectTimeoutMs; // 10000
 * ```
 * @throws {TypeError} TRANSPORT_ERR_INVALID_OPTION
 */
export function resolveLimits(limits: Limits = {}): ResolvedLimits {
  const r = { ...DEFAULT_LIMITS, ...defined(limits) };
  positiveInteger('limits.maxConnections', r.maxConnections);
  positive('limits.maxConnRate', r.maxConnRate);
  positive('limits.connectTimeoutMs', r.connectTimeoutMs);
  positiveInteger('limits.maxFrameBytes', r.maxFrameBytes);
  // The decoder takes at most what a 32-bit length header can announce; past it, every accept would throw.
  if (r.maxFrameBytes > 0xffff_ffff)
    throw new InvalidServerOption(`limits.maxFrameBytes must be at most 2^32 - 1, got ${r.maxFrameBytes}`);
  positiveInteger('limits.maxFramesWhileOpening', r.maxFramesWhileOpening);
  positive('limits.authTimeoutMs', r.authTimeoutMs);
  return r;
}

/**
 * Fills in defaults and checks ranges.
 *
 * @example
 * ```ts
 * resolveOutbound({ policy: 'drop-oldest' }).maxQueueMessages; // 1000
 * ```
 * @throws {TypeError} TRANSPORT_ERR_INVALID_OPTION
 */
export function resolveOutbound(outbound: OutboundOptions = {}): ResolvedOutbound {
  const r = { ...DEFAULT_OUTBOUND, ...defined(outbound) };
  positiveInteger('outbound.maxQueueBytes', r.maxQueueBytes);
  positiveInteger('outbound.maxQueueMessages', r.maxQueueMessages);
  positiveInteger('outbound.socketHighWaterBytes', r.socketHighWaterBytes);
  if (!POLICIES.includes(r.policy))
    throw new InvalidServerOption(`outbound.policy must be one of ${POLICIES.join(', ')}`);
  return r;
}

/**
 * Fills in defaults and checks ranges.
 *
 * @example
 * ```ts
 * resolveKeepalive({ idleTimeoutMs: 5000 }).pingIntervalMs; // 30000
 * ```
 * @throws {TypeError} TRANSPORT_ERR_INVALID_OPTION
 */
export function resolveKeepalive(keepalive: KeepaliveOptions = {}): ResolvedKeepalive {
  const r = { ...DEFAULT_KEEPALIVE, ...defined(keepalive) };
  if (!(r.pingIntervalMs >= 0 && Number.isFinite(r.pingIntervalMs)))
    throw new InvalidServerOption(`keepalive.pingIntervalMs must be a finite number ≥ 0`);
  positive('keepalive.idleTimeoutMs', r.idleTimeoutMs);
  return r;
}

/** Drops keys whose value is `undefined`, so they do not override defaults. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function positive(name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0))
    throw new InvalidServerOption(`${name} must be > 0, got ${String(value)}`);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new InvalidServerOption(`${name} must be a positive integer, got ${String(value)}`);
}
