import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createMachine, log } from 'xstate';
import { createRuntime } from '@switchboard/runtime';
import type { InspectionEvent, Pid, ProcessRef, XStateInspectionEvent } from '@switchboard/runtime';
import { deterministicWorld, idle, recorder } from './support/world.js';
import type { Received } from './support/world.js';

const toggle = createMachine({
  initial: 'off',
  states: { off: { on: { flip: { target: 'on', actions: function switchOn() {} } } }, on: {} },
});

/** Every line a pino logger writes, parsed. */
function capturedLogger(level: pino.Level): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  };
  return { logger: pino({ level }, destination), lines };
}

describe('inspect', () => {
  it('streams the life of a process: spawn, XState events and snapshots, DOWN, exit', () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    rt.inspect((e) => void events.push(e));
    const watcherLog: Received[] = [];
    const watcher = rt.spawn(recorder(watcherLog), { name: 'watcher' });
    const pid = rt.spawn(toggle);
    const ref = rt.monitor(watcher, pid);
    rt.send(pid, { type: 'flip' });
    sched.runUntilIdle();
    rt.exit(pid, 'kill');
    sched.runUntilIdle();

    const ofPid = events.filter((e) => {
      if (e.type.startsWith('@xstate.')) return (e as { rootId: string }).rootId === String(pid);
      return (e as { pid?: Pid }).pid === pid || (e as { target?: Pid }).target === pid;
    });
    expect(ofPid.map((e) => e.type)).toEqual([
      'rt.spawn',
      '@xstate.actor',
      '@xstate.snapshot',
      'rt.monitor',
      '@xstate.event',
      '@xstate.action',
      '@xstate.microstep',
      '@xstate.snapshot',
      'rt.exit',
      'rt.down',
    ]);
    expect(events[0]).toEqual({ type: 'rt.spawn', pid: watcher, name: 'watcher', parent: undefined });
    expect(ofPid[0]).toEqual({ type: 'rt.spawn', pid, name: undefined, parent: undefined });
    expect(ofPid[3]).toEqual({ type: 'rt.monitor', ref, watcher, target: pid });
    const event = ofPid[4] as XStateInspectionEvent;
    expect(event.event).toEqual({ type: 'flip' });
    expect((event.actorRef as ProcessRef).pid).toBe(pid);
    expect(event.sourceRef).toBeUndefined(); // sent from outside any process
    expect((ofPid[5] as { action: unknown }).action).toEqual({ type: 'switchOn', params: undefined });
    const initial = ofPid[2] as { event: unknown; snapshot: { value: unknown } };
    expect(initial.event).toEqual({ type: 'xstate.init' });
    expect(initial.snapshot.value).toBe('off');
    const after = ofPid[7] as { event: unknown; snapshot: { value: unknown } };
    expect(after.event).toEqual({ type: 'flip' });
    expect(after.snapshot.value).toBe('on');
    expect(ofPid[8]).toEqual({ type: 'rt.exit', pid, reason: 'killed' });
    expect(ofPid[9]).toEqual({ type: 'rt.down', ref, pid, watcher, reason: 'killed' });
  });

  it('names the sending process as sourceRef of an @xstate.event', () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    const log: Received[] = [];
    const receiver = rt.spawn(recorder(log));
    const sender = rt.spawn(
      createMachine({ on: { go: { actions: () => void rt.send(receiver, { type: 'hi' }) } } }),
    );
    rt.inspect((e) => void events.push(e));
    rt.send(sender, { type: 'go' });
    sched.runUntilIdle();
    const hi = events.find((e) => e.type === '@xstate.event' && e.event?.type === 'hi') as {
      actorRef: ProcessRef;
      sourceRef: ProcessRef;
    };
    expect(hi.actorRef.pid).toBe(receiver);
    expect(hi.sourceRef.pid).toBe(sender);
  });

  it('reports links, unlinks and DOWN batches', () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    const a = rt.spawn(idle);
    const b = rt.spawn(idle);
    const w = rt.spawn(idle);
    rt.inspect((e) => {
      if (e.type.startsWith('rt.')) events.push(e);
    });
    rt.link(a, b);
    rt.unlink(a, b);
    rt.monitor(w, a, { batch: true });
    rt.exit(a, 'kill');
    sched.runUntilIdle();
    expect(events.map((e) => e.type)).toEqual([
      'rt.link',
      'rt.unlink',
      'rt.monitor',
      'rt.exit',
      'rt.down',
      'rt.down.batch',
    ]);
    expect(events[0]).toEqual({ type: 'rt.link', a, b });
    expect(events[1]).toEqual({ type: 'rt.unlink', a, b });
    expect(events[5]).toEqual({ type: 'rt.down.batch', watcher: w, size: 1 });
  });

  it('emits nothing after unsubscribe', () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    const sub = rt.inspect((e) => void events.push(e));
    const pid = rt.spawn(toggle);
    const seen = events.length;
    expect(seen).toBeGreaterThan(0);
    sub.unsubscribe();
    rt.send(pid, { type: 'flip' });
    rt.spawn(idle);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(events).toHaveLength(seen);
  });

  it('keeps other subscribers when one unsubscribes', () => {
    const { rt } = deterministicWorld();
    const first: string[] = [];
    const second: string[] = [];
    const sub = rt.inspect((e) => void first.push(e.type));
    rt.inspect((e) => void second.push(e.type));
    sub.unsubscribe();
    rt.spawn(idle);
    expect(first).toEqual([]);
    expect(second).toContain('rt.spawn');
  });

  it('attaches the inspect option from the start', () => {
    const types: string[] = [];
    const rt = createRuntime({ inspect: (e) => void types.push(e.type) });
    rt.spawn(idle);
    expect(types.slice(0, 3)).toEqual(['rt.spawn', '@xstate.actor', '@xstate.snapshot']);
  });

  it('survives an observer that throws and logs the error', () => {
    const { logger, lines } = capturedLogger('info');
    const { sched, rt } = deterministicWorld(1, {}, { logger });
    const seen: string[] = [];
    rt.inspect(() => {
      throw new Error('observer broke');
    });
    rt.inspect((e) => void seen.push(e.type));
    const pid = rt.spawn(toggle);
    rt.send(pid, { type: 'flip' });
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.state).toBe('on');
    expect(seen).toContain('rt.spawn');
    const errors = lines.filter((l) => l['msg'] === 'inspection observer threw');
    expect(errors.length).toBe(seen.length);
    expect((errors[0]?.['err'] as { message: string }).message).toBe('observer broke');
  });
});

