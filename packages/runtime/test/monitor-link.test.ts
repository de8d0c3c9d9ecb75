import { describe, expect, it } from 'vitest';
import { createMachine, setup } from 'xstate';
import { NoProc, Pid, createRuntime, exitSelf, sendToPid } from '@switchboard/runtime';
import type {
  DownBatchMessage,
  DownMessage,
  ExitMessage,
  ExitReason,
  Pid as PidType,
  Ref,
  Strategy,
} from '@switchboard/runtime';
import { deterministicWorld, idle, recorder } from './support/world.js';
import type { Received } from './support/world.js';

/** A process that exits with whatever reason its `quit` event carries. */
const quitter = setup({ types: { events: {} as { type: 'quit'; reason: ExitReason } } }).createMachine({
  on: { quit: { actions: exitSelf(({ event }) => event.reason) } },
});

const exitsFirstThenLast: Strategy = (candidates) => {
  const exit = candidates.findIndex((c) => c.startsWith('exit:'));
  return exit >= 0 ? exit : candidates.length - 1;
};

/** A recording process, and its log typed as what the runtime sends. */
function watcher(rt: ReturnType<typeof createRuntime>, options: Parameters<typeof rt.spawn>[1] = {}) {
  const log: Received[] = [];
  const pid = rt.spawn(recorder(log), options);
  return { pid, log, messages: log as unknown as (DownMessage | DownBatchMessage | ExitMessage)[] };
}

describe('monitor', () => {
  it.each<[string, ExitReason]>([
    ['normal', 'normal'],
    ['shutdown', 'shutdown'],
    ['{ shutdown }', { shutdown: 'takeover' }],
    ['{ error }', { error: 'bad state' }],
  ])('delivers exactly one rt.down with reason %s', (_name, reason) => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(quitter);
    const ref = rt.monitor(w.pid, target);
    rt.send(target, { type: 'quit', reason });
    sched.runUntilIdle();
    expect(w.log).toEqual([{ type: 'rt.down', ref, pid: target, reason }]);
  });

  it("delivers 'killed' for a process killed with 'kill'", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const ref = rt.monitor(w.pid, target);
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(w.log).toEqual([{ type: 'rt.down', ref, pid: target, reason: 'killed' }]);
  });

  it("delivers an immediate 'noproc' DOWN for a dead or unknown target", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const dead = rt.spawn(idle);
    rt.exit(dead, 'kill');
    sched.runUntilIdle();
    const ghost = new Pid('local', 4242, 0);
    const r1 = rt.monitor(w.pid, dead);
    const r2 = rt.monitor(w.pid, ghost);
    // Queued at once, before anything runs.
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(2);
    sched.runUntilIdle();
    expect(w.log).toEqual([
      { type: 'rt.down', ref: r1, pid: dead, reason: 'noproc' },
      { type: 'rt.down', ref: r2, pid: ghost, reason: 'noproc' },
    ]);
    expect(rt.processInfo(w.pid)?.monitors).toEqual([]);
  });

  it('delivers one DOWN per monitor, each with its own ref', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const refs = [rt.monitor(w.pid, target), rt.monitor(w.pid, target), rt.monitor(w.pid, target)];
    expect(new Set(refs.map(String)).size).toBe(3);
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(w.messages.map((m) => (m as DownMessage).ref)).toEqual(refs);
  });

  it('delivers the DOWN after every message the dead process sent to the watcher, under any schedule', () => {
    for (let seed = 0; seed < 30; seed++) {
      const { sched, rt } = deterministicWorld(seed);
      const w = watcher(rt);
      const target = rt.spawn(
        setup({ types: { input: {} as PidType, context: {} as { to: PidType } } }).createMachine({
          context: ({ input }) => ({ to: input }),
          on: {
            go: {
              actions: [
                sendToPid(({ context }) => context.to, { type: 'first' }),
                sendToPid(({ context }) => context.to, { type: 'last' }),
                exitSelf('normal'),
              ],
            },
          },
        }),
        { input: w.pid },
      );
      rt.monitor(w.pid, target);
      rt.send(w.pid, { type: 'external' });
      rt.send(target, { type: 'go' });
      sched.runUntilIdle();
      const fromTarget = w.log.map((e) => e.type).filter((t) => t !== 'external');
      expect(fromTarget).toEqual(['first', 'last', 'rt.down']);
    }
  });

  it('reports monitors and monitoredBy in processInfo and clears them when the target dies', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    rt.monitor(w.pid, target);
    expect(rt.processInfo(w.pid)?.monitors).toEqual([target]);
    expect(rt.processInfo(target)?.monitoredBy).toEqual([w.pid]);
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(rt.processInfo(w.pid)?.monitors).toEqual([]);
  });

  it("forgets a dead watcher's monitors", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    rt.monitor(w.pid, target);
    rt.exit(w.pid, 'kill');
    sched.runUntilIdle();
    expect(rt.processInfo(target)?.monitoredBy).toEqual([]);
  });

  it('returns a ref and delivers nothing for a dead watcher', () => {
    const { sched, rt } = deterministicWorld();
    const dead = rt.spawn(idle);
    rt.exit(dead, 'kill');
    sched.runUntilIdle();
    const target = rt.spawn(idle);
    const ref = rt.monitor(dead, target);
    expect(String(ref)).toMatch(/^#Ref<local\.\d+>$/);
    expect(rt.processInfo(target)?.monitoredBy).toEqual([]);
  });
});

