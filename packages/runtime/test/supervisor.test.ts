import { describe, expect, it } from 'vitest';
import { createMachine, fromCallback } from 'xstate';
import {
  MAX_RESTART_INTENSITY,
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  createSupervisor,
  supervisorLogic,
} from '@switchboard/runtime';
import type { DownBatchMessage, InspectionEvent, Pid, Runtime } from '@switchboard/runtime';

function world(seed = 1) {
  const sched = createDeterministicScheduler({ seed, auto: false });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed) });
  const events: InspectionEvent[] = [];
  rt.inspect((e) => events.push(e));
  return { sched, rt, events };
}

/** A worker that crashes on `crash` and stops normally on `stop`. */
const worker = createMachine({
  initial: 'up',
  states: {
    up: {
      on: {
        crash: {
          actions: () => {
            throw new Error('boom');
          },
        },
        stop: 'done',
      },
    },
    done: { type: 'final' },
  },
});

/** A worker that traps exits and ignores shutdown (only a kill ends it). */
const stubborn = createMachine({ on: { 'rt.exit': {} } });

/** Starts a promise and drives the world until it settles. */
async function settle<T>(sched: { runUntilIdle(): number }, promise: Promise<T>): Promise<T> {
  sched.runUntilIdle();
  return promise;
}

function exitsOf(events: InspectionEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'rt.exit' ? [String(e.pid)] : []));
}

function pidsOf(rt: Runtime, supervisor: Pid): Promise<(Pid | undefined)[]> {
  return rt
    .call<{ pid: Pid | undefined }[]>(supervisor, { type: 'sup.which_children' })
    .then((rows) => rows.map((r) => r.pid));
}

