import { describe, expect, it, vi } from 'vitest';
import { message, open, startChannel, world } from './support/world.js';

describe('trace points', () => {
  it('records a resume as lock, takeover begin and end, registration and the old channel leaving, in order', async () => {
    // Arrange: an old channel with a session, a delivery that lands after takeover begin.
    const w = world();
    const old = startChannel(w, 'c1');
    await open(w, 'c1', old.pid, false);
    await w.cm.sync();
    const trace = w.rt.trace.collect();
    // A publish at the instant the old channel receives begin (it must land in its pendings).
    const record = w.rt.trace.tp.bind(w.rt.trace);
    vi.spyOn(w.rt.trace, 'tp').mockImplementation((kind, fields) => {
      record(kind, fields);
      if (kind === 'ch.takeover.begin.received') w.cm.deliver('c1', message(1));
    });

    // Act
    const taker = startChannel(w, 'c1');
    await open(w, 'c1', taker.pid, false);
    await w.cm.sync();
    trace.stop();

    // Assert: the causal chain of a takeover, each point once.
    const kinds = trace.events.map((e) => e.kind);
    const order = [
      'cm.open.begin',
      'locker.acquired',
      'cm.takeover.begin.called',
      'ch.takeover.begin.received',
      'cm.takeover.begin.answered',
      'cm.register',
      'cm.live.incremented',
      'cm.takeover.end.called',
      'ch.takeover.end.replied',
      'cm.takeover.end.answered',
      'locker.released',
      'cm.open.end',
    ];
    const positions = order.map((k) => kinds.indexOf(k));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(trace.ofKind('ch.deliver').map((p) => p.fields['into'])).toEqual(['pendings']);
    expect(trace.ofKind('ch.takeover.end.replied')[0]?.fields['pendings']).toEqual(['m1']);
    expect(trace.ofKind('cm.open.end')[0]?.fields).toMatchObject({ result: 'resumed', present: true });
    expect(trace.ofKind('ch.exit')[0]?.fields).toMatchObject({ pid: old.pid, reason: 'takenover' });
    expect(trace.ofKind('cm.live.decremented')[0]?.fields).toMatchObject({ pid: old.pid, by: 'channel' });
    expect(trace.ofKind('cm.down.batch')[0]?.fields).toMatchObject({ pids: [old.pid], known: [old.pid] });
    expect(trace.ofKind('cm.cleanup.end')[0]?.fields).toMatchObject({ pid: old.pid, clientId: 'c1' });
    expect(
      trace.uncaused('ch.takeover.end.replied', 'cm.takeover.end.answered', (c, e) => c['pid'] === e['pid']),
    ).toEqual([]);
  });

  it('records a refused lock and an unavailable open', async () => {
    const w = world();
    const holder = startChannel(w, 'c1').pid;
    const other = startChannel(w, 'c1').pid;
    await w.cm.locker.acquire('c1', holder);
    const trace = w.rt.trace.collect();
    await expect(open(w, 'c1', other, true)).rejects.toMatchObject({ code: 'CH_ERR_CLIENT_ID_UNAVAILABLE' });
    expect(trace.ofKind('locker.refused')[0]?.fields).toMatchObject({ clientId: 'c1', owner: other, holder });
    expect(trace.ofKind('cm.open.end')[0]?.fields).toMatchObject({ result: 'unavailable' });
    w.rt.exit(holder, 'kill');
    await w.cm.sync();
    await w.rt.idle();
    expect(trace.ofKind('locker.released')[0]?.fields).toMatchObject({ owner: holder, by: 'owner-down' });
  });

  it('records nothing, and builds no fields, while no one collects', async () => {
    const w = world();
    const tp = vi.spyOn(w.rt.trace, 'tp');
    const old = startChannel(w, 'c1');
    await open(w, 'c1', old.pid, false);
    w.cm.deliver('c1', message(1));
    await open(w, 'c1', startChannel(w, 'c1').pid, false);
    await w.cm.sync();
    // Kicks, stepdowns of unknown pids, unregistrations and deaths.
    const kicked = startChannel(w, 'c2').pid;
    await w.cm.registerChannel('c2', kicked, { transport: 'test' });
    await w.cm.kickSession('c2');
    await w.cm.registry.register('c3', startChannel(w, 'c3').pid);
    await w.cm.discardSession('c3');
    const dying = startChannel(w, 'c4').pid;
    await w.cm.registerChannel('c4', dying, { transport: 'test' });
    await w.cm.unregisterChannel('c4', dying);
    w.rt.exit(dying, 'kill');
    await w.cm.sync();
    await w.rt.idle();
    // Every call site checks `trace.active` first, so tp itself is never reached.
    expect(tp).not.toHaveBeenCalled();
  });
});
