import { describe, expect, it } from 'vitest';
import type { Pid } from '@switchboard/runtime';
import { createChannelManager } from '../src/channel-manager.js';
import { reply } from '@switchboard/runtime';
import { setup } from 'xstate';
import { message, misbehaving, open, startChannel, world } from './support/world.js';
import type { World } from './support/world.js';

async function emptyTables(w: World): Promise<void> {
  // §H.2: the pmon holds no entry for a dead pid either.
  expect(await w.rt.call(w.cm.pid, { type: 'ch.pmon.size' })).toBe(0);
  const stats = w.cm.stats();
  expect(stats.channels.count).toBe(0);
  expect(stats.connections.count).toBe(0);
  expect(stats.live_connections.count).toBe(0);
  expect(w.cm.registry.size()).toBe(0);
  expect(w.cm.tables.invariants((p) => w.rt.isAlive(p))).toEqual([]);
}

describe('registration', () => {
  it('registers a channel in every table, once, and counts it live', async () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    await w.cm.registerChannel('c1', pid, { transport: 'tcp' });
    await w.cm.registerChannel('c1', pid, { transport: 'tcp' });
    expect(await w.cm.lookupChannels('c1')).toEqual([pid]);
    expect(await w.cm.lookupChannels('c1', 'local')).toEqual([pid]);
    expect(w.cm.allChannels()).toEqual([pid]);
    expect(w.cm.connectedClientCount()).toBe(1);
    expect(w.cm.stats()).toMatchObject({
      channels: { count: 1, max: 1 },
      sessions: { count: 1, max: 1 },
      connections: { count: 1, max: 1 },
      live_connections: { count: 1, max: 1 },
    });
  });

  it('unregisters exactly one (clientId, pid) pair and leaves the live row to the DOWN', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    const b = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'tcp' });
    await w.cm.registerChannel('c1', b, { transport: 'tcp' });
    await w.cm.unregisterChannel('c1', a);
    expect(await w.cm.lookupChannels('c1')).toEqual([b]);
    expect(w.cm.connectedClientCount()).toBe(2);
    w.rt.exit(a, 'kill');
    await w.cm.sync();
    expect(w.cm.connectedClientCount()).toBe(1);
    expect(w.cm.stats().channels.max).toBe(2);
  });

  it('stores channel info and stats, and reads the last channel when no pid is given', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'tcp' });
    w.cm.insertChannelInfo('c1', a, { conn_state: 'connected' }, { recv: 0 });
    expect(w.cm.setChanStats('c1', a, { recv: 3 })).toBe(true);
    expect(w.cm.setChanInfo('c1', a, { conn_state: 'disconnected' })).toBe(true);
    expect(await w.cm.getChanInfo('c1')).toEqual({ conn_state: 'disconnected' });
    expect(await w.cm.getChanStats('c1', a)).toEqual({ recv: 3 });
    expect(w.cm.setChanInfo('nobody', a, {})).toBe(false);
    expect(await w.cm.getChanInfo('nobody')).toBeUndefined();
  });

  it('cleans every row of a channel that dies, after sync', async () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    await open(w, 'c1', pid, true);
    w.cm.insertChannelInfo('c1', pid, {}, {});
    w.rt.exit(pid, 'kill');
    await w.cm.sync();
    await emptyTables(w);
  });

  it('rejects invalid client ids with CH_ERR_INVALID_CLIENT_ID', async () => {
    const w = world();
    const { pid } = startChannel(w, 'x');
    await expect(w.cm.registerChannel('', pid, { transport: 'tcp' })).rejects.toMatchObject({
      code: 'CH_ERR_INVALID_CLIENT_ID',
    });
    await expect(
      w.cm.openSession({ cleanStart: true, clientInfo: { clientId: '' }, connInfo: { transport: 't' }, pid }),
    ).rejects.toMatchObject({ code: 'CH_ERR_INVALID_CLIENT_ID' });
  });
});

