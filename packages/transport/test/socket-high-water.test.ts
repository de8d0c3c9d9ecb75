// The outbound queue behind a real socket: frames that wait because the socket held more than
// `socketHighWaterBytes` must go out, all of them and in order, once the client reads again, whatever
// that mark is. Below Node's own writable high-water mark (16 KiB) a write never returns false and the
// socket never emits 'drain': the wire then passes a write callback with every write. At or above it
// (the default, 64 KiB, and exactly 16 KiB) writes take no callback at all: the write that filled the
// socket past its own mark made it owe a 'drain', and that 'drain' alone must flush the queue.
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

const MARKS = [
  ['below the socket’s own mark (write callbacks)', 1024],
  ['equal to the socket’s own mark (no write callbacks)', 16_384],
  ['the default, above the socket’s own mark (no write callbacks)', undefined],
] as const;

describe.each(['tcp', 'ws'] as const)('%s', (kind) => {
  describe.each(MARKS)('socketHighWaterBytes %s', (_what, mark) => {
    it('queued frames go out, in order, once a paused client reads again', { timeout: 30_000 }, async () => {
      const w = (world = await serverWorld({
        outbound: {
          ...(mark === undefined ? {} : { socketHighWaterBytes: mark }),
          maxQueueMessages: 100_000,
          maxQueueBytes: 64 << 20,
        },
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
      // Assert: everything sent arrives, in order, and the queue empties.
      await until(() => c.messages().length === sent, 10_000, `all ${sent} messages`);
      expect(c.messages().map((m) => m.id)).toEqual(Array.from({ length: sent }, (_, i) => `f${i}`));
      expect(w.server.connectionInfo('reader')?.queueLength).toBe(0);
    });
  });
});
