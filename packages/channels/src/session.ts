/**
 * Sessions: what a client keeps across connections (undelivered messages, rooms, expiry). The
 * channel manager moves them between channel processes by takeover; the store that creates and
 * transforms them is pluggable (`SessionStore`), with an in-memory default.
 */

/** A message delivered to a client. `id` is unique per publisher: takeover de-duplicates by it. */
export interface ChannelMessage {
  readonly id: string;
  readonly payload: unknown;
  /** The room (topic) it was published to, if any. */
  readonly room?: string | undefined;
  /** The publishing client id, if a client published it. */
  readonly from?: string | undefined;
}

/** Who the client is (from CONNECT and authentication). */
export interface ClientInfo {
  readonly clientId: string;
  readonly username?: string | undefined;
  /** Session expiry in ms: 0 ends the session with its connection; `Infinity` never expires. */
  readonly sessionExpiryMs?: number | undefined;
  readonly [key: string]: unknown;
}

/** How the client is connected. `transport` plays EMQX's `conn_mod` (e.g. `'tcp'`, `'ws'`). */
export interface ConnInfo {
  readonly transport: string;
  readonly peer?: string | undefined;
  readonly connectedAt?: number | undefined;
  readonly [key: string]: unknown;
}

/**
 * A pluggable session implementation. Sessions are values: every operation returns the new
 * session (the in-memory store may mutate and return the same object).
 */
export interface SessionStore<TSession = unknown> {
  /** A fresh session for a clean start or when there is nothing to take over. */
  create(clientInfo: ClientInfo, connInfo: ConnInfo, now: number): TSession;
  /** Adopts a session taken over from an old channel, for the new connection. */
  resume(session: TSession, clientInfo: ClientInfo, connInfo: ConnInfo, now: number): TSession;
  /** Queues a message for a client that is not connected. */
  enqueue(session: TSession, message: ChannelMessage): TSession;
  /** Takes every queued message out (to send on connect), oldest first. */
  drain(session: TSession): { readonly session: TSession; readonly messages: readonly ChannelMessage[] };
  /** The session's expiry in ms (0: it ends with its connection and is never handed over). */
  expiryMs(session: TSession): number;
  /** Serialises for a cross-node takeover (msgpackr). */
  serialise(session: TSession): Uint8Array;
  /** @throws CH_ERR_BAD_SESSION */
  deserialise(bytes: Uint8Array): TSession;
}