describe('openSession', () => {
  it('clean start creates a session, present false, and discards the old channel', async () => {
    const w = world();
    const old = startChannel(w, 'c1').pid;
    await open(w, 'c1', old, true);
    const next = startChannel(w, 'c1').pid;
    const r = await open(w, 'c1', next, true);
    expect(r.present).toBe(false);
    await w.cm.sync();
    expect(w.exits.get(String(old))).toEqual({ shutdown: 'discarded' });
    expect(await w.cm.lookupChannels('c1')).toEqual([next]);
    expect(w.cm.connectedClientCount()).toBe(1);
  });

  it('resume takes the old session over: present true, the old channel ends takenover', async () => {
    const w = world();
    const old = startChannel(w, 'c1', false).pid;
    await open(w, 'c1', old, false);
    expect(w.cm.deliver('c1', message(1))).toBe(true);
    const next = startChannel(w, 'c1');
    const r = await open(w, 'c1', next.pid, false);
    expect(r.present).toBe(true);
    await w.cm.sync();
    expect(w.exits.get(String(old))).toEqual({ shutdown: 'takenover' });
    expect(next.sent.map((m) => m.id)).toEqual(['m1']);
    expect(await w.cm.lookupChannels('c1')).toEqual([next.pid]);
  });

  it('with several channels for one id, discards all but the last and takes the last over (§H.14)', async () => {
    const w = world();
    const first = startChannel(w, 'c1', false).pid;
    const second = startChannel(w, 'c1', false).pid;
    // Two channels registered for one id (as after a partition heals): both opened, no lock between.
    await open(w, 'c1', first, true);
    await w.cm.registerChannel('c1', second, { transport: 'test' });
    w.rt.send(second, {
      type: 'ch.opened',
      session: w.cm.sessions.create({ clientId: 'c1' }, { transport: 't' }, 0),
      present: false,
      pendings: [],
    });
    const next = startChannel(w, 'c1').pid;
    const r = await open(w, 'c1', next, false);
    await w.cm.sync();
    expect(r.present).toBe(true);
    expect(w.exits.get(String(first))).toEqual({ shutdown: 'discarded' });
    expect(w.exits.get(String(second))).toEqual({ shutdown: 'takenover' });
    expect(await w.cm.lookupChannels('c1')).toEqual([next]);
  });

  it('a channel that opens again under its own id does not take itself over', async () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    await open(w, 'c1', pid, false);
    const again = await w.cm.openSession({
      cleanStart: false,
      clientInfo: { clientId: 'c1' },
      connInfo: { transport: 'test' },
      pid,
    });
    expect(again.present).toBe(false);
    await w.cm.sync();
    expect(w.rt.isAlive(pid)).toBe(true);
    expect(await w.cm.lookupChannels('c1')).toEqual([pid]);
  });

  it('delivers to the newest channel that is alive, not to a dead one awaiting cleanup', async () => {
    const w = world();
    const older = startChannel(w, 'c1');
    await w.cm.registerChannel('c1', older.pid, { transport: 'test' });
    w.rt.send(older.pid, {
      type: 'ch.opened',
      session: w.cm.sessions.create({ clientId: 'c1' }, { transport: 't' }, 0),
      present: false,
      pendings: [],
    });
    const newer = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', newer, { transport: 'test' });
    w.rt.exit(newer, 'kill');
    expect(w.cm.deliver('c1', message(1))).toBe(true);
    await w.cm.sync();
    expect(older.sent.map((m) => m.id)).toEqual(['m1']);
  });

  it('resume with nothing to take over creates a fresh session', async () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    expect((await open(w, 'c1', pid, false)).present).toBe(false);
  });

  it('ends an expiry-0 session instead of handing it over', async () => {
    const w = world();
    // Connected: an expiry-0 session without a socket would already have ended by itself.
    const old = startChannel(w, 'c1', true).pid;
    await open(w, 'c1', old, false, 0);
    const next = startChannel(w, 'c1').pid;
    const r = await open(w, 'c1', next, false);
    expect(r.present).toBe(false);
    await w.cm.sync();
    expect(w.exits.get(String(old))).toEqual({ shutdown: 'session_ended' });
  });

  it('refuses an open while the lock is held (try-lock, no queue)', async () => {
    const w = world();
    const holder = startChannel(w, 'c1').pid;
    expect(await w.cm.locker.acquire('c1', holder)).toBe(true);
    const other = startChannel(w, 'c1').pid;
    await expect(open(w, 'c1', other, true)).rejects.toMatchObject({ code: 'CH_ERR_CLIENT_ID_UNAVAILABLE' });
    // Re-entrant: the holder itself may open.
    await expect(open(w, 'c1', holder, true)).resolves.toMatchObject({ present: false });
  });

  it('refuses an open while a dead channel of the id awaits cleanup (the throttle)', async () => {
    const w = world();
    const old = startChannel(w, 'c1').pid;
    await open(w, 'c1', old, true);
    const next = startChannel(w, 'c1').pid;
    // The kill takes effect at once; the DOWN and the cleanup have not run yet.
    w.rt.exit(old, 'kill');
    expect(w.cm.tables.connOf(old)).toBeDefined();
    await expect(open(w, 'c1', next, true)).rejects.toMatchObject({ code: 'CH_ERR_CLIENT_ID_UNAVAILABLE' });
    await w.cm.sync();
    await expect(open(w, 'c1', next, true)).resolves.toMatchObject({ present: false });
  });

  it('reaps a registry row that points at a dead pid the tables do not know', async () => {
    const w = world();
    const ghost = startChannel(w, 'c1').pid;
    await w.cm.registry.register('c1', ghost);
    w.rt.exit(ghost, 'kill');
    await w.rt.idle();
    const next = startChannel(w, 'c1').pid;
    await open(w, 'c1', next, true);
    expect(await w.cm.registry.lookup('c1')).toEqual([next]);
  });

  it('reject-new refuses a second live owner; kick-old kicks it', async () => {
    const w1 = world(1, { duplicateIdPolicy: 'reject-new' });
    const a = startChannel(w1, 'c1').pid;
    await open(w1, 'c1', a, true);
    await expect(open(w1, 'c1', startChannel(w1, 'c1').pid, true)).rejects.toMatchObject({
      code: 'CH_ERR_CLIENT_ID_UNAVAILABLE',
    });
    const w2 = world(1, { duplicateIdPolicy: 'kick-old' });
    const b = startChannel(w2, 'c1').pid;
    await open(w2, 'c1', b, false);
    await open(w2, 'c1', startChannel(w2, 'c1').pid, false);
    await w2.cm.sync();
    expect(w2.exits.get(String(b))).toEqual({ shutdown: 'kicked' });
  });

  it('emits hooks with timestamps that never go backwards for a client id', async () => {
    const seen: { hook: string; at: number }[] = [];
    const record = (e: { hook: string; at: number }) => seen.push({ hook: e.hook, at: e.at });
    const w = world(2, {
      hooks: {
        'session.created': record,
        'session.resumed': record,
        'session.takenover': record,
        'client.connected': record,
        'client.disconnected': record,
        'session.terminated': record,
      },
    });
    const a = startChannel(w, 'c1', false).pid;
    await open(w, 'c1', a, false);
    await open(w, 'c1', startChannel(w, 'c1').pid, false);
    await w.cm.sync();
    expect(seen.map((s) => s.hook)).toEqual(
      expect.arrayContaining(['session.created', 'client.connected', 'session.resumed', 'session.takenover']),
    );
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.at).toBeGreaterThanOrEqual(seen[i - 1]!.at);
  });
});

