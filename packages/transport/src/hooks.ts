/**
 * The server's hooks: authentication at CONNECT, and the start and stop of every connection
 * (Zinx's OnConnStart / OnConnStop). The channel manager's own hooks (session created, resumed,
 * taken over, …) are set on the channel manager.
 */
import type { ReasonCode } from '@switchboard/protocol';
import type { ConnectionContext } from './connection-context.js';

/** What `authenticate` sees of a CONNECT. */
export interface AuthRequest {
  readonly clientId: string;
  readonly credentials: unknown;
  readonly cleanStart: boolean;
  readonly transport: 'tcp' | 'ws';
  readonly peer: string;
}

/**
 * `authenticate`'s answer: `true`/`false`, or an object that may refuse with a reason or accept
 * with extra client info (e.g. `username`) stored with the session.
 */
export type AuthVerdict =
  | boolean
  | { readonly ok: true; readonly clientInfo?: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason?: ReasonCode };

/** The hooks of `createServer`. */
export interface ServerHooks {
  /**
   * Decides whether a CONNECT may open (or take over) its client id's session. It runs before
   * the client id's lock is taken, so a client that fails it can never take a session over.
   * A throw or rejection refuses the client (NOT_AUTHORIZED). Default: everyone is accepted.
   */
  readonly authenticate?: (request: AuthRequest) => AuthVerdict | Promise<AuthVerdict>;
  /** A connection is open (CONNACK sent). A throw is logged; the connection stays. */
  readonly onConnStart?: (connection: ConnectionContext) => void;
  /**
   * A started connection's socket is gone, with why: `'peer_closed'`, `'client_disconnect'`,
   * `'idle_timeout'`, `'slow_consumer'`, `'kicked'`, `'takenover'`, `'discarded'`, an error, …
   */
  readonly onConnStop?: (connection: ConnectionContext, reason: string) => void;
}
