/**
 * Each trace point of docs/reference/trace-points.md, recorded where and with the fields the page
 * says: the race kit checks causality and injects faults on these names and fields.
 */
import { describe, expect, it } from 'vitest';
import type { TraceCollector } from '@switchboard/runtime';
import { createMemoryLocker } from '../src/memory-locker.js';
import { onTracePoint } from './support/bug-scenarios.js';
import { message, misbehaving, open, startChannel, world } from './support/world.js';
import type { World } from './support/world.js';

/** The fields of every point of `kind`, in order. */
function fieldsOf(trace: TraceCollector, kind: string): Readonly<Record<string, unknown>>[] {
  return trace.ofKind(kind).map((p) => p.fields);
}

/** A world with an old channel registered for c1 and a collector installed after it opened. */
async function withOldChannel(
  options: { connected?: boolean; seed?: number } = {},
): Promise<{ w: World; old: ReturnType<typeof startChannel>; trace: TraceCollector }> {
  const w = world(options.seed ?? 1, { timeouts: { kickMs: 500, takeoverMs: 1000 } });
  const old = startChannel(w, 'c1', options.connected ?? true);
  await open(w, 'c1', old.pid, false);
  await w.cm.sync();
  return { w, old, trace: w.rt.trace.collect() };
}

describe('cm.* trace points', () => {
  it('cm.open.begin and cm.open.end carry the client id, the opener, cleanStart and the result', async () => {
    const w = world();
    const trace = w.rt.trace.collect();
    const a = startChannel(w, 'c1').pid;
    await open(w, 'c1', a, true);
    expect(fieldsOf(trace, 'cm.open.begin')).toEqual([{ clientId: 'c1', pid: a, cleanStart: true }]);
    expect(fieldsOf(trace, 'cm.open.end')).toEqual([
      { clientId: 'c1', pid: a, cleanStart: true, result: 'created', present: false },
    ]);
  });

  it('cm.open.end reports an error that is not an unavailable id as result error, with its message', async () => {
    const w = world();
    const trace = w.rt.trace.collect();
    const a = startChannel(w, 'c1').pid;
    // The memory store refuses a negative expiry (CH_ERR_INVALID_OPTION) inside the open.
    await expect(open(w, 'c1', a, true, -1)).rejects.toMatchObject({ code: 'CH_ERR_INVALID_OPTION' });
    const [end] = fieldsOf(trace, 'cm.open.end');
    expect(end).toMatchObject({ clientId: 'c1', pid: a, cleanStart: true, result: 'error' });
    expect(String(end?.['error'])).toMatch(/sessionExpiryMs/);
  });

  it('cm.register, cm.live.incremented and cm.monitored name the pair; cm.unregister the pair it deletes', async () => {
    const w = world();
    const trace = w.rt.trace.collect();
    const a = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'test' });
    await w.cm.registerChannel('c1', a, { transport: 'test' });
    await w.cm.sync();
    await w.cm.unregisterChannel('c1', a);
    expect(fieldsOf(trace, 'cm.register')).toEqual([
      { clientId: 'c1', pid: a },
      { clientId: 'c1', pid: a },
    ]);
    // Counted once: the second registration finds it live already.
    expect(fieldsOf(trace, 'cm.live.incremented')).toEqual([{ clientId: 'c1', pid: a }]);
    expect(fieldsOf(trace, 'cm.monitored')).toEqual([
      { clientId: 'c1', pid: a },
      { clientId: 'c1', pid: a },
    ]);
    expect(fieldsOf(trace, 'cm.unregister')).toEqual([{ clientId: 'c1', pid: a }]);
  });

  it('a death: cm.live.decremented by down, cm.down.batch with the known pids, cm.cleanup begin and end', async () => {
    const { w, old, trace } = await withOldChannel();
    w.rt.exit(old.pid, 'kill');
    await w.cm.sync();
    expect(fieldsOf(trace, 'cm.live.decremented')).toEqual([
      { clientId: 'c1', pid: old.pid, by: 'down', reason: 'killed' },
    ]);
    expect(fieldsOf(trace, 'cm.down.batch')).toEqual([{ pids: [old.pid], known: [old.pid] }]);
    expect(fieldsOf(trace, 'cm.cleanup.begin')).toEqual([{ pid: old.pid }]);
    expect(fieldsOf(trace, 'cm.cleanup.end')).toEqual([{ pid: old.pid, clientId: 'c1' }]);
    // The batch is handled before its cleanup starts, and the cleanup ends after it began.
    const kinds = trace.events.map((e) => e.kind);
    expect(kinds.indexOf('cm.down.batch')).toBeLessThan(kinds.indexOf('cm.cleanup.begin'));
    expect(kinds.indexOf('cm.cleanup.begin')).toBeLessThan(kinds.indexOf('cm.cleanup.end'));
  });

  it('a kick: cm.kick.called and answered; the channel counts itself out and exits kicked', async () => {
    const { w, old, trace } = await withOldChannel();
    await w.cm.kickSession('c1');
    await w.cm.sync();
    expect(fieldsOf(trace, 'cm.kick.called')).toEqual([{ clientId: 'c1', pid: old.pid }]);
    expect(fieldsOf(trace, 'cm.kick.answered')).toEqual([{ clientId: 'c1', pid: old.pid }]);
    expect(fieldsOf(trace, 'cm.kick.failed')).toEqual([]);
    expect(fieldsOf(trace, 'cm.live.decremented')).toEqual([
      { clientId: 'c1', pid: old.pid, by: 'channel', reason: 'kicked' },
    ]);
    expect(fieldsOf(trace, 'ch.exit')).toEqual([{ clientId: 'c1', pid: old.pid, reason: 'kicked' }]);
  });

  it('a clean start: cm.discard.called and answered for the old channel, which exits discarded', async () => {
    const { w, old, trace } = await withOldChannel();
    await open(w, 'c1', startChannel(w, 'c1').pid, true);
    await w.cm.sync();
    expect(fieldsOf(trace, 'cm.discard.called')).toEqual([{ clientId: 'c1', pid: old.pid }]);
    expect(fieldsOf(trace, 'cm.discard.answered')).toEqual([{ clientId: 'c1', pid: old.pid }]);
    expect(fieldsOf(trace, 'ch.exit')).toEqual([{ clientId: 'c1', pid: old.pid, reason: 'discarded' }]);
  });

  it('stepdown failures: timeout, gone, and unknown (no request sent) in .failed', async () => {
    const w = world(2, { timeouts: { kickMs: 500, takeoverMs: 1000 } });
    const hanging = w.rt.spawn(misbehaving.hangs);
    const leaving = w.rt.spawn(misbehaving.exitsNormal);
    const ghost = startChannel(w, 'c3').pid;
    await w.cm.registerChannel('c1', hanging, { transport: 'test' });
    await w.cm.registerChannel('c2', leaving, { transport: 'test' });
    await w.cm.registry.register('c3', ghost); // a registry row this node has no conn row for
    const trace = w.rt.trace.collect();
    await w.cm.kickSession('c1');
    await w.cm.discardSession('c2');
    await w.cm.discardSession('c3');
    expect(fieldsOf(trace, 'cm.kick.called')).toEqual([{ clientId: 'c1', pid: hanging }]);
    expect(fieldsOf(trace, 'cm.kick.failed')).toEqual([{ clientId: 'c1', pid: hanging, kind: 'timeout' }]);
    expect(fieldsOf(trace, 'cm.discard.called')).toEqual([{ clientId: 'c2', pid: leaving }]);
    expect(fieldsOf(trace, 'cm.discard.failed')).toEqual([
      { clientId: 'c2', pid: leaving, kind: 'gone' },
      { clientId: 'c3', pid: ghost, kind: 'unknown' },
    ]);
    expect(fieldsOf(trace, 'cm.discard.answered')).toEqual([]);
  });

  it('a takeover: begin and end called and answered, in order, for the old channel', async () => {
    const { w, old, trace } = await withOldChannel();
    const taker = startChannel(w, 'c1').pid;
    await open(w, 'c1', taker, false);
    await w.cm.sync();
    for (const kind of [
      'cm.takeover.begin.called',
      'cm.takeover.begin.answered',
      'cm.takeover.end.called',
      'cm.takeover.end.answered',
    ]) {
      expect(fieldsOf(trace, kind)).toEqual([{ clientId: 'c1', pid: old.pid }]);
    }
    expect(fieldsOf(trace, 'cm.open.end')).toEqual([
      { clientId: 'c1', pid: taker, cleanStart: false, result: 'resumed', present: true },
    ]);
    expect(fieldsOf(trace, 'ch.takeover.end.replied')).toEqual([
      { clientId: 'c1', pid: old.pid, pendings: [] },
    ]);
    expect(fieldsOf(trace, 'cm.live.decremented')).toEqual([
      { clientId: 'c1', pid: old.pid, by: 'channel', reason: 'takenover' },
    ]);
  });

  it('takeover failures: begin gone, end timed out', async () => {
    const w = world(3, { timeouts: { takeoverMs: 1000 } });
    const leaving = w.rt.spawn(misbehaving.exitsShutdown);
    await w.cm.registerChannel('c1', leaving, { transport: 'test' });
    const hanging = w.rt.spawn(misbehaving.hangs);
    await w.cm.registerChannel('c2', hanging, { transport: 'test' });
    const trace = w.rt.trace.collect();
    expect(await w.cm.takeoverSession('c1')).toBeUndefined();
    expect(await w.cm.takeoverEnd(hanging)).toBeUndefined();
    expect(fieldsOf(trace, 'cm.takeover.begin.failed')).toEqual([
      { clientId: 'c1', pid: leaving, kind: 'gone' },
    ]);
    expect(fieldsOf(trace, 'cm.takeover.end.called')).toEqual([{ clientId: 'c2', pid: hanging }]);
    expect(fieldsOf(trace, 'cm.takeover.end.failed')).toEqual([
      { clientId: 'c2', pid: hanging, kind: 'timeout' },
    ]);
  });
});