describe('manager lifecycle and options', () => {
  it('rejects opens with CH_ERR_MANAGER_DOWN once closed', async () => {
    const w = world();
    await w.cm.close();
    await w.rt.idle();
    const { pid } = startChannel(w, 'c1');
    await expect(open(w, 'c1', pid, true)).rejects.toMatchObject({ code: 'CH_ERR_MANAGER_DOWN' });
  });

  it('refuses a lock lease shorter than 2 × takeoverMs + kickMs, and derives a safe default', () => {
    const w = world();
    expect(() =>
      createChannelManager(w.rt, { name: 'short', lockLeaseMs: 10_000, timeouts: { takeoverMs: 15_000 } }),
    ).toThrow(expect.objectContaining({ code: 'CH_ERR_INVALID_OPTION' }));
    const cm = createChannelManager(w.rt, { name: 'long', timeouts: { takeoverMs: 40_000, kickMs: 5000 } });
    expect((cm.locker as { leaseMs?: number }).leaseMs).toBeGreaterThanOrEqual(2 * 40_000 + 5000);
  });

  it('rejects out-of-range options with CH_ERR_INVALID_OPTION', () => {
    const w = world();
    for (const options of [
      { timeouts: { kickMs: 0 } },
      { batchSize: 0 },
      { poolSize: 1.5 },
      { duplicateIdPolicy: 'nope' as 'takeover' },
    ]) {
      expect(() => createChannelManager(w.rt, { name: 'bad', ...options })).toThrow(
        expect.objectContaining({ code: 'CH_ERR_INVALID_OPTION' }),
      );
    }
  });
});

