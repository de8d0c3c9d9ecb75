// The outbound queue behind a real socket: frames that wait because the socket held more than
// `socketHighWaterBytes` must go out once the client reads again, whatever that mark is — also
// below Node's own writable high-water mark (16 KiB), where a write never returns false and the
// socket therefore never emits 'drain'.
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '@switchboard/protocol';
import { rawClient, until } from './support/raw-client.js';
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

describe.each(['tcp', 'ws'] as const)('socketHighWaterBytes below the socket’s own mark (%s)', (kind) => {
  it('queued frames go out once a paused client reads again', { timeout: 30_000 }, async () => {
    const w = (world = await serverWorld({
      outbound: { socketHighWaterBytes: 1024, maxQueueMessages: 100_000, maxQueueBytes: 64 << 20 },
    }));
    const c = await rawClient(kind === 'tcp' ? w.tcpUrl : w.wsUrl);
    clients.push(c);
    await c.connect('reader');
    c.send({ type: 'join', id: 'j', rooms: ['feed'] });
    await c.next((f: Frame) => f.type === 'ack');
    // Arrange: the client stops reading; send until frames wait in the server's queue.
    c.pause();
    const payload = new Uint8Array(4096);
    let sent = 0;
    while ((w.server.connectionInfo('reader')?.queueLength ?? 0) < 10 && sent < 20_000) {
      w.server.broadcast('feed', payload, { id: `f${sent}` });
      sent++;
      if (sent % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(w.server.connectionInfo('reader')?.queueLength).toBeGreaterThan(0);
    // Act: the client reads again.
    c.resume();
    // Assert: everything sent arrives, and the queue empties.
    await until(() => c.messages().length === sent, 10_000, `all ${sent} messages`);
    expect(w.server.connectionInfo('reader')?.queueLength).toBe(0);
  });
});
