/**
 * The frames of protocol v1: their type numbers and their decoded shapes. The body of each frame
 * on the wire is a MessagePack array whose first element is the type number; the layout of the
 * rest is written next to each interface and implemented in `internal/frame-layout.ts`.
 */
import type { ReasonCode } from './reason.js';

/**
 * The type number of each frame: the first element of every body array.
 *
 * @example
 * ```ts
 * FRAME_TYPE.CONNECT; // 1, so a CONNECT body starts [1, …]
 * ```
 */
export const FRAME_TYPE = {
  CONNECT: 1,
  CONNACK: 2,
  MESSAGE: 3,
  ACK: 4,
  JOIN: 5,
  LEAVE: 6,
  PING: 7,
  PONG: 8,
  DISCONNECT: 9,
} as const;

/**
 * The protocol version this package speaks: the `version` a client puts in its CONNECT.
 *
 * @example
 * ```ts
 * const hello: ConnectFrame = { type: 'connect', version: PROTOCOL_VERSION, clientId: 'c1', cleanStart: true, sessionExpiryMs: 0 };
 * ```
 */
export const PROTOCOL_VERSION = 1;

/**
 * Any frame of protocol v1, discriminated on `type`. Optional properties are absent (never
 * `undefined`) in decoded frames when the wire carried null or omitted them.
 *
 * @example
 * ```ts
 * function describe(frame: Frame): string {
 *   return frame.type === 'message' ? `message ${frame.id}` : frame.type;
 * }
 * ```
 */
export type Frame =
  | ConnectFrame
  | ConnackFrame
  | MessageFrame
  | AckFrame
  | JoinFrame
  | LeaveFrame
  | PingFrame
  | PongFrame
  | DisconnectFrame;

/**
 * The client's first frame: who it is and what session it wants.
 * Body: `[1, version, clientId, cleanStart, sessionExpiryMs|null, credentials|null]`.
 *
 * @example
 * ```ts
 * const f: ConnectFrame = { type: 'connect', version: 1, clientId: 'c1', cleanStart: false, sessionExpiryMs: 60_000, credentials: { token: 't' } };
 * ```
 */
export interface ConnectFrame {
  readonly type: 'connect';
  /** A positive integer. The decoder accepts any; the server answers other versions with UNSUPPORTED_VERSION. */
  readonly version: number;
  /** A non-empty string of at most 65,535 UTF-16 units. */
  readonly clientId: string;
  /** True: discard any previous session of this client id. */
  readonly cleanStart: boolean;
  /** null: the session never expires; 0: it ends with the connection. An integer ≤ 2^53−1 otherwise. */
  readonly sessionExpiryMs: number | null;
  /** Anything the server's authentication understands (plain MessagePack data); absent when null. */
  readonly credentials?: unknown;
}

/**
 * The server's answer to CONNECT.
 * Body: `[2, sessionPresent, reason, pingIntervalMs|null]`.
 *
 * @example
 * ```ts
 * const f: ConnackFrame = { type: 'connack', sessionPresent: false, reason: REASON.SUCCESS, pingIntervalMs: 30_000 };
 * ```
 */
export interface ConnackFrame {
  readonly type: 'connack';
  /** True when the server resumed an existing session. */
  readonly sessionPresent: boolean;
  /** SUCCESS, or why the connection is refused (the server closes after a failure). */
  readonly reason: ReasonCode;
  /** How often the client should PING when otherwise idle. */
  readonly pingIntervalMs?: number;
}

/**
 * An application message, in either direction.
 * Body: `[3, id, room|null, target|null, payload, from|null]`.
 *
 * @example
 * ```ts
 * const f: MessageFrame = { type: 'message', id: 'm1', room: 'lobby', payload: { text: 'hi' } };
 * ```
 */
export interface MessageFrame {
  readonly type: 'message';
  /** The sender's id for this message (at most 256 UTF-16 units); an ACK names it. */
  readonly id: string;
  /** The room it goes to (client → server) or came through (server → client). */
  readonly room?: string;
  /** A client id it goes to directly. */
  readonly target?: string;
  /** The client id that sent it (set by the server). */
  readonly from?: string;
  /** Plain MessagePack data: null, booleans, numbers, strings, Uint8Array, arrays, plain objects. */
  readonly payload: unknown;
}

/**
 * The answer to a MESSAGE, JOIN or LEAVE with the same id.
 * Body: `[4, id, reason]`.
 *
 * @example
 * ```ts
 * const f: AckFrame = { type: 'ack', id: 'm1', reason: REASON.SUCCESS };
 * ```
 */
export interface AckFrame {
  readonly type: 'ack';
  readonly id: string;
  readonly reason: ReasonCode;
}

/**
 * Joins rooms. Body: `[5, id, rooms]`.
 *
 * @example
 * ```ts
 * const f: JoinFrame = { type: 'join', id: 'j1', rooms: ['lobby', 'news'] };
 * ```
 */
export interface JoinFrame {
  readonly type: 'join';
  readonly id: string;
  /** At most 1,000 non-empty room names of at most 1,024 UTF-16 units each. */
  readonly rooms: readonly string[];
}

/**
 * Leaves rooms. Body: `[6, id, rooms]`.
 *
 * @example
 * ```ts
 * const f: LeaveFrame = { type: 'leave', id: 'l1', rooms: ['news'] };
 * ```
 */
export interface LeaveFrame {
  readonly type: 'leave';
  readonly id: string;
  /** At most 1,000 non-empty room names of at most 1,024 UTF-16 units each. */
  readonly rooms: readonly string[];
}

/**
 * A keepalive probe; the peer answers PONG. Body: `[7]`.
 *
 * @example
 * ```ts
 * const f: PingFrame = { type: 'ping' };
 * ```
 */
export interface PingFrame {
  readonly type: 'ping';
}

/**
 * The answer to PING. Body: `[8]`.
 *
 * @example
 * ```ts
 * const f: PongFrame = { type: 'pong' };
 * ```
 */
export interface PongFrame {
  readonly type: 'pong';
}

/**
 * The last frame before a close, in either direction.
 * Body: `[9, reason, reconnectAfterMs|null, message|null]`.
 *
 * @example
 * ```ts
 * const f: DisconnectFrame = { type: 'disconnect', reason: REASON.SERVER_SHUTTING_DOWN, reconnectAfterMs: 5_000 };
 * ```
 */
export interface DisconnectFrame {
  readonly type: 'disconnect';
  readonly reason: ReasonCode;
  /** A hint: wait at least this long before reconnecting (an integer ≤ 2^31−1). */
  readonly reconnectAfterMs?: number;
  /** A human-readable explanation, for logs. */
  readonly message?: string;
}