describe('stepdown against old channels that misbehave', () => {
  type Behaviour = 'replies' | 'exitsNormal' | 'exitsShutdown' | 'hangs' | 'dead';
  const behaviours: Behaviour[] = ['replies', 'exitsNormal', 'exitsShutdown', 'hangs', 'dead'];
  const expected: Record<Behaviour, Record<'kick' | 'discard', unknown>> = {
    replies: { kick: { shutdown: 'kicked' }, discard: { shutdown: 'discarded' } },
    exitsNormal: { kick: 'normal', discard: 'normal' },
    exitsShutdown: { kick: 'shutdown', discard: 'shutdown' },
    hangs: { kick: 'killed', discard: 'killed' },
    dead: { kick: 'killed', discard: 'killed' },
  };

  async function oldChannel(w: World, behaviour: Behaviour): Promise<Pid> {
    const pid =
      behaviour === 'replies' || behaviour === 'dead'
        ? startChannel(w, 'c1').pid
        : w.rt.spawn(misbehaving[behaviour]);
    if (behaviour === 'replies' || behaviour === 'dead') await open(w, 'c1', pid, true);
    else await w.cm.registerChannel('c1', pid, { transport: 'test' });
    if (behaviour === 'dead') {
      w.rt.exit(pid, 'kill');
      await w.rt.idle();
    }
    return pid;
  }

  for (const behaviour of behaviours) {
    for (const op of ['kick', 'discard'] as const) {
      it(`${op} of an old channel that ${behaviour} ends it with the right reason and cleans up`, async () => {
        const w = world(3, { timeouts: { kickMs: 5000 } });
        const old = await oldChannel(w, behaviour);
        const started = w.sched.now();
        if (op === 'kick') await w.cm.kickSession('c1');
        else await w.cm.discardSession('c1');
        await w.cm.sync();
        expect(w.exits.get(String(old))).toEqual(expected[behaviour][op]);
        if (behaviour === 'hangs') expect(w.sched.now() - started).toBe(5000);
        await emptyTables(w);
      });
    }

    it(`takeover of an old channel that ${behaviour} gives the right session and cleans up`, async () => {
      const w = world(4, { timeouts: { takeoverMs: 15000 } });
      const old = await oldChannel(w, behaviour);
      const next = startChannel(w, 'c1');
      const started = w.sched.now();
      const r = await open(w, 'c1', next.pid, false);
      await w.cm.sync();
      expect(r.present).toBe(behaviour === 'replies');
      const reason = w.exits.get(String(old));
      if (behaviour === 'replies') expect(reason).toEqual({ shutdown: 'takenover' });
      if (behaviour === 'hangs') {
        expect(reason).toBe('killed');
        expect(w.sched.now() - started).toBe(15000);
      }
      if (behaviour === 'exitsNormal') expect(reason).toBe('normal');
      if (behaviour === 'exitsShutdown') expect(reason).toBe('shutdown');
      expect(await w.cm.lookupChannels('c1')).toEqual([next.pid]);
      w.rt.exit(next.pid, 'kill');
      await w.cm.sync();
      await emptyTables(w);
    });
  }

  for (const behaviour of behaviours) {
    it(`takeover end to an old channel that ${behaviour} gives its pendings only when it answers`, async () => {
      const w = world(9, { timeouts: { takeoverMs: 1000 } });
      let old: Pid;
      if (behaviour === 'replies') {
        old = startChannel(w, 'c1', false).pid;
        await open(w, 'c1', old, false);
        expect((await w.cm.takeoverSession('c1'))?.pid).toEqual(old);
        // After begin, a delivery to the old channel goes to its pendings only.
        w.rt.send(old, { type: 'ch.deliver', message: message(7) });
      } else {
        old = await oldChannel(w, behaviour);
      }
      const started = w.sched.now();
      const pendings = await w.cm.takeoverEnd(old);
      await w.cm.sync();
      const reason = w.exits.get(String(old));
      if (behaviour === 'replies') {
        expect(pendings?.map((m) => m.id)).toEqual(['m7']);
        expect(reason).toEqual({ shutdown: 'takenover' });
      } else {
        expect(pendings).toBeUndefined();
        // Gone by itself (normal, shutdown), killed on timeout (hangs), or killed before (dead).
        expect(reason).toEqual(expected[behaviour].kick);
      }
      if (behaviour === 'hangs') expect(w.sched.now() - started).toBe(1000);
      await emptyTables(w);
    });
  }

  it('takeover end to a channel that never answers yields nothing and kills it after takeoverMs', async () => {
    const w = world(5, { timeouts: { takeoverMs: 1000 } });
    const hanging = w.rt.spawn(misbehaving.hangs);
    await w.cm.registerChannel('c1', hanging, { transport: 'test' });
    const started = w.sched.now();
    expect(await w.cm.takeoverEnd(hanging)).toBeUndefined();
    expect(w.sched.now() - started).toBe(1000);
    await w.cm.sync();
    expect(w.exits.get(String(hanging))).toBe('killed');
    await emptyTables(w);
  });
});

