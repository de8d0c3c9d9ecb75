import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { Pid } from '@switchboard/runtime';
import { message, misbehaving, open, startChannel, world } from './support/world.js';

/** One operation of a random workload; `at` is its virtual start time. */
type Op =
  | {
      readonly kind: 'open';
      readonly client: number;
      readonly cleanStart: boolean;
      readonly connected: boolean;
    }
  | { readonly kind: 'deliver'; readonly client: number }
  | { readonly kind: 'kill'; readonly target: number }
  | { readonly kind: 'hang'; readonly client: number }
  | { readonly kind: 'disconnect'; readonly target: number }
  | { readonly kind: 'kick'; readonly client: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('open' as const),
      client: fc.nat(1),
      cleanStart: fc.boolean(),
      connected: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('deliver' as const), client: fc.nat(1) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('kill' as const), target: fc.nat(20) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('hang' as const), client: fc.nat(1) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('disconnect' as const), target: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('kick' as const), client: fc.nat(1) }), weight: 1 },
);

const CLIENTS = ['a', 'b'];

test.prop(
  [
    fc.integer(),
    fc.integer({ min: 1, max: 5 }),
    fc.array(fc.record({ op: opArb, gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })) }), {
      minLength: 1,
      maxLength: 25,
    }),
  ],
  { numRuns: 100, timeout: 20_000 },
)(
  'every invariant of §H holds after quiescence, whatever the workload and schedule',
  async (seed, batchSize, steps) => {
    // Arrange: a world whose timeouts are short next to the gaps, so stepdowns overlap the workload.
    const w = world(seed, { batchSize, timeouts: { kickMs: 1000, takeoverMs: 2000 } });
    const channels: Pid[] = [];
    const pending: Promise<unknown>[] = [];
    let at = 0;
    let ran = 0;
    let allRan!: () => void;
    const everyOpRan = new Promise<void>((resolve) => (allRan = resolve));

    // Act: schedule every operation at its virtual time.
    for (const { op, gap } of steps) {
      at += gap;
      w.sched.setTimeout(
        () => {
          if (++ran === steps.length) allRan();
          switch (op.kind) {
            case 'open': {
              const { pid } = startChannel(w, CLIENTS[op.client] as string, op.connected);
              channels.push(pid);
              pending.push(
                open(w, CLIENTS[op.client] as string, pid, op.cleanStart).catch(() =>
                  w.rt.exit(pid, 'shutdown'),
                ),
              );
              return;
            }
            case 'deliver':
              w.cm.deliver(CLIENTS[op.client] as string, message(at));
              return;
            case 'kill': {
              const pid = channels[op.target % Math.max(1, channels.length)];
              if (pid) w.rt.exit(pid, 'kill');
              return;
            }
            case 'hang': {
              // A channel that wins its open like any other, then never answers anything again.
              const pid = w.rt.spawn(misbehaving.hangs);
              channels.push(pid);
              pending.push(
                open(w, CLIENTS[op.client] as string, pid, true).catch(() => w.rt.exit(pid, 'shutdown')),
              );
              return;
            }
            case 'disconnect': {
              const pid = channels[op.target % Math.max(1, channels.length)];
              if (pid) w.rt.send(pid, { type: 'ch.socket.closed' });
              return;
            }
            case 'kick':
              pending.push(w.cm.kickSession(CLIENTS[op.client] as string));
              return;
          }
        },
        at,
        `op:${op.kind}`,
      );
    }
    // Virtual time advances by itself while the world is idle, so every operation runs.
    await everyOpRan;
    await Promise.all(pending);
    await w.cm.sync();

    // Assert
    const alive = (p: Pid): boolean => w.rt.isAlive(p);
    // §H.1–3: tables coherent, no row for a dead pid, live ⊆ registered alive pids.
    expect(w.cm.tables.invariants(alive)).toEqual([]);
    for (const clientId of CLIENTS) {
      // §H.4: at most one alive registered pid per client id once every open and stepdown is done.
      const owners = (await w.cm.lookupChannels(clientId, 'local')).filter(alive);
      expect(owners.length).toBeLessThanOrEqual(1);
      // §H.5: no lock outlives the opens.
      expect(w.cm.locker.holder(clientId)).toBeUndefined();
    }
    // §H.12: counts equal the tables, max ≥ count.
    const stats = w.cm.stats();
    expect(stats.channels.count).toBe(w.cm.allChannels().length);
    expect(stats.sessions.count).toBe(stats.channels.count);
    for (const s of [stats.channels, stats.sessions, stats.connections, stats.live_connections]) {
      expect(s.max).toBeGreaterThanOrEqual(s.count);
    }
    // §H.3: the live count is exactly the registered, alive channels that have not disconnected.
    const live = w.cm.allChannels().filter((p) => w.cm.tables.isLive(p));
    expect(w.cm.connectedClientCount()).toBe(live.length);
    expect(live.every(alive)).toBe(true);
    // §H.2 after everything dies: nothing remains.
    for (const pid of channels) w.rt.exit(pid, 'kill');
    await w.cm.sync();
    expect(w.cm.stats().channels.count).toBe(0);
    expect(w.cm.connectedClientCount()).toBe(0);
    expect(w.cm.registry.size()).toBe(0);
  },
);
