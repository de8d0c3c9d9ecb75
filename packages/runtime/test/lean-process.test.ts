/**
 * What a process keeps is kept small (one link without a Set, one object per monitor, shared
 * empty XState values) without changing what anyone observes.
 */
import { describe, expect, it } from 'vitest';
import { assign, createMachine, fromCallback, setup } from 'xstate';
import {
  Mailbox,
  createDeterministicScheduler,
  createSupervisor,
  createRuntime,
  createSeededEntropy,
} from '@switchboard/runtime';
import type { DownBatchMessage, Pid } from '@switchboard/runtime';
import { addLink, linkedPeers, removeLink } from '../src/internal/link-set.js';
import { addMonitor, monitorsIn, removeMonitor } from '../src/internal/monitor-set.js';
import type { Monitor, Process } from '../src/internal/process.js';
import { HibernatedSnapshot } from '../src/internal/snapshot-hibernation.js';

function world() {
  const sched = createDeterministicScheduler({ seed: 1, auto: false });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(1) });
  return { sched, rt };
}

const idle = createMachine({});

/** What a process keeps as its snapshot, read without waking it (a view of a hibernated one). */
function kept(rt: ReturnType<typeof world>['rt'], pid: Pid): unknown {
  return (rt as unknown as { procs: Map<number, Process> }).procs.get(pid.id)?.peekSnapshot();
}
const trapping = createMachine({ on: { 'rt.exit': { actions: () => undefined } } });

describe('link sets', () => {
  it('hold one peer as itself, two or more in a Set, and go back to nothing', () => {
    const a = { n: 'a' };
    const b = { n: 'b' };
    let links = addLink(null, a);
    expect(links).toBe(a);
    expect(addLink(links, a)).toBe(a);
    links = addLink(links, b);
    expect(links).toBeInstanceOf(Set);
    expect(linkedPeers(links)).toEqual([a, b]);
    let removed = removeLink(links, a);
    expect(removed.had).toBe(true);
    removed = removeLink(removed.links, b);
    expect(removed).toEqual({ links: null, had: true });
    expect(removeLink(a, b)).toEqual({ links: a, had: false });
    expect(removeLink(a, a)).toEqual({ links: null, had: true });
    expect(linkedPeers(null)).toEqual([]);
  });

  it('a process with one and then two links reports them and signals both when it dies', () => {
    const { sched, rt } = world();
    const hub = rt.spawn(idle);
    const one = rt.spawn(trapping, { trapExit: true });
    const two = rt.spawn(trapping, { trapExit: true });
    rt.link(hub, one);
    expect(rt.processInfo(hub)?.links).toEqual([one]);
    rt.link(hub, two);
    expect(rt.processInfo(hub)?.links).toEqual([one, two]);
    rt.unlink(hub, one);
    expect(rt.processInfo(hub)?.links).toEqual([two]);
    expect(rt.processInfo(one)?.links).toEqual([]);
    rt.link(hub, one);
    rt.exit(hub, { error: 'boom' });
    sched.runUntilIdle();
    expect(rt.processInfo(one)?.handled).toBe(1);
    expect(rt.processInfo(two)?.handled).toBe(1);
    expect(rt.processInfo(one)?.links).toEqual([]);
  });
});