describe('stepdown failures inside openSession', () => {
  /** Answers takeover begin with `session`, then never answers end (nor anything else). */
  const beginsThenHangs = (session: unknown) =>
    setup({}).createMachine({
      on: { 'ch.takeover.begin': { actions: reply(() => ({ session })) } },
    });

  it('a takeover whose end never comes: the old channel is killed and the taker starts fresh', async () => {
    const w = world(11, { timeouts: { takeoverMs: 1000 } });
    const old = w.rt.spawn(beginsThenHangs(w.cm.sessions.create({ clientId: 'c1' }, { transport: 't' }, 0)));
    await w.cm.registerChannel('c1', old, { transport: 'test' });
    const next = startChannel(w, 'c1');
    const started = w.sched.now();
    const r = await open(w, 'c1', next.pid, false);
    expect(r.present).toBe(false);
    expect(w.sched.now() - started).toBe(1000);
    await w.cm.sync();
    expect(w.exits.get(String(old))).toBe('killed');
    expect(await w.cm.lookupChannels('c1')).toEqual([next.pid]);
  });

  it('a session the store cannot adopt: the old channel is discarded and the taker starts fresh', async () => {
    const w = world(13, { timeouts: { kickMs: 500 } });
    const old = w.rt.spawn(beginsThenHangs({ not: 'a session' }));
    await w.cm.registerChannel('c1', old, { transport: 'test' });
    const next = startChannel(w, 'c1');
    const r = await open(w, 'c1', next.pid, false);
    expect(r.present).toBe(false);
    await w.cm.sync();
    // It ignores the discard, so it is killed after kickMs.
    expect(w.exits.get(String(old))).toBe('killed');
    expect(await w.cm.lookupChannels('c1')).toEqual([next.pid]);
  });

  it('an old channel that crashes on a kick is recorded as a failure and kick still resolves', async () => {
    const w = world(12);
    const crashing = setup({}).createMachine({
      on: {
        'ch.kick': {
          actions: () => {
            throw new Error('crash while kicked');
          },
        },
      },
    });
    const old = w.rt.spawn(crashing);
    await w.cm.registerChannel('c1', old, { transport: 'test' });
    await w.cm.kickSession('c1');
    await w.cm.sync();
    expect(w.exits.get(String(old))).toMatchObject({ error: expect.any(Error) });
    await emptyTables(w);
  });
});