describe('demonitor', () => {
  it('prevents the DOWN and reports whether the monitor was active', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const ref = rt.monitor(w.pid, target);
    expect(rt.demonitor(ref)).toBe(true);
    expect(rt.demonitor(ref)).toBe(false);
    expect(rt.processInfo(w.pid)?.monitors).toEqual([]);
    expect(rt.processInfo(target)?.monitoredBy).toEqual([]);
    rt.exit(target, 'kill');
    sched.runUntilIdle();
    expect(w.log).toEqual([]);
  });

  it('leaves an already queued DOWN in place without flush', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const ref = rt.monitor(w.pid, target);
    rt.exit(target, 'kill');
    sched.step(); // the exit: the DOWN is now queued
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    expect(rt.demonitor(ref)).toBe(false);
    sched.runUntilIdle();
    expect(w.messages.map((m) => m.type)).toEqual(['rt.down']);
  });

  it('removes an already queued DOWN with flush', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const other = rt.spawn(idle);
    const flushed = rt.monitor(w.pid, target);
    const kept = rt.monitor(w.pid, other);
    rt.exit(target, 'kill');
    rt.exit(other, 'kill');
    sched.step();
    sched.step(); // both exits (the only runnable work): both DOWNs are queued
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(2);
    expect(rt.demonitor(flushed, { flush: true })).toBe(false);
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    sched.runUntilIdle();
    expect(w.messages).toEqual([{ type: 'rt.down', ref: kept, pid: other, reason: 'killed' }]);
  });

  it("removes a queued 'noproc' DOWN with flush", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const ref = rt.monitor(w.pid, new Pid('local', 999, 0));
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    rt.demonitor(ref, { flush: true });
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(0);
    sched.runUntilIdle();
    expect(w.log).toEqual([]);
  });

  it('removes a DOWN already packed into a queued batch with flush', () => {
    // Exits first; then the last candidate, which for a batch size decision is the whole batch.
    const { sched, rt } = deterministicWorld(1, { strategy: exitsFirstThenLast });
    const w = watcher(rt);
    const targets = [rt.spawn(idle), rt.spawn(idle), rt.spawn(idle)];
    const refs = targets.map((t) => rt.monitor(w.pid, t, { batch: true }));
    for (const t of targets) rt.exit(t, 'kill');
    for (let i = 0; i < 4; i++) sched.step(); // three exits, then one batch of three
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    rt.demonitor(refs[1] as Ref, { flush: true });
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    sched.runUntilIdle();
    expect(w.messages).toEqual([
      {
        type: 'rt.down.batch',
        downs: [
          { ref: refs[0], pid: targets[0], reason: 'killed' },
          { ref: refs[2], pid: targets[2], reason: 'killed' },
        ],
      },
    ]);
  });

  it('removes a queued batch whose only DOWN is flushed', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const ref = rt.monitor(w.pid, target, { batch: true });
    rt.exit(target, 'kill');
    sched.step(); // the exit
    sched.step(); // the batch
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(1);
    rt.demonitor(ref, { flush: true });
    expect(rt.processInfo(w.pid)?.mailboxLength).toBe(0);
    sched.runUntilIdle();
    expect(w.log).toEqual([]);
  });

  it('removes a pending batched DOWN with flush', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const target = rt.spawn(idle);
    const ref = rt.monitor(w.pid, target, { batch: true });
    rt.exit(target, 'kill');
    sched.step(); // the exit: the death waits in the watcher's pending batch
    rt.demonitor(ref, { flush: true });
    sched.runUntilIdle();
    expect(w.log).toEqual([]);
  });
});

