/**
 * The `Link` port: the one thing the client core needs from a socket. A link moves bytes that
 * are already framed; the client owns the protocol. One link per connection attempt: a reconnect
 * opens a new one. Implementations: `tcp-link.ts` (node:net), `ws-node-link.ts` (the `ws`
 * package), `ws-browser-link.ts` (the browser's `WebSocket`).
 */

/**
 * What a link reports. The contract every implementation keeps:
 * - `onOpen` at most once, before any `onData`;
 * - `onData` with bytes in arrival order, in chunks of any size (a chunk may hold part of a frame
 *   or many frames);
 * - `onError` zero or more times, each followed sooner or later by `onClose`;
 * - `onClose` exactly once, whether the link opened or not, and nothing after it.
 */
export interface LinkHandlers {
  onOpen(): void;
  onData(bytes: Uint8Array): void;
  onError(error: unknown): void;
  onClose(): void;
}

/** One open (or opening) connection to a server. */
export interface Link {
  /** Queues bytes for the server. A no-op once the link is closing or closed. */
  send(bytes: Uint8Array): void;
  /**
   * Closes the link after the bytes already sent are flushed; `onClose` follows. Idempotent; may
   * be called while the link is still opening.
   */
  close(): void;
}

/**
 * Opens links to one kind of URL. The client calls it once per connection attempt.
 *
 * @example
 * ```ts
 * // An in-memory link for tests: everything sent is looped back.
 * const loopback: LinkFactory = (_url, handlers) => {
 *   queueMicrotask(() => handlers.onOpen());
 *   return {
 *     send: (bytes) => handlers.onData(bytes),
 *     close: () => queueMicrotask(() => handlers.onClose()),
 *   };
 * };
 * ```
 */
export type LinkFactory = (url: string, handlers: LinkHandlers) => Link;
