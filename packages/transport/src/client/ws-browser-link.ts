/**
 * The WebSocket link for browsers, on the global `WebSocket` (`binaryType = 'arraybuffer'`). It
 * imports nothing from Node, so it can be bundled for a page.
 */
import type { Link, LinkHandlers } from './link.js';

/** The part of the browser's `WebSocket` the link uses (the compiler here has no DOM types). */
export interface BrowserWebSocket {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor: the browser's, or any with the same interface (`ws` in tests). */
export type BrowserWebSocketConstructor = new (url: string) => BrowserWebSocket;

const CONNECTING = 0;
const OPEN = 1;

/**
 * Makes a link factory on a `WebSocket` constructor, by default `globalThis.WebSocket`.
 *
 * @example
 * ```ts
 * const client = createClient('wss://chat.example.com/switchboard', createWsBrowserLink(), { clientId: 'alice' });
 * ```
 */
export function createWsBrowserLink(
  WebSocketClass?: BrowserWebSocketConstructor,
): (url: string, handlers: LinkHandlers) => Link {
  return (url, handlers) => {
    const Ctor = WebSocketClass ?? (globalThis as { WebSocket?: BrowserWebSocketConstructor }).WebSocket;
    if (Ctor === undefined) throw new TypeError('no global WebSocket in this environment');
    const socket = new Ctor(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => handlers.onOpen();
    socket.onmessage = (event) => {
      const { data } = event;
      if (data instanceof ArrayBuffer) {
        handlers.onData(new Uint8Array(data));
        return;
      }
      handlers.onError(new TypeError('the server sent a text message; the protocol is binary'));
      socket.close(1003);
    };
    // The browser's error event says nothing useful (on purpose); the close event follows it.
    socket.onerror = () => handlers.onError(new Error(`WebSocket error on ${url}`));
    socket.onclose = () => handlers.onClose();
    return {
      send(bytes) {
        if (socket.readyState === OPEN) socket.send(bytes);
      },
      close() {
        if (socket.readyState === CONNECTING || socket.readyState === OPEN) socket.close(1000);
      },
    };
  };
}