describe('monitor sets', () => {
  const monitor = (id: number): Monitor => ({ ref: { id } }) as unknown as Monitor;

  it('keep one monitor bare, up to 8 in an exact array, more in a Map, in order, and go back to nothing', () => {
    const first = monitor(1);
    let set = addMonitor(null, first);
    expect(set).toBe(first);
    expect(monitorsIn(set)).toEqual([first]);
    expect(removeMonitor(set, 9)).toEqual({ set: first, had: false });
    set = addMonitor(set, monitor(2));
    expect(Array.isArray(set)).toBe(true);
    expect(monitorsIn(set).map((m) => m.ref.id)).toEqual([1, 2]);
    expect(removeMonitor(set, 9)).toEqual({ set, had: false });
    const one = removeMonitor(set, 1);
    expect(one.had).toBe(true);
    expect(Array.isArray(one.set)).toBe(false);
    expect(monitorsIn(one.set).map((m) => m.ref.id)).toEqual([2]);
    expect(removeMonitor(one.set, 2)).toEqual({ set: null, had: true });
    const three = addMonitor(addMonitor(addMonitor(null, monitor(1)), monitor(2)), monitor(3));
    const two = removeMonitor(three, 2).set;
    expect(Array.isArray(two)).toBe(true);
    expect(monitorsIn(two).map((m) => m.ref.id)).toEqual([1, 3]);
    expect(monitorsIn(removeMonitor(two, 3).set)).toEqual([monitorsIn(three)[0]]);
    let many = null as ReturnType<typeof addMonitor>;
    for (let id = 1; id <= 10; id++) many = addMonitor(many, monitor(id));
    expect(many).toBeInstanceOf(Map);
    expect(monitorsIn(many).map((m) => m.ref.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(removeMonitor(many, 5).had).toBe(true);
    expect(removeMonitor(many, 5).had).toBe(false);
    expect(monitorsIn(null)).toEqual([]);
    expect(removeMonitor(null, 1)).toEqual({ set: null, had: false });
  });

  it('a process with many watchers tells each of them, in monitor order', () => {
    const { sched, rt } = world();
    const target = rt.spawn(idle);
    const watchers = Array.from({ length: 12 }, () => rt.spawn(idle));
    for (const w of watchers) rt.suspend(w);
    for (const w of watchers) rt.monitor(w, target);
    expect(rt.processInfo(target)?.monitoredBy).toEqual(watchers);
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(watchers.map((w) => rt.processInfo(w)?.mailboxLength)).toEqual(watchers.map(() => 1));
  });
});

describe('monitors', () => {
  it('the ref is the monitor: demonitor ends it once, and a flush takes back a queued DOWN', () => {
    const { sched, rt } = world();
    const watcher = rt.spawn(idle);
    const target = rt.spawn(idle);
    const ref = rt.monitor(watcher, target);
    expect(rt.processInfo(target)?.monitoredBy).toEqual([watcher]);
    expect(rt.demonitor(ref)).toBe(true);
    expect(rt.demonitor(ref)).toBe(false);
    expect(rt.processInfo(target)?.monitoredBy).toEqual([]);
    const again = rt.monitor(watcher, target);
    rt.suspend(watcher); // its DOWN waits in the mailbox
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(rt.processInfo(watcher)?.mailboxLength).toBe(1);
    expect(rt.demonitor(again, { flush: true })).toBe(false);
    expect(rt.processInfo(watcher)?.mailboxLength).toBe(0);
  });

  it('a monitor of a dead pid delivers noproc at once', () => {
    const { sched, rt } = world();
    const watcher = rt.spawn(idle);
    const gone = rt.spawn(idle);
    rt.exit(gone, 'kill');
    sched.runUntilIdle();
    rt.suspend(watcher);
    const ref = rt.monitor(watcher, gone);
    expect(String(ref)).toMatch(/^#Ref</);
    expect(rt.processInfo(watcher)?.mailboxLength).toBe(1);
  });
});

describe("a supervisor's reportDownsTo", () => {
  /** A process that records every death its DOWN batches carry. */
  function reporter(rt: ReturnType<typeof world>['rt']) {
    const deaths: { pid: string; reason: unknown }[] = [];
    const pid = rt.spawn(
      createMachine({
        on: {
          'rt.down.batch': {
            actions: ({ event }) => {
              for (const d of (event as unknown as DownBatchMessage).downs)
                deaths.push({ pid: String(d.pid), reason: d.reason });
            },
          },
        },
      }),
    );
    return { pid, deaths };
  }

  /** A reporter, and a dynamic supervisor of temporary children that reports their deaths to it. */
  function supervised() {
    const { sched, rt } = world();
    const to = reporter(rt);
    const sup = createSupervisor(rt, {
      strategy: 'dynamic',
      child: { logic: idle, restart: 'temporary' },
      reportDownsTo: to.pid,
    });
    const startChild = async (): Promise<Pid> => {
      const started = sup.startChild(undefined);
      sched.runUntilIdle();
      return started;
    };
    return { sched, rt, to, startChild };
  }

  it('reports each death once, with its reason, and keeps no monitor record on either side', async () => {
    const { sched, rt, to, startChild } = supervised();
    const child = await startChild();
    const watched = rt.monitor(rt.spawn(idle), child); // a real monitor beside the report
    expect(rt.processInfo(child)?.monitoredBy).toHaveLength(2);
    expect(rt.processInfo(child)?.monitoredBy[0]).toEqual(to.pid);
    expect(rt.processInfo(to.pid)?.monitors).toEqual([]);
    expect(rt.demonitor(watched)).toBe(true);
    rt.exit(child, { shutdown: 'bye' });
    sched.runUntilIdle();
    expect(to.deaths).toEqual([{ pid: String(child), reason: { shutdown: 'bye' } }]);
  });

  it('tells a dead reporter nothing, and its later children are not reported to it', async () => {
    const { sched, rt, to, startChild } = supervised();
    const child = await startChild();
    rt.exit(to.pid, 'kill');
    sched.runUntilIdle();
    const later = await startChild();
    expect(rt.processInfo(later)?.monitoredBy).toEqual([]);
    rt.exit(child, 'kill');
    rt.exit(later, 'kill');
    sched.runUntilIdle();
    expect(rt.isAlive(child) || rt.isAlive(later)).toBe(false);
    expect(to.deaths).toEqual([]);
  });
});

describe('mailboxes', () => {
  it('a drained ring is given back, and the next messages keep their order', () => {
    const box = new Mailbox<string, number>();
    for (let round = 0; round < 3; round++) {
      // 6 > the first ring's 4 entries: it grows, wraps, drains, and starts again empty.
      for (let n = 0; n < 6; n++) box.offer('s', round * 10 + n, false);
      const got: number[] = [];
      while (box.length > 0) got.push(box.shift() as number);
      expect(got).toEqual([0, 1, 2, 3, 4, 5].map((n) => round * 10 + n));
    }
    box.offer('a', 1, false);
    box.clear();
    expect(box.length).toBe(0);
    expect(box.offer('b', 2, false)).toBe('queued');
    expect(box.takeFrom('b')).toBe(2);
  });

  it('a process handles bursts in order; one that dropped messages still reports them when idle', () => {
    const { sched, rt } = world();
    const seen: number[] = [];
    const recorder = createMachine({
      on: { n: { actions: ({ event }) => seen.push(event['v'] as number) } },
    });
    const pid = rt.spawn(recorder);
    for (let burst = 0; burst < 3; burst++) {
      for (let v = 0; v < 5; v++) rt.send(pid, { type: 'n', v: burst * 5 + v });
      sched.runUntilIdle();
    }
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(rt.processInfo(pid)).toMatchObject({ mailboxLength: 0, dropped: 0, handled: 15 });
    const bounded = rt.spawn(recorder, { mailbox: { capacity: 1, overflow: 'drop-newest' } });
    rt.send(bounded, { type: 'n', v: 100 });
    rt.send(bounded, { type: 'n', v: 101 });
    sched.runUntilIdle();
    expect(seen.at(-1)).toBe(100);
    expect(rt.processInfo(bounded)).toMatchObject({ mailboxLength: 0, dropped: 1 });
  });
});

describe('XState snapshots', () => {
  const tagged = createMachine({
    initial: 'a',
    states: { a: { tags: ['busy'], on: { go: 'b' } }, b: { on: { go: 'a' } } },
  });
  const parallel = createMachine({
    type: 'parallel',
    states: {
      x: { initial: 'x1', states: { x1: { on: { x: 'x2' } }, x2: {} } },
      y: { initial: 'y1', states: { y1: { on: { y: 'y2' } }, y2: {} } },
    },
  });

  it('share one empty tags Set and frozen empty children and history between processes', () => {
    const { sched, rt } = world();
    const p1 = rt.spawn(tagged);
    const p2 = rt.spawn(tagged);
    rt.send(p1, { type: 'go' });
    rt.send(p2, { type: 'go' });
    sched.runUntilIdle();
    type Snap = { tags: Set<string>; children: object; historyValue: object; hasTag(t: string): boolean };
    const s1 = rt.processSnapshot(p1) as Snap;
    const s2 = rt.processSnapshot(p2) as Snap;
    expect(s1.tags.size).toBe(0);
    expect(s1.tags).toBe(s2.tags);
    expect(s1.children).toBe(s2.children);
    expect(s1.historyValue).toBe(s2.historyValue);
    expect(Object.isFrozen(s1.children)).toBe(true);
    expect(s1.hasTag('busy')).toBe(false);
    rt.send(p1, { type: 'go' });
    sched.runUntilIdle();
    const back = rt.processSnapshot(p1) as Snap;
    expect(back.hasTag('busy')).toBe(true);
    expect([...back.tags]).toEqual(['busy']);
    expect((rt.processSnapshot(p2) as Snap).hasTag('busy')).toBe(false);
  });

  it('processes in the same states share one frozen _nodes array; parallel configurations stay exact', () => {
    const { sched, rt } = world();
    type Snap = { _nodes: readonly unknown[]; matches(v: unknown): boolean };
    const p1 = rt.spawn(tagged);
    const p2 = rt.spawn(tagged);
    for (const p of [p1, p2]) rt.send(p, { type: 'go' });
    sched.runUntilIdle();
    const s1 = rt.processSnapshot(p1) as Snap;
    expect(s1._nodes).toBe((rt.processSnapshot(p2) as Snap)._nodes);
    expect(Object.isFrozen(s1._nodes)).toBe(true);
    expect(s1.matches('b')).toBe(true);
    const q1 = rt.spawn(parallel);
    const q2 = rt.spawn(parallel);
    rt.send(q1, { type: 'x' });
    rt.send(q2, { type: 'y' });
    sched.runUntilIdle();
    const t1 = rt.processSnapshot(q1) as Snap;
    const t2 = rt.processSnapshot(q2) as Snap;
    expect(t1.matches({ x: 'x2', y: 'y1' })).toBe(true);
    expect(t2.matches({ x: 'x1', y: 'y2' })).toBe(true);
    rt.send(q1, { type: 'y' });
    sched.runUntilIdle();
    expect((rt.processSnapshot(q1) as Snap).matches({ x: 'x2', y: 'y2' })).toBe(true);
  });

  it('a machine that spawns children keeps its own children record', () => {
    const { sched, rt } = world();
    const child = createMachine({});
    const parent = createMachine({
      initial: 'idle',
      states: {
        idle: { on: { spawn: 'busy' } },
        busy: { invoke: { id: 'kid', src: child } },
      },
    });
    const pid: Pid = rt.spawn(parent);
    rt.send(pid, { type: 'spawn' });
    sched.runUntilIdle();
    const snap = rt.processSnapshot(pid) as { children: Record<string, unknown> };
    expect(Object.keys(snap.children)).toEqual(['kid']);
  });

  describe('hibernation', () => {
    const counter = setup({
      types: { context: {} as { n: number; owner: string }, input: {} as { owner: string } },
    }).createMachine({
      context: ({ input }) => ({ n: 0, owner: input.owner }),
      initial: 'idle',
      states: {
        idle: { on: { go: { target: 'away.far', actions: assign({ n: ({ context }) => context.n + 1 }) } } },
        away: {
          initial: 'near',
          states: {
            near: {},
            far: {
              on: {
                back: { target: '#counter.idle', actions: assign({ n: ({ context }) => context.n + 10 }) },
              },
            },
          },
        },
      },
      id: 'counter',
    });
    const XSTATE_KEYS = [
      'status',
      'output',
      'error',
      'machine',
      'context',
      '_nodes',
      'value',
      'tags',
      'children',
      'historyValue',
      'matches',
      'hasTag',
      'can',
      'getMeta',
      'toJSON',
    ];

    it('an idle process keeps its context and active nodes only, and reads the rest through', () => {
      const { sched, rt } = world();
      const pid = rt.spawn(counter, { input: { owner: 'a' } });
      rt.send(pid, { type: 'go' });
      sched.runUntilIdle();
      const h = kept(rt, pid) as HibernatedSnapshot;
      expect(h).toBeInstanceOf(HibernatedSnapshot);
      expect(Object.keys(h)).toEqual(['context', '_nodes']);
      expect(h.context).toEqual({ n: 1, owner: 'a' });
      expect(h.value).toEqual({ away: 'far' });
      expect([h.status, h.output, h.error, h.tags.size]).toEqual(['active', undefined, undefined, 0]);
      expect(h.machine).toBe(counter);
      expect(h.matches({ away: 'far' })).toBe(true);
      expect(h.hasTag('x')).toBe(false);
      expect(h.can({ type: 'back' })).toBe(true);
      expect(h.can({ type: 'go' })).toBe(false);
      // processInfo reads through it, without waking it.
      expect(rt.processInfo(pid)?.state).toEqual({ away: 'far' });
      // Still hibernated: each such read is a new view of the same two parts.
      const again = kept(rt, pid) as HibernatedSnapshot;
      expect(again).toBeInstanceOf(HibernatedSnapshot);
      expect([again.context, again._nodes]).toEqual([h.context, h._nodes]);
      expect(again.context).toBe(h.context);
      expect(again._nodes).toBe(h._nodes);
      const json = JSON.parse(JSON.stringify(h)) as unknown;
      // Woken by a read: the full snapshot, in XState's shape, kept until the process changes.
      const full = rt.processSnapshot(pid) as Record<string, unknown>;
      expect(full).not.toBeInstanceOf(HibernatedSnapshot);
      expect(Object.keys(full)).toEqual(XSTATE_KEYS);
      expect(rt.processSnapshot(pid)).toBe(full);
      expect(JSON.parse(JSON.stringify(full))).toEqual(json);
      expect(full['value']).toEqual({ away: 'far' });
    });

    it('the next message wakes it: the machine goes on from the same state and context', () => {
      const { sched, rt } = world();
      const pid = rt.spawn(counter, { input: { owner: 'b' } });
      rt.send(pid, { type: 'go' });
      sched.runUntilIdle();
      expect(kept(rt, pid)).toBeInstanceOf(HibernatedSnapshot);
      rt.send(pid, { type: 'back' });
      sched.runUntilIdle();
      expect(kept(rt, pid)).toBeInstanceOf(HibernatedSnapshot);
      expect(rt.processInfo(pid)?.state).toBe('idle');
      expect((rt.processSnapshot(pid) as { context: unknown }).context).toEqual({ n: 11, owner: 'b' });
      rt.send(pid, { type: 'go' });
      sched.runUntilIdle();
      expect((kept(rt, pid) as HibernatedSnapshot).context).toEqual({ n: 12, owner: 'b' });
    });

    it('processes in the same states share one frozen state value', () => {
      const { sched, rt } = world();
      const p1 = rt.spawn(counter, { input: { owner: 'a' } });
      const p2 = rt.spawn(counter, { input: { owner: 'b' } });
      for (const p of [p1, p2]) rt.send(p, { type: 'go' });
      sched.runUntilIdle();
      const v1 = (kept(rt, p1) as HibernatedSnapshot).value;
      expect(v1).toBe((kept(rt, p2) as HibernatedSnapshot).value);
      expect(Object.isFrozen(v1)).toBe(true);
      expect((rt.processSnapshot(p1) as { value: unknown }).value).toBe(v1);
    });

    it('a snapshot with tags, children or an unshared configuration is kept as it is', () => {
      const { sched, rt } = world();
      const busy = rt.spawn(tagged);
      const parent = rt.spawn(
        createMachine({
          invoke: { src: fromCallback(() => () => undefined) },
          on: { ping: { actions: () => undefined } },
        }),
      );
      const q2 = rt.spawn(parallel);
      const q3 = rt.spawn(parallel);
      rt.send(busy, { type: 'nothing' });
      rt.send(parent, { type: 'ping' });
      rt.send(q2, { type: 'y' });
      sched.runUntilIdle();
      // q3 ends in y2 too, by another configuration: its nodes are not the shared ones of y2.
      rt.send(q3, { type: 'x' });
      rt.send(q3, { type: 'y' });
      sched.runUntilIdle();
      for (const pid of [busy, parent, q3]) expect(kept(rt, pid)).not.toBeInstanceOf(HibernatedSnapshot);
      expect(kept(rt, q2)).toBeInstanceOf(HibernatedSnapshot);
      expect((rt.processSnapshot(q3) as { matches(v: unknown): boolean }).matches({ x: 'x2', y: 'y2' })).toBe(
        true,
      );
      expect((rt.processSnapshot(q2) as { matches(v: unknown): boolean }).matches({ x: 'x1', y: 'y2' })).toBe(
        true,
      );
    });
  });
});

describe('rare process fields', () => {
  const RARE = [
    'monitors',
    'downBatch',
    'pendingExit',
    'exitReason',
    'name',
    'suspended',
    'watchers',
    'batchSize',
    'spec',
  ];
  const procOf = (rt: ReturnType<typeof world>['rt'], pid: Pid): Process =>
    (rt as unknown as { procs: Map<number, Process> }).procs.get(pid.id) as Process;

  it('are no slots of their own on a process: they read as their defaults until written', () => {
    const { rt } = world();
    const proc = procOf(rt, rt.spawn(idle));
    for (const key of RARE) expect(Object.keys(proc)).not.toContain(key);
    expect(proc.monitors).toBeNull();
    expect(proc.timers).toBeNull();
    expect(proc.downBatch).toBeNull();
    expect(proc.pendingExit).toBeUndefined();
    expect(proc.exitReason).toBeUndefined();
    expect(proc.name).toBeUndefined();
    expect(proc.suspended).toBe(false);
    expect(proc.watchers).toBe(0);
  });

  it('keep what is written, and go back to their defaults', () => {
    const { rt } = world();
    const proc = procOf(rt, rt.spawn(idle));
    proc.suspended = true;
    proc.watchers = 2;
    proc.name = 'n';
    proc.timers = new Map();
    expect([proc.suspended, proc.watchers, proc.name, proc.timers.size]).toEqual([true, 2, 'n', 0]);
    proc.suspended = false;
    proc.watchers = 0;
    proc.name = undefined;
    proc.timers = null;
    expect([proc.suspended, proc.watchers, proc.name, proc.timers]).toEqual([false, 0, undefined, null]);
  });

  it("a DOWN batch size is the runtime's unless the spawn names another", () => {
    const sched = createDeterministicScheduler({ seed: 1, auto: false });
    const rt = createRuntime({ dispatcher: sched, clock: sched, batchSize: 7 });
    expect(procOf(rt, rt.spawn(idle)).batchSize).toBe(7);
    expect(procOf(rt, rt.spawn(idle, { batchSize: 3 })).batchSize).toBe(3);
  });

  it('mailbox bounds are unbounded unless the spawn names others', () => {
    const { rt } = world();
    expect(procOf(rt, rt.spawn(idle)).spec).toEqual({ capacity: Infinity, overflow: 'drop-newest' });
    expect(procOf(rt, rt.spawn(idle, { mailbox: { capacity: 2, overflow: 'reject' } })).spec).toEqual({
      capacity: 2,
      overflow: 'reject',
    });
  });

  it("a watcher's monitors are a set of its refs: demonitor and the target's death take them out", () => {
    const { sched, rt } = world();
    const watcher = rt.spawn(trapping);
    const [a, b] = [rt.spawn(idle), rt.spawn(idle)];
    const refA = rt.monitor(watcher, a);
    rt.monitor(watcher, b);
    expect([...(procOf(rt, watcher).monitors ?? [])].map((m) => m.ref)).toContain(refA);
    expect(procOf(rt, watcher).monitors?.size).toBe(2);
    rt.demonitor(refA);
    expect(rt.processInfo(watcher)?.monitors).toEqual([b]);
    rt.exit(b, 'kill');
    sched.runUntilIdle();
    expect(procOf(rt, watcher).monitors?.size ?? 0).toBe(0);
  });

  it('a suspended, named process behaves as before: nothing handled until resumed', () => {
    const { sched, rt } = world();
    let seen = 0;
    const pid = rt.spawn(createMachine({ on: { ping: { actions: () => void seen++ } } }), { name: 'worker' });
    rt.suspend(pid);
    rt.send(pid, { type: 'ping' });
    sched.runUntilIdle();
    expect(seen).toBe(0);
    expect(rt.whereis('worker')).toBe(pid);
    rt.resume(pid);
    sched.runUntilIdle();
    expect(seen).toBe(1);
  });

  it('status, queued and trap-exit share one small integer, each read and written on its own', () => {
    const { rt } = world();
    const proc = procOf(rt, rt.spawn(trapping, { trapExit: true }));
    for (const key of ['status', 'queued', 'trapExit']) expect(Object.keys(proc)).not.toContain(key);
    expect([proc.status, proc.queued, proc.trapExit]).toEqual([0, false, true]);
    proc.queued = true;
    proc.trapExit = false;
    expect([proc.status, proc.queued, proc.trapExit]).toEqual([0, true, false]);
    proc.status = 1;
    proc.queued = false;
    expect([proc.status, proc.queued, proc.trapExit]).toEqual([1, false, false]);
    proc.status = 0;
  });

  it("a monitor ref's active, batch and flushable states are bits: demonitor clears, the batch flag stays", () => {
    const { sched, rt } = world();
    const watcher = rt.spawn(trapping);
    const target = rt.spawn(idle);
    const ref = rt.monitor(watcher, target, { batch: true });
    const monitor = ref as unknown as { monitor?: unknown; batch: boolean; flushWatcher?: unknown };
    for (const key of ['monitor', 'batch', 'flushWatcher']) expect(Object.keys(ref)).not.toContain(key);
    expect([monitor.monitor, monitor.batch, monitor.flushWatcher]).toEqual([ref, true, procOf(rt, watcher)]);
    expect(rt.demonitor(ref, { flush: true })).toBe(true);
    expect([monitor.monitor, monitor.batch, monitor.flushWatcher]).toEqual([undefined, true, undefined]);
    expect(rt.demonitor(ref)).toBe(false);
    sched.runUntilIdle();
  });
});
