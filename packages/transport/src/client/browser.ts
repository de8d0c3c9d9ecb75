/**
 * `@switchboard/transport/client` for browsers: `connect` over the global `WebSocket` (`ws://`,
 * `wss://`). Nothing reachable from this file imports Node, so a bundler can pack it for a page.
 */
import { createClient, type Client } from './client.js';
import { InvalidClientOption } from './errors.js';
import type { ClientOptions } from './options.js';
import { createWsBrowserLink } from './ws-browser-link.js';

// The same exports in browser.ts and node.ts (node.ts adds the Node links).
export { createClient } from './client.js';
export type { Client, ClientEvents, ClientState, PublishOptions, PublishTarget } from './client.js';
export type { ClientOptions, ClientTimers, ReconnectOptions } from './options.js';
export type { Link, LinkFactory, LinkHandlers } from './link.js';
export type { Unsubscribe } from './events.js';
export { backoffDelay } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { createWsBrowserLink } from './ws-browser-link.js';
export type { BrowserWebSocket, BrowserWebSocketConstructor } from './ws-browser-link.js';
export {
  ClientClosed,
  ConnectTimeout,
  ConnectionLost,
  ConnectionRefused,
  InvalidClientOption,
  KeepaliveTimeout,
  OfflineQueueFull,
  RequestRejected,
  ServerProtocolError,
  TransportError,
  isClientError,
} from './errors.js';
export type { ClientError, ClientErrorClass, ClientErrorCode, ClientErrorOptions } from './errors.js';
export { REASON, reasonName } from '@switchboard/protocol';
export type { DisconnectFrame, MessageFrame, ReasonCode, ReasonName } from '@switchboard/protocol';

/**
 * Connects to a Switchboard server over the browser's `WebSocket` and keeps connected.
 *
 * @example
 * ```ts
 * import { connect } from '@switchboard/transport/client';
 *
 * const client = connect(`wss://${location.host}/switchboard`, { clientId: crypto.randomUUID() });
 * client.on('message', (m) => render(m.payload));
 * await client.join('lobby');
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION for a URL that is not ws:// or wss://, or an invalid option.
 */
export function connect(url: string, options: ClientOptions): Client {
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) {
    throw new InvalidClientOption(`connect takes a ws:// or wss:// URL in a browser, got ${String(url)}`);
  }
  return createClient(url, createWsBrowserLink(), options);
}
