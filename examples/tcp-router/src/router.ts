/**
 * A message-type router in the style of Zinx's MsgHandler: a client's MESSAGE payload is
 * `{ type: number, body }`, and the handler registered for that type runs, inside the client's
 * connection process. Replies go back as `{ type, body }` MESSAGEs through the connection's
 * bounded outbound queue (Zinx's buffered send), so a slow reader never blocks the handler.
 */
import { REASON } from '@switchboard/protocol';
import type { MessageFrame, ReasonCode } from '@switchboard/protocol';
import type { ConnectionContext, MessageHandler } from '@switchboard/transport';

/** The payload of every routed message, in both directions. */
export interface RoutedPayload {
  readonly type: number;
  readonly body: unknown;
}

/**
 * One routed message, as a handler sees it (Zinx's IRequest): which connection sent it, its type
 * and body, and a way to answer.
 */
export interface Request {
  readonly connection: ConnectionContext;
  readonly type: number;
  readonly body: unknown;
  /** The MESSAGE frame's id (the client's ACK carries it). */
  readonly id: string;
  /** Sends `{ type, body }` back to this client through its outbound queue; false if it was dropped. */
  reply(type: number, body: unknown): boolean;
}

/**
 * Handles one message type. Return nothing for an ACK with SUCCESS, or a reason code. A throw (or a
 * rejection) ends only this client's connection, with DISCONNECT HANDLER_ERROR.
 */
export type RouteHandler = (
  request: Request,
) => ReasonCode | undefined | void | Promise<ReasonCode | undefined | void>;

/**
 * Routes `{ type, body }` messages to the handler registered for `type`.
 *
 * @example
 * ```ts
 * const router = new Router()
 *   .add(1, (req) => void req.reply(1, 'pong'))
 *   .add(2, (req) => void req.reply(2, req.body));
 * createServer({ runtime, channels, tcp: { port: 7100 }, handlers: { message: router.handle } });
 * ```
 */
export class Router {
  private readonly routes = new Map<number, RouteHandler>();

  /**
   * Registers the handler of a message type; chainable.
   *
   * @example
   * ```ts
   * router.add(1, (req) => void req.reply(1, 'pong'));
   * ```
   * @throws {TypeError} when `type` is not a non-negative integer, or already has a handler.
   */
  add(type: number, handler: RouteHandler): this {
    if (!Number.isSafeInteger(type) || type < 0)
      throw new TypeError(`message type must be a non-negative integer, got ${String(type)}`);
    if (this.routes.has(type)) throw new TypeError(`message type ${type} already has a handler`);
    this.routes.set(type, handler);
    return this;
  }

  /** The message types with a handler, in registration order. */
  types(): number[] {
    return [...this.routes.keys()];
  }

  /**
   * The transport's message handler: pass it as `handlers.message`. A payload that is not
   * `{ type: integer, body }` is ACKed with PROTOCOL_ERROR, a type without a handler with
   * NO_MATCHING_TARGET.
   *
   * @example
   * ```ts
   * createServer({ runtime, channels, tcp: { port: 0 }, handlers: { message: router.handle } });
   * ```
   */
  readonly handle: MessageHandler = (connection, message: MessageFrame) => {
    const payload = message.payload;
    if (!isRoutedPayload(payload)) return REASON.PROTOCOL_ERROR;
    const handler = this.routes.get(payload.type);
    if (!handler) return REASON.NO_MATCHING_TARGET;
    return handler({
      connection,
      type: payload.type,
      body: payload.body,
      id: message.id,
      reply: (type, body) => connection.send({ type, body } satisfies RoutedPayload),
    });
  };
}

/**
 * True for `{ type: non-negative integer, body?: anything }`.
 *
 * @example
 * ```ts
 * isRoutedPayload({ type: 1, body: 'ping' }); // true
 * ```
 */
export function isRoutedPayload(value: unknown): value is RoutedPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'number' && Number.isSafeInteger(type) && type >= 0;
}