describe('watched inspection', () => {
  it("gives a 'watched' observer only the XState events of watched processes, and rt.* events of all", () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    const sub = rt.inspect((e) => void events.push(e), { xstate: 'watched' });
    const watched = rt.spawn(toggle);
    const other = rt.spawn(toggle);
    const unwatch = rt.watch(watched);
    rt.send(watched, { type: 'flip' });
    rt.send(other, { type: 'flip' });
    sched.runUntilIdle();
    const xstateRoots = events
      .filter((e) => e.type.startsWith('@xstate.'))
      .map((e) => (e as XStateInspectionEvent).rootId);
    expect(new Set(xstateRoots)).toEqual(new Set([String(watched)]));
    expect(events.filter((e) => e.type === 'rt.spawn').map((e) => (e as { pid: Pid }).pid)).toEqual([
      watched,
      other,
    ]);

    unwatch();
    unwatch(); // idempotent: the count must not go below zero
    events.length = 0;
    rt.send(watched, { type: 'flip' });
    sched.runUntilIdle();
    expect(events.filter((e) => e.type.startsWith('@xstate.'))).toEqual([]);
    sub.unsubscribe();
  });

  it("still gives every process's XState events while an 'all' observer is attached", () => {
    const { sched, rt } = deterministicWorld();
    const watchedOnly: InspectionEvent[] = [];
    rt.inspect((e) => void watchedOnly.push(e), { xstate: 'watched' });
    const all = rt.inspect(() => undefined);
    const pid = rt.spawn(toggle);
    rt.send(pid, { type: 'flip' });
    sched.runUntilIdle();
    // Observers filter themselves: the stream is shared, only its cost is scoped.
    expect(watchedOnly.some((e) => e.type === '@xstate.snapshot')).toBe(true);
    all.unsubscribe();
    watchedOnly.length = 0;
    rt.send(pid, { type: 'flip' });
    sched.runUntilIdle();
    expect(watchedOnly.some((e) => e.type.startsWith('@xstate.'))).toBe(false);
  });

  it('counts watches: a process stays watched until every watcher let go; a dead pid is ignored', () => {
    const { sched, rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    rt.inspect((e) => void events.push(e), { xstate: 'watched' });
    const pid = rt.spawn(toggle);
    const a = rt.watch(pid);
    const b = rt.watch(pid);
    a();
    rt.send(pid, { type: 'flip' });
    sched.runUntilIdle();
    expect(events.some((e) => e.type === '@xstate.event')).toBe(true);
    b();
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(() => rt.watch(pid)()).not.toThrow();
  });

  it('reports messages handled per process and the live snapshot', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(toggle);
    expect(rt.processInfo(pid)?.handled).toBe(0);
    rt.send(pid, { type: 'flip' });
    rt.send(pid, { type: 'nothing' });
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.handled).toBe(2);
    const snapshot = rt.processSnapshot(pid) as { value: unknown; machine: unknown };
    expect(snapshot.value).toBe('on');
    expect(snapshot.machine).toBe(toggle);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(rt.processSnapshot(pid)).toBeUndefined();
  });
});

