/**
 * Many real sockets at once: connect, exchange, leave; duplicate-id storms; takeover under a
 * stream of messages. Everything waits on conditions, bounded in time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REASON } from '@switchboard/protocol';
import type { ConnackFrame, DisconnectFrame, Frame, MessageFrame } from '@switchboard/protocol';
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
async function client(url: string) {
  const c = await rawClient(url);
  clients.push(c);
  return c;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('load over real sockets', () => {
  it(
    '1,000 clients connect, exchange messages and leave; tables and counts return to zero',
    { timeout: 60_000 },
    async () => {
      const w = (world = await serverWorld());
      const n = 1000;
      const ids = Array.from({ length: n }, (_, i) => i);
      const cs: RawClient[] = new Array<RawClient>(n);
      await inBatches(ids, 100, async (i) => {
        const c = await client(i % 2 === 0 ? w.tcpUrl : w.wsUrl);
        cs[i] = c;
        expect(await c.connect(`load-${i}`)).toMatchObject({ type: 'connack' });
      });
      expect(w.cm.connectedClientCount()).toBe(n);
      expect(w.server.stats().connections.count).toBe(n);
      // Each client sends one message to its right neighbour and receives one from its left.
      await inBatches(ids, 200, async (i) => {
        const c = cs[i] as RawClient;
        c.send({ type: 'message', id: `m${i}`, target: `load-${(i + 1) % n}`, payload: i });
        await c.next((f) => f.type === 'ack' && f.id === `m${i}`);
      });
      await inBatches(ids, 200, async (i) => {
        const got = await (cs[i] as RawClient).next<MessageFrame>((f) => f.type === 'message');
        expect(got.payload).toBe((i + n - 1) % n);
      });
      await inBatches(ids, 200, async (i) => {
        const c = cs[i] as RawClient;
        c.send({ type: 'disconnect', reason: REASON.SUCCESS });
        await c.closed;
      });
      // Sessions outlive sockets (no expiry given): kick them all, then everything is empty.
      await until(
        () => w.cm.connectedClientCount() === 0 && w.server.stats().sockets.count === 0,
        20_000,
        'all gone',
      );
      for (const i of ids) await w.cm.discardSession(`load-${i}`);
      await until(() => w.cm.tables.allChannels().length === 0, 20_000, 'channels cleaned');
      await w.cm.sync();
      expect(w.cm.stats().channels.count).toBe(0);
      expect(w.server.stats().connections.count).toBe(0);
      expect(w.server.stats().connections.max).toBe(n);
      expect(w.invariants()).toEqual([]);
    },
  );

  it(
    'duplicate-id storm: 200 ids × 5 simultaneous resume connects → exactly one live connection per id',
    { timeout: 60_000 },
    async () => {
      const w = (world = await serverWorld({ channels: { timeouts: { kickMs: 2000, takeoverMs: 2000 } } }));
      const ids = Array.from({ length: 200 }, (_, i) => `dup-${i}`);
      const perId = new Map<string, RawClient[]>();
      await inBatches(ids, 20, async (id) => {
        const cs = await Promise.all([1, 2, 3, 4, 5].map((k) => client(k % 2 ? w.tcpUrl : w.wsUrl)));
        perId.set(id, cs);
        await Promise.all(cs.map((c) => c.connect(id, { cleanStart: false, sessionExpiryMs: 0 })));
      });
      // Every attempt ends: CONNACK (then maybe taken over) or a refusal (busy: the id was locked).
      await w.cm.sync();
      await until(
        () =>
          ids.every(
            (id) =>
              (perId.get(id) ?? []).filter((c) => !c.isClosed && hasConnack(c) && !hasDisconnect(c))
                .length === 1,
          ),
        20_000,
        'one survivor per id',
      );
      await until(() => w.cm.connectedClientCount() === ids.length, 20_000, 'live count settles');
      expect(w.cm.stats().live_connections.count).toBe(ids.length);
      for (const id of ids) expect(w.cm.tables.lookup(id).filter((p) => w.rt.isAlive(p))).toHaveLength(1);
      expect(w.invariants()).toEqual([]);
      // Losers were told why: taken over, or busy.
      const reasons = new Set<number>();
      for (const cs of perId.values())
        for (const c of cs) {
          const d = c.disconnectFrame();
          if (d) reasons.add(d.reason);
        }
      for (const r of reasons) expect([REASON.SESSION_TAKEN_OVER, REASON.SERVER_BUSY]).toContain(r);
      // Everyone leaves: with expiry 0 the sessions end with their sockets.
      for (const c of clients) c.end();
      await until(() => w.cm.connectedClientCount() === 0, 20_000, 'live count zero');
      await until(() => w.cm.tables.allChannels().length === 0, 20_000, 'tables empty');
      expect(w.invariants()).toEqual([]);
    },
  );

  it(
    'takeover under a stream of messages: every message delivered exactly once, in order',
    { timeout: 60_000 },
    async () => {
      const w = (world = await serverWorld());
      const old = await client(w.tcpUrl);
      expect(await old.connect('mover', { cleanStart: false, sessionExpiryMs: 60_000 })).toMatchObject({
        type: 'connack',
      });
      const total = 3000;
      let sent = 0;
      let taker: RawClient | undefined;
      let takerConnack: Promise<Frame> | undefined;
      // Publish continuously; start the takeover a third of the way in.
      while (sent < total) {
        w.server.deliver('mover', sent, { id: `m${sent}` });
        sent++;
        if (sent === 1000) {
          taker = await client(w.wsUrl);
          takerConnack = taker.connect('mover', { cleanStart: false, sessionExpiryMs: 60_000 });
        }
        if (sent % 25 === 0) await new Promise((r) => setImmediate(r));
      }
      const connack = (await takerConnack) as ConnackFrame;
      expect(connack).toMatchObject({ type: 'connack', sessionPresent: true });
      expect(await old.next<DisconnectFrame>((f) => f.type === 'disconnect')).toMatchObject({
        reason: REASON.SESSION_TAKEN_OVER,
      });
      await old.closed;
      const t = taker as RawClient;
      await until(() => old.messages().length + t.messages().length >= total, 20_000, 'all delivered');
      const seen = [...old.messages(), ...t.messages()].map((m) => m.payload);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      await w.cm.sync();
      expect(w.invariants()).toEqual([]);
      expect(w.cm.connectedClientCount()).toBe(1);
    },
  );
});

function hasConnack(c: RawClient): boolean {
  return c.frames.some((f) => f.type === 'connack');
}
function hasDisconnect(c: RawClient): boolean {
  return c.frames.some((f) => f.type === 'disconnect');
}
