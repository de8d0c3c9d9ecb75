import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { DisconnectFrame } from '@switchboard/protocol';
import { rawClient } from './support/raw-client.js';
import type { RawClient } from './support/raw-client.js';
import { serverWorld } from './support/server-world.js';
import type { ServerWorld } from './support/server-world.js';

let world: ServerWorld | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await world?.stop();
  world = undefined;
});

describe('drain', () => {
  it(
    'stops accepting, tells every client with a reconnect hint, closes at the rate',
    { timeout: 30_000 },
    async () => {
      const w = (world = await serverWorld());
      const n = 40;
      for (let i = 0; i < n; i++) {
        const c = await rawClient(i % 2 ? w.tcpUrl : w.wsUrl);
        clients.push(c);
        await c.connect(`d${i}`);
      }
      // These clients never close by themselves: the server must close them, at 100/s → ≥ ~390 ms.
      const closedAt: number[] = [];
      for (const c of clients) void c.closed.then(() => closedAt.push(Date.now()));
      const t0 = Date.now();
      const result = await w.server.drain({ ratePerSec: 100, timeoutMs: 10_000, reconnectAfterMs: 2500 });
      expect(result).toEqual({ closed: n, forced: 0 });
      for (const c of clients) {
        await c.closed;
        expect(c.disconnectFrame()).toMatchObject<Partial<DisconnectFrame>>({
          reason: REASON.SERVER_SHUTTING_DOWN,
          reconnectAfterMs: 2500,
        });
      }
      const spread = Math.max(...closedAt) - t0;
      expect(spread).toBeGreaterThanOrEqual(((n - 1) / 100) * 1000 * 0.8);
      // No longer accepting: a new socket is refused (or cannot connect at all).
      const late = await rawClient(w.tcpUrl).catch(() => undefined);
      if (late) {
        clients.push(late);
        await late.closed;
        expect(late.frames.some((f) => f.type === 'connack')).toBe(false);
      }
    },
  );

  it('force-closes what is still open at the timeout', { timeout: 30_000 }, async () => {
    const w = (world = await serverWorld());
    for (let i = 0; i < 10; i++) {
      const c = await rawClient(w.tcpUrl);
      clients.push(c);
      await c.connect(`f${i}`);
    }
    const result = await w.server.drain({ ratePerSec: 5, timeoutMs: 300 });
    expect(result.forced).toBeGreaterThan(0);
    expect(result.closed + result.forced).toBe(10);
    await Promise.all(clients.map((c) => c.closed));
    expect(w.server.stats().sockets.count).toBe(0);
  });
});
