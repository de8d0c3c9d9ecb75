/**
 * The {@link ConnectionContext} a handler or hook gets: a class, so its methods live once on the
 * prototype. An object literal of closures (and a getter) cost ≈ 1 KB per connection that ever
 * met a handler, and gave each one a hidden class of its own. Call the methods on the context
 * (`ctx.send(...)`), as with any class instance.
 */
import { REASON } from '@switchboard/protocol';
import type { ReasonCode } from '@switchboard/protocol';
import type { Pid } from '@switchboard/runtime';
import type { Connection } from './connection.js';
import type { ConnectionContext } from './connection-context.js';

/** What every handle of one server acts through (one object per server). */
export interface HandleServer {
  nextId(): string;
  join(connection: Connection, room: string): boolean;
  leave(connection: Connection, room: string): boolean;
  roomsOf(connection: Connection): readonly string[];
  broadcast(connection: Connection, room: string, payload: unknown, exceptSelf: boolean): number;
  deliver(connection: Connection, clientId: string, payload: unknown, id: string | undefined): boolean;
}

/**
 * @example
 * ```ts
 * const ctx = new ConnectionHandle(conn, clientInfo, server);
 * ctx.join('lobby');
 * ```
 */
export class ConnectionHandle implements ConnectionContext {
  readonly clientId: string;
  readonly pid: Pid;
  readonly transport: 'tcp' | 'ws';
  readonly peer: string;
  readonly #connection: Connection;
  readonly #server: HandleServer;

  constructor(
    connection: Connection,
    readonly clientInfo: Readonly<Record<string, unknown>>,
    server: HandleServer,
  ) {
    this.clientId = connection.clientId ?? '';
    this.pid = connection.pid as Pid;
    this.transport = connection.transport;
    this.peer = connection.wire.peer;
    this.#connection = connection;
    this.#server = server;
  }

  get data(): Map<string, unknown> {
    return this.#connection.data;
  }

  send(payload: unknown, options: { readonly room?: string; readonly id?: string } = {}): boolean {
    const r = this.#connection.send({
      type: 'message',
      id: options.id ?? this.#server.nextId(),
      payload,
      ...(options.room === undefined ? {} : { room: options.room }),
    });
    return r === 'written' || r === 'queued';
  }

  join(room: string): boolean {
    return this.#server.join(this.#connection, room);
  }

  leave(room: string): boolean {
    return this.#server.leave(this.#connection, room);
  }

  rooms(): readonly string[] {
    return this.#server.roomsOf(this.#connection);
  }

  broadcast(room: string, payload: unknown, options: { readonly exceptSelf?: boolean } = {}): number {
    return this.#server.broadcast(this.#connection, room, payload, options.exceptSelf === true);
  }

  deliver(clientId: string, payload: unknown, options: { readonly id?: string } = {}): boolean {
    return this.#server.deliver(this.#connection, clientId, payload, options.id);
  }

  close(reason: ReasonCode = REASON.SUCCESS, message?: string): void {
    this.#connection.disconnect(reason, 'closed_by_handler', message === undefined ? {} : { message });
  }
}