describe('batched monitors', () => {
  it('delivers deaths in rt.down.batch events no larger than the watcher batchSize', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { sched, rt } = deterministicWorld(seed);
      const w = watcher(rt, { batchSize: 3 });
      const targets = Array.from({ length: 10 }, () => rt.spawn(idle));
      const refs = targets.map((t) => rt.monitor(w.pid, t, { batch: true }));
      for (const t of targets) rt.exit(t, 'kill');
      sched.runUntilIdle();
      const batches = w.messages as DownBatchMessage[];
      expect(batches.every((m) => m.type === 'rt.down.batch')).toBe(true);
      expect(Math.max(...batches.map((b) => b.downs.length))).toBeLessThanOrEqual(3);
      const entries = batches.flatMap((b) => b.downs);
      expect(entries.map((d) => d.ref).sort((a, b) => a.id - b.id)).toEqual(refs);
      expect(entries.every((d) => d.reason === 'killed')).toBe(true);
      expect(entries.map((d) => String(d.pid)).sort()).toEqual(targets.map(String).sort());
    }
  });

  it('drains every death of one live turn into full batches', async () => {
    const rt = createRuntime();
    const received: DownBatchMessage[] = [];
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    let total = 0;
    const w = rt.spawn(
      createMachine({
        on: {
          'rt.down.batch': {
            actions: ({ event }) => {
              const batch = event as unknown as DownBatchMessage;
              received.push(batch);
              total += batch.downs.length;
              if (total === 10) resolveAll();
            },
          },
        },
      }),
      { batchSize: 3 },
    );
    const targets = Array.from({ length: 10 }, () => rt.spawn(idle));
    for (const t of targets) rt.monitor(w, t, { batch: true });
    for (const t of targets) rt.exit(t, 'kill');
    await all;
    // On an idle machine one dispatcher turn drains all ten: [3, 3, 3, 1]. A loaded machine may end
    // the 4 ms turn midway and split a batch, so assert what holds either way: batches of at most 3,
    // full ones among them, every death once and in order.
    const sizes = received.map((b) => b.downs.length);
    expect(sizes.every((n) => n >= 1 && n <= 3)).toBe(true);
    expect(sizes.filter((n) => n === 3).length).toBeGreaterThanOrEqual(1);
    expect(received.flatMap((b) => b.downs.map((d) => d.pid))).toEqual(targets);
    await rt.shutdown();
  });

  it("delivers a batched 'noproc' on the live dispatcher", async () => {
    const rt = createRuntime();
    const ghost = new Pid('local', 77, 0);
    let resolveBatch: (batch: DownBatchMessage) => void = () => {};
    const received = new Promise<DownBatchMessage>((resolve) => (resolveBatch = resolve));
    const w = rt.spawn(
      createMachine({
        on: {
          'rt.down.batch': { actions: ({ event }) => resolveBatch(event as unknown as DownBatchMessage) },
        },
      }),
    );
    const ref = rt.monitor(w, ghost, { batch: true });
    await expect(received).resolves.toEqual({
      type: 'rt.down.batch',
      downs: [{ ref, pid: ghost, reason: 'noproc' }],
    });
    await rt.shutdown();
  });

  it("uses the runtime's batchSize when the watcher sets none", () => {
    const { sched, rt } = deterministicWorld(3, {}, { batchSize: 2 });
    const w = watcher(rt);
    const targets = Array.from({ length: 5 }, () => rt.spawn(idle));
    for (const t of targets) rt.monitor(w.pid, t, { batch: true });
    for (const t of targets) rt.exit(t, 'kill');
    sched.runUntilIdle();
    const sizes = (w.messages as DownBatchMessage[]).map((b) => b.downs.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });

  it("delivers a batched 'noproc' for a dead target", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const ghost = new Pid('local', 77, 0);
    const ref = rt.monitor(w.pid, ghost, { batch: true });
    sched.runUntilIdle();
    expect(w.log).toEqual([{ type: 'rt.down.batch', downs: [{ ref, pid: ghost, reason: 'noproc' }] }]);
  });
});