describe('trace', () => {
  it('records trace points in order with sequence, clock time and fields', () => {
    const { sched, rt } = deterministicWorld();
    const trace = rt.trace.collect();
    rt.trace.tp('session.opened', { clientId: 'c1' });
    sched.advance(250);
    rt.trace.tp('session.closed', { clientId: 'c1' });
    rt.trace.tp('noFields');
    expect(trace.events).toEqual([
      { kind: 'session.opened', seq: 0, at: 0, fields: { clientId: 'c1' } },
      { kind: 'session.closed', seq: 1, at: 250, fields: { clientId: 'c1' } },
      { kind: 'noFields', seq: 2, at: 250, fields: {} },
    ]);
  });

  it('filters points by kind and finds the first match', () => {
    const { rt } = deterministicWorld();
    const trace = rt.trace.collect();
    rt.trace.tp('a', { n: 1 });
    rt.trace.tp('b', { n: 2 });
    rt.trace.tp('a', { n: 3 });
    expect(trace.ofKind('a').map((p) => p.fields['n'])).toEqual([1, 3]);
    expect(trace.ofKind('zzz')).toEqual([]);
    expect(trace.indexOf('a', (f) => f['n'] === 3)).toBe(2);
    expect(trace.indexOf('b')).toBe(1);
    expect(trace.indexOf('a', (f) => f['n'] === 9)).toBe(-1);
  });

  it('reports effects that no earlier cause explains', () => {
    const { rt } = deterministicWorld();
    const trace = rt.trace.collect();
    const sameId = (c: Readonly<Record<string, unknown>>, e: Readonly<Record<string, unknown>>): boolean =>
      c['id'] === e['id'];
    rt.trace.tp('req.sent', { id: 1 });
    rt.trace.tp('req.answered', { id: 1 });
    rt.trace.tp('req.answered', { id: 2 }); // never sent
    rt.trace.tp('req.answered', { id: 3 }); // sent only afterwards
    rt.trace.tp('req.sent', { id: 3 });
    const missing = trace.uncaused('req.sent', 'req.answered', sameId);
    expect(missing.map((p) => p.fields['id'])).toEqual([2, 3]);
    expect(missing.map((p) => p.seq)).toEqual([2, 3]);
  });

  it('stops collecting after stop and keeps what it has', () => {
    const { rt } = deterministicWorld();
    const first = rt.trace.collect();
    const second = rt.trace.collect();
    rt.trace.tp('one');
    first.stop();
    rt.trace.tp('two');
    expect(first.events.map((p) => p.kind)).toEqual(['one']);
    expect(second.events.map((p) => p.kind)).toEqual(['one', 'two']);
  });

  it('keeps no history for a collector with retain: false, but calls its onPoint', () => {
    const { rt } = deterministicWorld();
    const seen: string[] = [];
    const listener = rt.trace.collect({ retain: false, onPoint: (p) => void seen.push(p.kind) });
    rt.trace.tp('a');
    rt.trace.tp('b');
    expect(seen).toEqual(['a', 'b']);
    expect(listener.events).toEqual([]);
    listener.stop();
  });

  it('is active only while a collector listens or debug logging is on', () => {
    const { rt } = deterministicWorld();
    expect(rt.trace.active).toBe(false);
    const c = rt.trace.collect();
    expect(rt.trace.active).toBe(true);
    c.stop();
    expect(rt.trace.active).toBe(false);
    const { logger } = capturedLogger('debug');
    expect(deterministicWorld(1, {}, { logger }).rt.trace.active).toBe(true);
  });
});