describe('locker.* trace points', () => {
  it('acquired (new and re-entrant), refused (held, or a dead owner), released (release, owner down)', async () => {
    const w = world();
    const locker = createMemoryLocker(w.rt, { leaseMs: 60_000 });
    const a = startChannel(w, 'c1').pid;
    const b = startChannel(w, 'c1').pid;
    const dead = startChannel(w, 'c1').pid;
    w.rt.exit(dead, 'kill');
    const trace = w.rt.trace.collect();
    expect(await locker.acquire('c1', a)).toBe(true);
    expect(await locker.acquire('c1', a)).toBe(true);
    expect(await locker.acquire('c1', b)).toBe(false);
    expect(await locker.acquire('c2', dead)).toBe(false);
    expect(await locker.release('c1', b)).toBe(false); // not its lock: nothing released
    expect(await locker.release('c1', a)).toBe(true);
    expect(await locker.release('c1', a)).toBe(true); // already free: nothing released
    expect(await locker.acquire('c3', b)).toBe(true);
    w.rt.exit(b, 'kill');
    await w.rt.idle();
    expect(fieldsOf(trace, 'locker.acquired')).toEqual([
      { clientId: 'c1', owner: a, reentrant: false },
      { clientId: 'c1', owner: a, reentrant: true },
      { clientId: 'c3', owner: b, reentrant: false },
    ]);
    expect(fieldsOf(trace, 'locker.refused')).toEqual([
      { clientId: 'c1', owner: b, holder: a },
      { clientId: 'c2', owner: dead, holder: undefined },
    ]);
    expect(fieldsOf(trace, 'locker.released')).toEqual([
      { clientId: 'c1', owner: a, by: 'release' },
      { clientId: 'c3', owner: b, by: 'owner-down' },
    ]);
    await locker.close();
  });
});

