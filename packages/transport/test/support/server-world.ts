/** A live runtime, channel manager and transport server on 127.0.0.1 (ports picked by the OS). */
import { createChannelManager } from '@switchboard/channels';
import type { ChannelManager, ChannelManagerOptions } from '@switchboard/channels';
import { createRuntime } from '@switchboard/runtime';
import type { Runtime } from '@switchboard/runtime';
import { createServer } from '../../src/server.js';
import type { Server, ServerOptions } from '../../src/server.js';

export interface ServerWorld {
  readonly rt: Runtime;
  readonly cm: ChannelManager;
  readonly server: Server;
  readonly tcpUrl: string;
  readonly wsUrl: string;
  /** Tables and counts agree, and every row's pid is alive. */
  invariants(): string[];
  stop(): Promise<void>;
}

export async function serverWorld(
  options: Partial<Omit<ServerOptions, 'runtime' | 'channels'>> & { channels?: ChannelManagerOptions } = {},
): Promise<ServerWorld> {
  const rt = createRuntime();
  const { channels: cmOptions, ...serverOptions } = options;
  const cm = createChannelManager(rt, { timeouts: { kickMs: 2000, takeoverMs: 2000 }, ...cmOptions });
  const server = createServer({
    runtime: rt,
    channels: cm,
    tcp: { host: '127.0.0.1', port: 0 },
    ws: { host: '127.0.0.1', port: 0, path: '/sb' },
    ...serverOptions,
  });
  const addresses = await server.ready;
  return {
    rt,
    cm,
    server,
    tcpUrl: addresses.tcp?.url ?? '',
    wsUrl: addresses.ws?.url ?? '',
    invariants: () => cm.tables.invariants((pid) => rt.isAlive(pid)),
    async stop() {
      await server.close();
      await cm.close();
      await rt.shutdown();
    },
  };
}