describe('logging', () => {
  it('writes debug lines for trace points and process lifecycle when the logger is at debug', () => {
    const { logger, lines } = capturedLogger('debug');
    const { sched, rt } = deterministicWorld(1, {}, { logger, node: 'n1' });
    const pid = rt.spawn(idle);
    rt.trace.tp('conn.accepted', { conn: 'c7' });
    rt.exit(pid, { shutdown: 'bye' });
    sched.runUntilIdle();
    expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
      [20, 'spawn'],
      [20, 'conn.accepted'],
      [20, 'exit'],
    ]);
    expect(lines[0]).toMatchObject({ node: 'n1', actor: String(pid) });
    expect(lines[1]).toMatchObject({ node: 'n1', tp: 'conn.accepted', conn: 'c7' });
    expect(lines[2]).toMatchObject({ node: 'n1', actor: String(pid), reason: 'shutdown:bye' });
  });

  it('writes debug lines for trace points while a collector also listens', () => {
    const { logger, lines } = capturedLogger('debug');
    const { rt } = deterministicWorld(1, {}, { logger });
    const trace = rt.trace.collect();
    rt.trace.tp('x', { n: 1 });
    expect(trace.events).toHaveLength(1);
    expect(lines).toEqual([expect.objectContaining({ level: 20, msg: 'x', tp: 'x', n: 1 })]);
  });

  it('writes no debug lines above debug level', () => {
    const { logger, lines } = capturedLogger('info');
    const { sched, rt } = deterministicWorld(1, {}, { logger });
    const pid = rt.spawn(idle);
    rt.trace.tp('conn.accepted', { conn: 'c7' });
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(lines).toEqual([]);
  });

  it("writes XState's log action at info, tagged with the process's pid", () => {
    const { logger, lines } = capturedLogger('info');
    const { sched, rt } = deterministicWorld(1, {}, { logger });
    const pid = rt.spawn(createMachine({ on: { hi: { actions: log('hello there') } } }));
    rt.send(pid, { type: 'hi' });
    sched.runUntilIdle();
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'hello there', actor: String(pid) })]);
  });

  it('warns about mailbox overflow', () => {
    const { logger, lines } = capturedLogger('warn');
    const { rt } = deterministicWorld(1, {}, { logger });
    const pid = rt.spawn(idle, { mailbox: { capacity: 1 } });
    rt.send(pid, { type: 'a' });
    rt.send(pid, { type: 'b' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'mailbox overflow',
        actor: String(pid),
        policy: 'drop-newest',
      }),
    ]);
  });
});