describe('ch.* trace points', () => {
  it('ch.deliver says where each delivery went: early, socket, dropped-duplicate', async () => {
    const w = world();
    const trace = w.rt.trace.collect();
    const a = startChannel(w, 'c1');
    w.rt.send(a.pid, { type: 'ch.deliver', message: message(1) });
    w.rt.send(a.pid, {
      type: 'ch.opened',
      session: w.cm.sessions.create({ clientId: 'c1' }, { transport: 't' }, 0),
      present: true,
      pendings: [message(2)],
    });
    w.rt.send(a.pid, { type: 'ch.deliver', message: message(2) }); // the broker's copy of a pending
    w.rt.send(a.pid, { type: 'ch.deliver', message: message(3) });
    await w.rt.idle();
    expect(fieldsOf(trace, 'ch.deliver')).toEqual([
      { clientId: 'c1', pid: a.pid, id: 'm1', into: 'early' },
      { clientId: 'c1', pid: a.pid, id: 'm2', into: 'dropped-duplicate' },
      { clientId: 'c1', pid: a.pid, id: 'm3', into: 'socket' },
    ]);
    expect(a.sent.map((m) => m.id)).toEqual(['m2', 'm1', 'm3']);
  });

  it('ch.deliver into the session without a socket, and into pendings while taking over', async () => {
    const { w, old, trace } = await withOldChannel({ connected: false });
    w.cm.deliver('c1', message(1));
    await w.rt.idle();
    expect(await w.cm.takeoverSession('c1')).toBeDefined();
    w.cm.deliver('c1', message(2));
    await w.rt.idle();
    expect(fieldsOf(trace, 'ch.deliver')).toEqual([
      { clientId: 'c1', pid: old.pid, id: 'm1', into: 'session' },
      { clientId: 'c1', pid: old.pid, id: 'm2', into: 'pendings' },
    ]);
    expect(fieldsOf(trace, 'ch.takeover.begin.received')).toEqual([
      { clientId: 'c1', pid: old.pid, state: 'disconnected' },
    ]);
  });

  it('ch.takeover.begin.received in every state, and ch.exit takeover_timeout when end never comes', async () => {
    const { w, old, trace } = await withOldChannel();
    expect(await w.cm.takeoverSession('c1')).toBeDefined();
    expect(await w.cm.takeoverSession('c1')).toBeDefined(); // a retried begin
    const opening = startChannel(w, 'c2');
    await w.cm.registerChannel('c2', opening.pid, { transport: 'test' });
    // The begin must reach the channel while it is still opening: open it only once it has.
    let received!: () => void;
    const beginReceived = new Promise<void>((resolve) => (received = resolve));
    onTracePoint(w, (kind, fields) => {
      if (kind === 'ch.takeover.begin.received' && fields['pid'] === opening.pid) received();
    });
    const deferred = w.cm.takeoverSession('c2');
    await beginReceived;
    w.rt.send(opening.pid, {
      type: 'ch.opened',
      session: w.cm.sessions.create({ clientId: 'c2' }, { transport: 't' }, 0),
      present: false,
      pendings: [],
    });
    expect(await deferred).toBeDefined();
    w.sched.advance(2000);
    await w.rt.idle();
    expect(fieldsOf(trace, 'ch.takeover.begin.received')).toEqual([
      { clientId: 'c1', pid: old.pid, state: 'connected' },
      { clientId: 'c1', pid: old.pid, state: 'takingOver' },
      { clientId: 'c2', pid: opening.pid, state: 'opening' },
    ]);
    expect(fieldsOf(trace, 'ch.exit')).toEqual([
      { clientId: 'c1', pid: old.pid, reason: 'takeover_timeout' },
      { clientId: 'c2', pid: opening.pid, reason: 'takeover_timeout' },
    ]);
  });

  it('ch.exit for a session that ends with its connection, and for one that expires', async () => {
    const w = world();
    const trace = w.rt.trace.collect();
    const zero = startChannel(w, 'c1');
    await open(w, 'c1', zero.pid, true, 0);
    const expiring = startChannel(w, 'c2');
    await open(w, 'c2', expiring.pid, true, 5000);
    const taken = startChannel(w, 'c3');
    await open(w, 'c3', taken.pid, true, 0);
    await w.rt.idle();
    w.rt.send(zero.pid, { type: 'ch.socket.closed' });
    w.rt.send(expiring.pid, { type: 'ch.socket.closed', reason: 'peer_closed' });
    expect(await w.cm.takeoverSession('c3')).toBeUndefined();
    w.sched.advance(5000);
    await w.rt.idle();
    expect(fieldsOf(trace, 'ch.exit')).toEqual(
      expect.arrayContaining([
        { clientId: 'c1', pid: zero.pid, reason: 'closed' },
        { clientId: 'c2', pid: expiring.pid, reason: 'expired' },
        { clientId: 'c3', pid: taken.pid, reason: 'session_ended' },
      ]),
    );
    expect(fieldsOf(trace, 'ch.exit')).toHaveLength(3);
    expect(fieldsOf(trace, 'ch.takeover.begin.received')).toEqual([
      { clientId: 'c3', pid: taken.pid, state: 'connected' },
    ]);
    expect(fieldsOf(trace, 'cm.live.decremented')).toEqual(
      expect.arrayContaining([{ clientId: 'c2', pid: expiring.pid, by: 'channel', reason: 'peer_closed' }]),
    );
  });
});