describe('links', () => {
  it('propagates a crash to a linked process with the same reason', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    const a = rt.spawn(quitter);
    const b = rt.spawn(idle);
    rt.link(a, b);
    expect(rt.processInfo(a)?.links).toEqual([b]);
    expect(rt.processInfo(b)?.links).toEqual([a]);
    rt.monitor(w.pid, b);
    rt.send(a, { type: 'quit', reason: { error: 'boom' } });
    sched.runUntilIdle();
    expect(rt.processes()).toEqual([w.pid]);
    expect(w.log).toEqual([expect.objectContaining({ pid: b, reason: { error: 'boom' } })]);
  });

  it('propagates along a chain of links', () => {
    const { sched, rt } = deterministicWorld();
    const a = rt.spawn(quitter);
    const b = rt.spawn(idle, { link: a });
    const c = rt.spawn(idle, { link: b });
    const survivor = rt.spawn(idle);
    rt.send(a, { type: 'quit', reason: 'shutdown' });
    sched.runUntilIdle();
    expect([a, b, c].map((p) => rt.isAlive(p))).toEqual([false, false, false]);
    expect(rt.processes()).toEqual([survivor]);
  });

  it('does not kill a linked process on a normal exit, and removes the link', () => {
    const { sched, rt } = deterministicWorld();
    const a = rt.spawn(quitter);
    const b = rt.spawn(idle, { link: a });
    rt.send(a, { type: 'quit', reason: 'normal' });
    sched.runUntilIdle();
    expect(rt.isAlive(a)).toBe(false);
    expect(rt.isAlive(b)).toBe(true);
    expect(rt.processInfo(b)?.links).toEqual([]);
  });

  it('turns exit signals into rt.exit messages for a process that traps exits', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt, { trapExit: true });
    const crasher = rt.spawn(quitter, { link: w.pid });
    const quiet = rt.spawn(quitter, { link: w.pid });
    rt.send(crasher, { type: 'quit', reason: { error: 'boom' } });
    sched.runUntilIdle();
    rt.send(quiet, { type: 'quit', reason: 'normal' });
    sched.runUntilIdle();
    expect(rt.isAlive(w.pid)).toBe(true);
    expect(w.log).toEqual([
      { type: 'rt.exit', from: crasher, reason: { error: 'boom' } },
      { type: 'rt.exit', from: quiet, reason: 'normal' },
    ]);
    expect(rt.processInfo(w.pid)?.links).toEqual([]);
  });

  it('delivers an exit signal sent with exit() as an rt.exit message to a trapping process', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt, { trapExit: true });
    rt.exit(w.pid, { shutdown: 'please' });
    sched.runUntilIdle();
    expect(w.log).toEqual([{ type: 'rt.exit', from: undefined, reason: { shutdown: 'please' } }]);
    expect(rt.isAlive(w.pid)).toBe(true);
  });

  it("ignores exit(pid, 'normal') for a process that does not trap exits", () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(idle);
    rt.exit(pid, 'normal');
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(true);
  });

  it("ends a trapping process with 'killed' on exit(pid, 'kill')", () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt, { trapExit: true });
    const mon = watcher(rt);
    rt.monitor(mon.pid, w.pid);
    rt.exit(w.pid, 'kill');
    sched.runUntilIdle();
    expect(rt.isAlive(w.pid)).toBe(false);
    expect(w.log).toEqual([]);
    expect(mon.messages).toEqual([expect.objectContaining({ type: 'rt.down', reason: 'killed' })]);
  });

  it("propagates a kill to linked processes as a trappable 'killed'", () => {
    const { sched, rt } = deterministicWorld();
    const victim = rt.spawn(idle);
    const trapper = watcher(rt, { trapExit: true, link: victim });
    const plain = rt.spawn(idle, { link: victim });
    const mon = watcher(rt);
    rt.monitor(mon.pid, plain);
    rt.exit(victim, 'kill');
    sched.runUntilIdle();
    expect(trapper.log).toEqual([{ type: 'rt.exit', from: victim, reason: 'killed' }]);
    expect(rt.isAlive(trapper.pid)).toBe(true);
    expect(rt.isAlive(plain)).toBe(false);
    expect(mon.messages).toEqual([expect.objectContaining({ pid: plain, reason: 'killed' })]);
  });

  it('throws RT_ERR_NOPROC when linking to a dead process', () => {
    const { sched, rt } = deterministicWorld();
    const live = rt.spawn(idle);
    const dead = rt.spawn(idle);
    rt.exit(dead, 'kill');
    sched.runUntilIdle();
    for (const [a, b] of [
      [live, dead],
      [dead, live],
    ] as const) {
      let caught: unknown;
      try {
        rt.link(a, b);
      } catch (err) {
        caught = err;
      }
      expect(NoProc.is(caught)).toBe(true);
      expect((caught as Error).message).toBe(`no process ${String(dead)}`);
    }
    expect(rt.processInfo(live)?.links).toEqual([]);
  });

  it('stops propagation after unlink and ignores unknown links', () => {
    const { sched, rt } = deterministicWorld();
    const a = rt.spawn(quitter);
    const b = rt.spawn(idle);
    rt.link(a, b);
    rt.unlink(b, a);
    expect(rt.processInfo(a)?.links).toEqual([]);
    expect(rt.processInfo(b)?.links).toEqual([]);
    expect(() => rt.unlink(a, b)).not.toThrow();
    expect(() => rt.unlink(a, new Pid('local', 999, 0))).not.toThrow();
    rt.send(a, { type: 'quit', reason: { error: 'boom' } });
    sched.runUntilIdle();
    expect(rt.isAlive(b)).toBe(true);
  });

  it('ignores a link of a process to itself', () => {
    const { rt } = deterministicWorld();
    const a = rt.spawn(idle);
    rt.link(a, a);
    expect(rt.processInfo(a)?.links).toEqual([]);
  });

  it('throws RT_ERR_INVALID_OPTION for a reason that is not an exit reason', () => {
    const { rt } = deterministicWorld();
    const a = rt.spawn(idle);
    expect(() => rt.exit(a, 'bored' as never)).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
    expect(rt.isAlive(a)).toBe(true);
  });

  it('reaches a process by name', () => {
    const { sched, rt } = deterministicWorld();
    const a = rt.spawn(idle, { name: 'a' });
    rt.exit('a', 'shutdown');
    sched.runUntilIdle();
    expect(rt.isAlive(a)).toBe(false);
  });
});

