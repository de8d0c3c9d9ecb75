/**
 * The TCP link (Node only): `tcp://host:port`. The protocol's frames go on the stream as they
 * are; Nagle is off so that small frames (PONG, ACKs) leave at once.
 */
import { createConnection } from 'node:net';
import { InvalidClientOption } from './errors.js';
import type { Link, LinkHandlers } from './link.js';

/**
 * Opens a TCP connection to `tcp://host:port`.
 *
 * @example
 * ```ts
 * const client = createClient('tcp://127.0.0.1:7000', createTcpLink, { clientId: 'alice' });
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION when the URL is not `tcp://host:port`.
 */
export function createTcpLink(url: string, handlers: LinkHandlers): Link {
  const { host, port } = parseTcpUrl(url);
  const socket = createConnection({ host, port, noDelay: true });
  socket.on('connect', () => handlers.onOpen());
  socket.on('data', (chunk: Buffer) => handlers.onData(chunk));
  socket.on('error', (error) => handlers.onError(error));
  socket.on('close', () => handlers.onClose());
  return {
    send(bytes) {
      if (!socket.destroyed && socket.writable) socket.write(bytes);
    },
    close() {
      // Still connecting: nothing to flush. Otherwise flush what was written, then close
      // without waiting for the server's FIN.
      if (socket.connecting) socket.destroy();
      else socket.destroySoon();
    },
  };
}

/**
 * Reads host and port from a `tcp://host:port` URL (IPv6 hosts in brackets).
 *
 * @example
 * ```ts
 * parseTcpUrl('tcp://[::1]:7000'); // { host: '::1', port: 7000 }
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION when the URL is not `tcp://host:port`.
 */
export function parseTcpUrl(url: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidClientOption(`not a URL: ${url}`, { cause });
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'tcp:' || parsed.hostname === '' || !(port > 0 && port < 65_536)) {
    throw new InvalidClientOption(`a TCP URL is tcp://host:port, got ${url}`);
  }
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}