describe('races', () => {
  it('2,000 concurrent opens of one client id: exactly one winner, one row per table, nothing after it dies', async () => {
    const w = world(6, { timeouts: { kickMs: 5000 } });
    // A stale channel that never answers makes the winner hold the lock for the whole kick timeout.
    const stale = w.rt.spawn(misbehaving.hangs);
    await w.cm.registerChannel('c1', stale, { transport: 'test' });
    const openers = Array.from({ length: 2000 }, () => startChannel(w, 'c1').pid);
    const outcomes: Promise<'won' | 'lost'>[] = openers.map(
      (pid) =>
        new Promise((resolve) => {
          const delay = w.rt.entropy.int(4000);
          w.sched.setTimeout(
            () => {
              open(w, 'c1', pid, true).then(
                () => resolve('won'),
                (err: unknown) => {
                  expect(err).toMatchObject({ code: 'CH_ERR_CLIENT_ID_UNAVAILABLE' });
                  w.rt.exit(pid, 'shutdown');
                  resolve('lost');
                },
              );
            },
            delay,
            'open',
          );
        }),
    );
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    await w.cm.sync();
    const winner = openers[results.indexOf('won')] as Pid;
    expect(w.cm.stats()).toMatchObject({
      channels: { count: 1 },
      connections: { count: 1 },
      live_connections: { count: 1 },
    });
    expect(await w.cm.lookupChannels('c1')).toEqual([winner]);
    expect(w.exits.get(String(stale))).toBe('killed');
    w.rt.exit(winner, 'kill');
    await w.cm.sync();
    await emptyTables(w);
    expect(w.cm.locker.held()).toEqual([]);
  });

  it('20 concurrent clean-start opens whose processes die right after leave a live count of 0', async () => {
    const w = world(7);
    const pids = Array.from({ length: 20 }, () => startChannel(w, 'c1').pid);
    await Promise.all(
      pids.map((pid) =>
        open(w, 'c1', pid, true).then(
          () => w.rt.exit(pid, 'kill'),
          () => w.rt.exit(pid, 'kill'),
        ),
      ),
    );
    await w.cm.sync();
    expect(w.cm.connectedClientCount()).toBe(0);
    await emptyTables(w);
  });

  it('takeover with 100 deliveries interleaved: the new channel gets all 100, in order, once', async () => {
    const w = world(8);
    const old = startChannel(w, 'c1', false).pid;
    await open(w, 'c1', old, false);
    const next = startChannel(w, 'c1');
    // Publish one message each time the world settles, while the takeover runs: deliveries land
    // in the old session (before begin), in the old channel's pendings (between begin and end),
    // and in the new channel (once it is registered).
    const opening = open(w, 'c1', next.pid, false);
    for (let i = 1; i <= 100; i++) {
      w.cm.deliver('c1', message(i));
      await w.rt.idle();
    }
    const r = await opening;
    expect(r.present).toBe(true);
    expect(r.pendings.length).toBeGreaterThan(0);
    expect(r.pendings.length).toBeLessThan(100);
    await w.cm.sync();
    expect(next.sent.map((m) => m.payload)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
