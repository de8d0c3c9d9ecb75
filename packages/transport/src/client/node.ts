/**
 * `@switchboard/transport/client` for Node: `connect` over TCP (`tcp://host:port`) or WebSocket
 * (`ws://`, `wss://`, with the `ws` package), plus everything the browser entry exports.
 */
import { createClient, type Client } from './client.js';
import { InvalidClientOption } from './errors.js';
import type { LinkFactory } from './link.js';
import type { ClientOptions } from './options.js';
import { createTcpLink, parseTcpUrl } from './tcp-link.js';
import { createWsNodeLink } from './ws-node-link.js';

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
export { createTcpLink, parseTcpUrl } from './tcp-link.js';
export { createWsNodeLink } from './ws-node-link.js';

/**
 * Connects to a Switchboard server and keeps connected: the link is chosen by the URL's scheme
 * (`tcp:` → TCP, `ws:`/`wss:` → WebSocket). The client starts connecting at once; requests made
 * before CONNACK wait in the offline queue.
 *
 * @example
 * ```ts
 * import { connect, REASON } from '@switchboard/transport/client';
 *
 * const client = connect('tcp://127.0.0.1:7000', { clientId: 'alice', reconnect: { maxDelayMs: 5_000 } });
 * client.on('message', (m) => console.log(m.from, m.payload));
 * client.on('close', ({ reason, willReconnect }) => console.log('closed', reason, willReconnect));
 * await client.connected();
 * await client.join('lobby');
 * const reason = await client.publish({ room: 'lobby' }, { text: 'hello' });
 * if (reason === REASON.NO_MATCHING_TARGET) console.log('no one in the lobby');
 * await client.close();
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION for a URL that is not tcp://, ws:// or wss://, or an invalid option.
 */
export function connect(url: string, options: ClientOptions): Client {
  return createClient(url, linkFor(url), options);
}

function linkFor(url: string): LinkFactory {
  const scheme = typeof url === 'string' ? /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() : undefined;
  if (scheme === 'tcp') {
    parseTcpUrl(url); // a bad host or port fails here, not on every reconnect
    return createTcpLink;
  }
  if (scheme === 'ws' || scheme === 'wss') return createWsNodeLink;
  throw new InvalidClientOption(`connect takes a tcp://, ws:// or wss:// URL, got ${String(url)}`);
}