describe('supervisor', () => {
  it('starts children in order and links them', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [
        { id: 'a', logic: worker },
        { id: 'b', logic: worker },
      ],
    });
    const spawned = events.flatMap((e) => (e.type === 'rt.spawn' ? [e] : []));
    expect(spawned.map((e) => e.parent && String(e.parent))).toEqual([
      undefined,
      String(sup.pid),
      String(sup.pid),
    ]);
    const children = await settle(sched, sup.whichChildren());
    expect(children.map((c) => c.id)).toEqual(['a', 'b']);
    for (const c of children)
      expect(rt.processInfo(c.pid as Pid)?.links.map(String)).toEqual([String(sup.pid)]);
    expect(rt.processInfo(sup.pid)?.trapExit).toBe(true);
  });

  it('one_for_one restarts only the crashed child', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [
        { id: 'a', logic: worker },
        { id: 'b', logic: worker },
      ],
    });
    const [a, b] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(a as Pid, { type: 'crash' });
    sched.runUntilIdle();
    const [a2, b2] = await settle(sched, pidsOf(rt, sup.pid));
    expect(rt.isAlive(a as Pid)).toBe(false);
    expect(String(a2)).not.toBe(String(a));
    expect(String(b2)).toBe(String(b));
    expect(rt.isAlive(a2 as Pid)).toBe(true);
  });

  it('one_for_all stops the others in reverse order and restarts all in order', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_all',
      children: [
        { id: 'a', logic: worker },
        { id: 'b', logic: worker },
        { id: 'c', logic: worker },
      ],
    });
    const [a, b, c] = await settle(sched, pidsOf(rt, sup.pid));
    events.length = 0;
    rt.send(a as Pid, { type: 'crash' });
    sched.runUntilIdle();
    expect(exitsOf(events)).toEqual([String(a), String(c), String(b)]);
    const restarted = events.flatMap((e) => (e.type === 'rt.restart' ? [e.childId] : []));
    expect(restarted).toEqual(['a', 'b', 'c']);
    const now = await settle(sched, pidsOf(rt, sup.pid));
    for (const pid of now) expect(rt.isAlive(pid as Pid)).toBe(true);
  });

  it('rest_for_one restarts the crashed child and those started after it', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'rest_for_one',
      children: [
        { id: 'a', logic: worker },
        { id: 'b', logic: worker },
        { id: 'c', logic: worker },
      ],
    });
    const [a, b, c] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(b as Pid, { type: 'crash' });
    sched.runUntilIdle();
    const [a2, b2, c2] = await settle(sched, pidsOf(rt, sup.pid));
    expect(String(a2)).toBe(String(a));
    expect(String(b2)).not.toBe(String(b));
    expect(String(c2)).not.toBe(String(c));
    expect(rt.isAlive(c as Pid)).toBe(false);
  });

  it('honours restart policies: transient is not restarted after a normal exit, temporary never', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [
        { id: 'perm', logic: worker, restart: 'permanent' },
        { id: 'trans', logic: worker, restart: 'transient' },
        { id: 'temp', logic: worker, restart: 'temporary' },
      ],
    });
    const [perm, trans, temp] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(perm as Pid, { type: 'stop' });
    rt.send(trans as Pid, { type: 'stop' });
    rt.send(temp as Pid, { type: 'crash' });
    sched.runUntilIdle();
    const rows = await settle(sched, sup.whichChildren());
    expect(rows.map((r) => [r.id, r.pid !== undefined])).toEqual([
      ['perm', true],
      ['trans', false],
    ]);
    const [, trans2] = await settle(sched, pidsOf(rt, sup.pid));
    expect(trans2).toBeUndefined();
    const restarted = await settle(sched, sup.restartChild('trans'));
    expect(rt.isAlive(restarted)).toBe(true);
  });

  it('restarts a transient child after a crash', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [{ id: 't', logic: worker, restart: 'transient' }],
    });
    const [t] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(t as Pid, { type: 'crash' });
    sched.runUntilIdle();
    const [t2] = await settle(sched, pidsOf(rt, sup.pid));
    expect(t2 && rt.isAlive(t2)).toBe(true);
  });

  it('gives up beyond its restart intensity and exits with reached_max_restart_intensity', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      intensity: 2,
      periodMs: 1000,
      children: [{ id: 'a', logic: worker }],
    });
    for (let i = 0; i < 3; i++) {
      const [a] = await settle(sched, pidsOf(rt, sup.pid));
      rt.send(a as Pid, { type: 'crash' });
      sched.runUntilIdle();
    }
    expect(rt.isAlive(sup.pid)).toBe(false);
    const exit = events.find((e) => e.type === 'rt.exit' && String(e.pid) === String(sup.pid));
    expect(exit && exit.type === 'rt.exit' && exit.reason).toEqual(MAX_RESTART_INTENSITY);
    expect(rt.processes()).toEqual([]);
  });

  it('forgets restarts older than the period', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      intensity: 1,
      periodMs: 1000,
      children: [{ id: 'a', logic: worker }],
    });
    for (let i = 0; i < 5; i++) {
      const [a] = await settle(sched, pidsOf(rt, sup.pid));
      rt.send(a as Pid, { type: 'crash' });
      sched.runUntilIdle();
      sched.advance(1001);
    }
    expect(rt.isAlive(sup.pid)).toBe(true);
  });

  it('retries a restart that cannot spawn, within its intensity, then gives up', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      intensity: 3,
      children: [{ id: 'svc', logic: worker, spawn: { name: 'svc' } }],
    });
    const [child] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(child as Pid, { type: 'crash' });
    // Step until the child is gone and its name is free, then let an impostor take the name first.
    while (rt.whereis('svc') !== undefined) sched.step();
    rt.register('svc', rt.spawn(stubborn));
    sched.runUntilIdle();
    expect(rt.isAlive(sup.pid)).toBe(false);
    const exit = events.find((e) => e.type === 'rt.exit' && String(e.pid) === String(sup.pid));
    expect(exit && exit.type === 'rt.exit' && exit.reason).toEqual(MAX_RESTART_INTENSITY);
  });

  it('a retried restart succeeds once the obstacle is gone', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      intensity: 10,
      children: [{ id: 'svc', logic: worker, spawn: { name: 'svc' } }],
    });
    const [child] = await settle(sched, pidsOf(rt, sup.pid));
    rt.send(child as Pid, { type: 'crash' });
    while (rt.whereis('svc') !== undefined) sched.step();
    const impostor = rt.spawn(stubborn);
    rt.register('svc', impostor);
    // Let the first restart fail (the supervisor then arms a retry timer), then remove the impostor.
    for (let i = 0; i < 100 && sched.pendingTimers === 0; i++) sched.step();
    expect(sched.pendingTimers).toBe(1);
    rt.exit(impostor, 'kill');
    sched.runUntilIdle();
    const [again] = await settle(sched, pidsOf(rt, sup.pid));
    expect(again && rt.isAlive(again)).toBe(true);
    expect(String(rt.whereis('svc'))).toBe(String(again));
  });

  it('kills a child that ignores shutdown after its shutdown time, on the virtual clock', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [{ id: 's', logic: stubborn, shutdown: 3000, spawn: { trapExit: true } }],
    });
    const [s] = await settle(sched, pidsOf(rt, sup.pid));
    const done = sup.terminateChild('s');
    sched.runUntilIdle({ advanceTime: false });
    expect(rt.isAlive(s as Pid)).toBe(true);
    sched.advance(2999);
    expect(rt.isAlive(s as Pid)).toBe(true);
    sched.advance(1);
    sched.runUntilIdle();
    await done;
    expect(rt.isAlive(s as Pid)).toBe(false);
    const exit = events.find((e) => e.type === 'rt.exit' && String(e.pid) === String(s));
    expect(exit && exit.type === 'rt.exit' && exit.reason).toBe('killed');
    expect(sched.now()).toBe(3000);
  });

  it('brutal_kill ends a child at once with killed', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [{ id: 's', logic: stubborn, shutdown: 'brutal_kill', spawn: { trapExit: true } }],
    });
    const [s] = await settle(sched, pidsOf(rt, sup.pid));
    await settle(sched, sup.terminateChild('s'));
    const exit = events.find((e) => e.type === 'rt.exit' && String(e.pid) === String(s));
    expect(exit && exit.type === 'rt.exit' && exit.reason).toBe('killed');
    expect(sched.now()).toBe(0);
  });

  it('stops children in reverse start order on shutdown, then itself', async () => {
    const { rt, sched, events } = world();
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: ['a', 'b', 'c'].map((id) => ({ id, logic: worker })),
    });
    const [a, b, c] = await settle(sched, pidsOf(rt, sup.pid));
    events.length = 0;
    const stopped = rt.shutdown();
    sched.runUntilIdle();
    await stopped;
    expect(exitsOf(events)).toEqual([String(c), String(b), String(a), String(sup.pid)]);
    expect(rt.processes()).toEqual([]);
  });

  it('runs callback disposers of children when they are stopped', async () => {
    const { rt, sched } = world();
    const disposed: string[] = [];
    const withSocket = createMachine({
      invoke: { src: fromCallback(() => () => disposed.push('socket closed')) },
    });
    const sup = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [{ id: 'conn', logic: withSocket }],
    });
    await settle(sched, sup.terminateChild('conn'));
    expect(disposed).toEqual(['socket closed']);
  });

  it('adds, refuses duplicates, deletes and counts children', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, { strategy: 'one_for_one', children: [] });
    const pid = await settle(sched, sup.startChild({ id: 'x', logic: worker }));
    expect(rt.isAlive(pid)).toBe(true);
    await expect(settle(sched, sup.startChild({ id: 'x', logic: worker }))).rejects.toMatchObject({
      code: 'RT_ERR_CHILD_EXISTS',
    });
    await expect(settle(sched, sup.deleteChild('x'))).rejects.toMatchObject({ code: 'RT_ERR_CHILD_EXISTS' });
    await settle(sched, sup.terminateChild('x'));
    expect(await settle(sched, sup.countChildren())).toEqual({
      specs: 1,
      active: 0,
      workers: 1,
      supervisors: 0,
    });
    await settle(sched, sup.deleteChild('x'));
    expect(await settle(sched, sup.countChildren())).toEqual({
      specs: 0,
      active: 0,
      workers: 0,
      supervisors: 0,
    });
    await expect(settle(sched, sup.terminateChild('nope'))).rejects.toMatchObject({
      code: 'RT_ERR_UNKNOWN_CHILD',
    });
  });

  it('rejects bad specs synchronously with RT_ERR_INVALID_OPTION', () => {
    const { rt } = world();
    expect(() => createSupervisor(rt, { strategy: 'nope' as 'one_for_one', children: [] })).toThrow(
      /strategy/,
    );
    expect(() =>
      createSupervisor(rt, {
        strategy: 'one_for_one',
        children: [
          { id: 'a', logic: worker },
          { id: 'a', logic: worker },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }));
    expect(() => createSupervisor(rt, { strategy: 'one_for_one', intensity: -1, children: [] })).toThrow(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
  });

  it('nests: a child supervisor is restarted with its children by its parent', async () => {
    const { rt, sched } = world();
    const top = createSupervisor(rt, {
      strategy: 'one_for_one',
      children: [
        {
          id: 'inner',
          type: 'supervisor',
          logic: supervisorLogic({
            strategy: 'one_for_one',
            intensity: 0,
            children: [{ id: 'w', logic: worker }],
          }),
        },
      ],
    });
    const [inner] = await settle(sched, pidsOf(rt, top.pid));
    const [w] = await settle(sched, pidsOf(rt, inner as Pid));
    // The inner supervisor's intensity is 0: one crash makes it give up, and the top one restarts it.
    rt.send(w as Pid, { type: 'crash' });
    sched.runUntilIdle();
    const [inner2] = await settle(sched, pidsOf(rt, top.pid));
    expect(String(inner2)).not.toBe(String(inner));
    const [w2] = await settle(sched, pidsOf(rt, inner2 as Pid));
    expect(w2 && rt.isAlive(w2)).toBe(true);
    expect(rt.isAlive(w as Pid)).toBe(false);
  });
});

