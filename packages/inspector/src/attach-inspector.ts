/**
 * `attachInspector`: the inspector on its own HTTP server, on 127.0.0.1 and a random token by
 * default. To share a server you already run, use `createInspectorHandler` instead.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '@switchboard/runtime';
import { InspectorListenFailed } from './errors.js';
import { createInspectorHandler } from './inspector-handler.js';
import type { InspectorHandler } from './inspector-handler.js';
import type { Ticker } from './inspector-hub.js';
import type { InspectorOptions } from './options.js';

export interface Inspector {
  /** The page's URL, token included: open it in a browser. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  readonly handler: InspectorHandler;
  /** Closes the pages' feeds and the server. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves the inspector for `runtime`. Resolves once listening.
 *
 * @example
 * ```ts
 * const inspector = await attachInspector(runtime, { channels, transport: server, port: 7002 });
 * console.log(inspector.url); // http://127.0.0.1:7002/?token=…
 * ```
 * @throws INSPECTOR_ERR_LISTEN (rejection), INSPECTOR_ERR_INVALID_OPTION, INSPECTOR_ERR_APP_NOT_BUILT
 */
export async function attachInspector(
  runtime: Runtime,
  options: InspectorOptions & { readonly ticker?: Ticker } = {},
): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const handler = createInspectorHandler(runtime, { ...options, basePath: '/' });
  const server = createServer((req, res) => {
    if (!handler.handleRequest(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!handler.handleUpgrade(req, socket, head)) socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    handler.close();
    throw new InspectorListenFailed(`${host}:${options.port ?? 0}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}${handler.pagePath}`,
    token: handler.token,
    port,
    handler,
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
