/**
 * The WebSocket link for Node, on the `ws` package: `ws://` and `wss://` URLs. Each binary
 * message carries whole frames in the protocol's byte format; a text message is not part of the
 * protocol, so it ends the link.
 */
import { WebSocket } from 'ws';
import type { Link, LinkHandlers } from './link.js';

/**
 * Opens a WebSocket to a `ws://` or `wss://` URL with the `ws` package.
 *
 * @example
 * ```ts
 * const client = createClient('ws://127.0.0.1:7001/switchboard', createWsNodeLink, { clientId: 'alice' });
 * ```
 */
export function createWsNodeLink(url: string, handlers: LinkHandlers): Link {
  // No compression: frames are msgpack, mostly small, and deflate costs memory per socket.
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.binaryType = 'nodebuffer';
  socket.on('open', () => handlers.onOpen());
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      handlers.onData(data);
      return;
    }
    handlers.onError(new TypeError('the server sent a text message; the protocol is binary'));
    socket.close(1003);
  });
  socket.on('error', (error) => handlers.onError(error));
  socket.on('close', () => handlers.onClose());
  return {
    send(bytes) {
      if (socket.readyState === WebSocket.OPEN) socket.send(bytes);
    },
    close() {
      // While CONNECTING, `ws` aborts the handshake (and reports an error the client ignores).
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN)
        socket.close(1000);
    },
  };
}
