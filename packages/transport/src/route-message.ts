/** The default message handler: a room message goes to the room, a targeted one to its client id. */
import { REASON } from '@switchboard/protocol';
import type { MessageFrame, ReasonCode } from '@switchboard/protocol';
import type { ConnectionContext } from './connection-context.js';

/**
 * Routes a client's MESSAGE: with `room`, to every other member of the room (the sender must be
 * in it: NOT_AUTHORIZED otherwise); with `target`, to that client id through the channel manager
 * (queued in its session if it is offline). ACK reason NO_MATCHING_TARGET when no one got it;
 * PROTOCOL_ERROR without either.
 *
 * @example
 * ```ts
 * createServer({ ..., handlers: { message: (conn, m) => (m.payload === 'ping?' ? conn.send('pong!') : routeMessage(conn, m)) } });
 * ```
 */
export function routeMessage(connection: ConnectionContext, message: MessageFrame): ReasonCode {
  if (message.room !== undefined) {
    if (!connection.rooms().includes(message.room)) return REASON.NOT_AUTHORIZED;
    const reached = connection.broadcast(message.room, message.payload, { exceptSelf: true });
    return reached > 0 ? REASON.SUCCESS : REASON.NO_MATCHING_TARGET;
  }
  if (message.target !== undefined) {
    return connection.deliver(message.target, message.payload, { id: message.id })
      ? REASON.SUCCESS
      : REASON.NO_MATCHING_TARGET;
  }
  return REASON.PROTOCOL_ERROR;
}