describe('dynamic supervisor', () => {
  const conn = createMachine({
    initial: 'open',
    states: {
      open: {
        on: {
          close: 'closed',
          crash: {
            actions: () => {
              throw new Error('x');
            },
          },
        },
      },
      closed: { type: 'final' },
    },
  });

  it('starts children on demand with their input and reports their deaths in batches', async () => {
    const { rt, sched } = world();
    const batches: number[] = [];
    const manager = rt.spawn(
      createMachine({
        on: {
          'rt.down.batch': {
            actions: ({ event }) => batches.push((event as unknown as DownBatchMessage).downs.length),
          },
        },
      }),
      { batchSize: 4 },
    );
    const sup = createSupervisor(rt, {
      strategy: 'dynamic',
      child: { logic: conn, restart: 'temporary' },
      reportDownsTo: manager,
    });
    const pids: Pid[] = [];
    for (let i = 0; i < 10; i++) pids.push(await settle(sched, sup.startChild({ n: i })));
    for (const pid of pids) rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect((await settle(sched, sup.countChildren())).active).toBe(0);
  });

  it('restarts a permanent dynamic child with the same input', async () => {
    const { rt, sched } = world();
    const inputs: unknown[] = [];
    const echo = createMachine({
      context: ({ input }) => {
        inputs.push(input);
        return {};
      },
      on: {
        crash: {
          actions: () => {
            throw new Error('x');
          },
        },
      },
    });
    const sup = createSupervisor(rt, { strategy: 'dynamic', child: { logic: echo } });
    const pid = await settle(sched, sup.startChild({ user: 'u1' }));
    rt.send(pid, { type: 'crash' });
    sched.runUntilIdle();
    const rows = await settle(sched, sup.whichChildren());
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.pid)).not.toBe(String(pid));
    expect(inputs).toEqual([{ user: 'u1' }, { user: 'u1' }]);
  });

  it('lists, counts and terminates temporary dynamic children (kept as bare pids) by id and by pid', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, { strategy: 'dynamic', child: { logic: conn, restart: 'temporary' } });
    const pids: Pid[] = [];
    for (let i = 0; i < 3; i++) pids.push(await settle(sched, sup.startChild({ n: i })));
    const rows = await settle(sched, sup.whichChildren());
    expect(rows).toEqual(pids.map((pid) => ({ id: String(pid), pid, restart: 'temporary', type: 'worker' })));
    expect(await settle(sched, sup.countChildren())).toEqual({
      specs: 3,
      active: 3,
      supervisors: 0,
      workers: 3,
    });
    await settle(sched, sup.terminateChild(String(pids[0])));
    await settle(sched, sup.terminateChild(pids[1] as Pid));
    expect(rt.processInfo(pids[0] as Pid)).toBeUndefined();
    expect(rt.processInfo(pids[1] as Pid)).toBeUndefined();
    expect((await settle(sched, sup.whichChildren())).map((r) => r.pid)).toEqual([pids[2]]);
    rt.exit(pids[2] as Pid, 'kill');
    sched.runUntilIdle();
    expect(await settle(sched, sup.countChildren())).toEqual({
      specs: 0,
      active: 0,
      supervisors: 0,
      workers: 0,
    });
  });

  it("starts temporary dynamic children with the template's spawn options, its input, linked to the supervisor", async () => {
    const { rt, sched } = world();
    const fromInput = createMachine({ context: ({ input }) => ({ ...(input as object) }) });
    const sup = createSupervisor(rt, {
      strategy: 'dynamic',
      child: { logic: fromInput, restart: 'temporary', spawn: { trapExit: true, mailbox: { capacity: 8 } } },
    });
    const pid = await settle(sched, sup.startChild({ n: 7 }));
    const info = rt.processInfo(pid);
    expect(info?.trapExit).toBe(true);
    expect(info?.links.map(String)).toEqual([String(sup.pid)]);
    expect((rt.processSnapshot(pid) as { context: unknown }).context).toEqual({ n: 7 });
  });

  it('refuses children beyond maxChildren', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, {
      strategy: 'dynamic',
      maxChildren: 1,
      child: { logic: conn, restart: 'temporary' },
    });
    await settle(sched, sup.startChild());
    await expect(settle(sched, sup.startChild())).rejects.toMatchObject({ code: 'RT_ERR_MAX_CHILDREN' });
  });

  it('stops all children at once on shutdown', async () => {
    const { rt, sched } = world();
    const sup = createSupervisor(rt, { strategy: 'dynamic', child: { logic: conn, restart: 'temporary' } });
    for (let i = 0; i < 50; i++) await settle(sched, sup.startChild());
    const stopped = sup.stop();
    sched.runUntilIdle();
    await stopped;
    expect(rt.processes()).toEqual([]);
  });
});
