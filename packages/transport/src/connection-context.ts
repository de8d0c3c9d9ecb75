/**
 * What a handler or hook sees of a connection: who it is, and what it may do (send to it, put it
 * in rooms, broadcast, deliver to another client id through the channel manager, close it).
 */
import type { MessageFrame, ReasonCode } from '@switchboard/protocol';
import type { Pid } from '@switchboard/runtime';

/** A connection as handlers and hooks see it. */
export interface ConnectionContext {
  readonly clientId: string;
  /** The connection process (the channel machine). */
  readonly pid: Pid;
  readonly transport: 'tcp' | 'ws';
  /** `address:port` of the peer. */
  readonly peer: string;
  /** Extra client info from `authenticate` (e.g. `username`). */
  readonly clientInfo: Readonly<Record<string, unknown>>;
  /** Handler data that lives as long as the connection (Zinx's connection properties). */
  readonly data: Map<string, unknown>;
  /** Sends a MESSAGE to this client only (not through its session). False if it was dropped or the socket is gone. */
  send(payload: unknown, options?: { readonly room?: string; readonly id?: string }): boolean;
  /** Joins a room; false if already in it, or if the connection has ended (no leak). */
  join(room: string): boolean;
  leave(room: string): boolean;
  /** The rooms this connection is in. */
  rooms(): readonly string[];
  /** Sends to every member of `room` (encoded once); returns how many got it. */
  broadcast(room: string, payload: unknown, options?: { readonly exceptSelf?: boolean }): number;
  /** Delivers to a client id through the channel manager (queued in its session if it is offline). */
  deliver(clientId: string, payload: unknown, options?: { readonly id?: string }): boolean;
  /** Closes this connection with a reason. */
  close(reason?: ReasonCode, message?: string): void;
}

/**
 * Handles a MESSAGE from a client, inside its connection process. Return (or resolve to) the
 * reason for the ACK (default SUCCESS). A throw or a rejection ends this connection only
 * (DISCONNECT HANDLER_ERROR); the ACK is not sent.
 */
export type MessageHandler = (
  connection: ConnectionContext,
  message: MessageFrame,
) => ReasonCode | undefined | void | Promise<ReasonCode | undefined | void>;

/** The server's handlers. */
export interface Handlers {
  /** Default: {@link routeMessage} (room → broadcast to the other members, target → deliver). */
  readonly message?: MessageHandler;
  /** Decides whether the client may join `room`. Default: yes. */
  readonly authorizeJoin?: (connection: ConnectionContext, room: string) => boolean;
}