describe('exitSelf and setTrapExit', () => {
  it('ends the process with the chosen reason even when it traps exits', () => {
    const { sched, rt } = deterministicWorld();
    const mon = watcher(rt);
    const pid = rt.spawn(quitter, { trapExit: true });
    rt.monitor(mon.pid, pid);
    rt.send(pid, { type: 'quit', reason: { shutdown: 'done' } });
    sched.runUntilIdle();
    expect(mon.messages).toEqual([expect.objectContaining({ reason: { shutdown: 'done' } })]);
  });

  it('finishes the current transition before exiting', () => {
    const { sched, rt } = deterministicWorld();
    const log: string[] = [];
    const pid = rt.spawn(
      createMachine({
        on: {
          quit: {
            actions: [() => void log.push('before'), exitSelf('normal'), () => void log.push('after')],
          },
          more: { actions: () => void log.push('more') },
        },
      }),
    );
    rt.send(pid, { type: 'quit' });
    rt.send(pid, { type: 'more' });
    sched.runUntilIdle();
    expect(log).toEqual(['before', 'after']);
  });

  it('crashes the logic when used outside a process', () => {
    const action = exitSelf('normal');
    expect(() =>
      action({ context: undefined, event: undefined, system: undefined, self: undefined }),
    ).toThrow(TypeError);
  });

  it('switches exit trapping on and off', () => {
    const { sched, rt } = deterministicWorld();
    const w = watcher(rt);
    expect(rt.processInfo(w.pid)?.trapExit).toBe(false);
    rt.setTrapExit(w.pid, true);
    expect(rt.processInfo(w.pid)?.trapExit).toBe(true);
    const a = rt.spawn(quitter, { link: w.pid });
    rt.send(a, { type: 'quit', reason: { error: 'x' } });
    sched.runUntilIdle();
    expect(w.log).toEqual([{ type: 'rt.exit', from: a, reason: { error: 'x' } }]);
    rt.setTrapExit(w.pid, false);
    const b = rt.spawn(quitter, { link: w.pid });
    rt.send(b, { type: 'quit', reason: { error: 'y' } });
    sched.runUntilIdle();
    expect(rt.isAlive(w.pid)).toBe(false);
  });
});
