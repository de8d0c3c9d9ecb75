import { describe, expect, it } from 'vitest';
import { assign, createMachine, sendParent, setup } from 'xstate';
import {
  CallTimeout,
  ReplayDiverged,
  StepLimit,
  createDeterministicScheduler,
  createLiveDispatcher,
  createRuntime,
  createSeededEntropy,
  exitSelf,
  fifoStrategy,
  reply,
  replyTo,
  sendToPid,
} from '@switchboard/runtime';
import type { DeterministicSchedulerOptions, From, Pid, Schedulable, WorkItem } from '@switchboard/runtime';
import { deterministicWorld, idle, recorder, rejectionOf } from './support/world.js';
import type { Received } from './support/world.js';

/**
 * A relay: it learns its peers from a `peers` message; a `hop` with ttl > 0 is forwarded to the
 * next two peers with ttl - 1. It quits after 100 ms when told to `retire`.
 */
const relay = setup({
  types: {
    input: {} as number,
    context: {} as { index: number; peers: Pid[]; hops: number },
    events: {} as { type: 'peers'; peers: Pid[] } | { type: 'hop'; ttl: number } | { type: 'retire' },
  },
}).createMachine({
  context: ({ input }) => ({ index: input, peers: [], hops: 0 }),
  initial: 'working',
  states: {
    working: {
      on: {
        peers: { actions: assign({ peers: ({ event }) => event.peers }) },
        hop: {
          guard: ({ event }) => event.ttl > 0,
          actions: [
            assign({ hops: ({ context }) => context.hops + 1 }),
            sendToPid(
              ({ context }) => context.peers[(context.index + 1) % context.peers.length] as Pid,
              ({ event }) => ({ type: 'hop', ttl: event.ttl - 1 }),
            ),
            sendToPid(
              ({ context }) => context.peers[(context.index + 2) % context.peers.length] as Pid,
              ({ event }) => ({ type: 'hop', ttl: event.ttl - 1 }),
            ),
          ],
        },
        retire: 'retiring',
      },
    },
    retiring: { after: { 100: { actions: exitSelf({ shutdown: 'retired' }) } } },
  },
});

/** Several relays passing hops around, one retiring on a timer, a watcher monitoring them all. */
function workload(options: DeterministicSchedulerOptions): ReturnType<typeof createDeterministicScheduler> {
  const sched = createDeterministicScheduler({ auto: false, ...options });
  const rt = createRuntime({
    dispatcher: sched,
    clock: sched,
    entropy: createSeededEntropy(options.seed ?? 0),
  });
  const downs: Received[] = [];
  const watcher = rt.spawn(recorder(downs));
  const relays = [0, 1, 2, 3].map((i) => rt.spawn(relay, { input: i }));
  for (const pid of relays) {
    rt.send(pid, { type: 'peers', peers: relays });
    rt.monitor(watcher, pid, { batch: pid.id % 2 === 0 });
  }
  for (const pid of relays) rt.send(pid, { type: 'hop', ttl: 3 });
  rt.send(relays[1] as Pid, { type: 'retire' });
  sched.runUntilIdle();
  for (const pid of relays) rt.exit(pid, 'kill');
  sched.runUntilIdle();
  return sched;
}

describe('deterministic scheduler', () => {
  it('makes the same decisions and the same trace for the same seed', () => {
    const first = workload({ seed: 42 });
    const second = workload({ seed: 42 });
    expect(first.decisions.length).toBeGreaterThan(50);
    expect(second.decisions).toEqual(first.decisions);
    expect(second.trace).toEqual(first.trace);
    expect(second.traceHash()).toBe(first.traceHash());
    expect(first.traceHash()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('explores different schedules for different seeds', () => {
    const hashes = new Set([1, 2, 3, 4, 5, 6].map((seed) => workload({ seed }).traceHash()));
    expect(hashes.size).toBeGreaterThan(1);
  });

  it('replays a recorded decision list into a bit-identical trace', () => {
    const original = workload({ seed: 7 });
    // The replaying world uses another seed: every choice must come from the recording.
    const replayed = workload({ seed: 999, replay: [...original.decisions] });
    expect(replayed.decisions).toEqual(original.decisions);
    expect(replayed.trace).toEqual(original.trace);
    expect(replayed.traceHash()).toBe(original.traceHash());
  });

  it('replays a run in which two due timers share a label', () => {
    // Two invoked copies of one child machine: their `after` timers carry the same name.
    const child = setup({ types: { input: {} as string, context: {} as { name: string } } }).createMachine({
      context: ({ input }) => ({ name: input }),
      initial: 'waiting',
      states: {
        waiting: {
          after: {
            100: { target: 'done', actions: sendParent(({ context }) => ({ type: `from.${context.name}` })) },
          },
        },
        done: {},
      },
    });
    const parent = setup({ actors: { child } }).createMachine({
      invoke: [
        { src: 'child', input: 'a' },
        { src: 'child', input: 'b' },
      ],
    });
    const run = (options: DeterministicSchedulerOptions): ReturnType<typeof createDeterministicScheduler> => {
      const sched = createDeterministicScheduler({ auto: false, ...options });
      createRuntime({ dispatcher: sched, clock: sched }).spawn(parent);
      sched.runUntilIdle();
      return sched;
    };
    const orders = new Set<string>();
    for (let seed = 0; seed < 8; seed++) {
      const original = run({ seed });
      orders.add(original.trace.filter((t) => t.includes('from.')).join());
      const replayed = run({ seed: seed + 1000, replay: [...original.decisions] });
      expect(replayed.decisions).toEqual(original.decisions);
      expect(replayed.trace).toEqual(original.trace);
    }
    // Both orders occur, so the replay really had to tell the two timers apart.
    expect(orders.size).toBe(2);
  });

  it('throws RT_ERR_REPLAY_DIVERGED when a recorded decision is not runnable', () => {
    const original = workload({ seed: 7 });
    const tampered = [...original.decisions];
    tampered[5] = 'deliver:nobody>1@0';
    let caught: unknown;
    try {
      workload({ seed: 7, replay: tampered });
    } catch (err) {
      caught = err;
    }
    expect(ReplayDiverged.is(caught)).toBe(true);
    expect((caught as Error).message).toMatch(
      /^replay diverged at step 5: recorded deliver:nobody>1@0, runnable now: /,
    );
  });

  it('falls back to its strategy on a diverging replay when strictReplay is false', () => {
    const original = workload({ seed: 7 });
    const tampered = [...original.decisions];
    tampered[5] = 'deliver:nobody>1@0';
    const lenient = workload({ seed: 7, replay: tampered, strictReplay: false });
    expect(lenient.decisions.slice(0, 5)).toEqual(original.decisions.slice(0, 5));
    expect(lenient.decisions[5]).not.toBe('deliver:nobody>1@0');
    expect(lenient.isIdle()).toBe(true);
  });

  it('throws RT_ERR_STEP_LIMIT when a ping-pong never ends', () => {
    const { sched, rt } = deterministicWorld(1, { maxSteps: 50 });
    const bouncer = setup({ types: { input: {} as string, context: {} as { peer: string } } }).createMachine({
      context: ({ input }) => ({ peer: input }),
      on: { ball: { actions: sendToPid(({ context }) => context.peer, { type: 'ball' }) } },
    });
    rt.spawn(bouncer, { name: 'ping', input: 'pong' });
    rt.spawn(bouncer, { name: 'pong', input: 'ping' });
    rt.send('ping', { type: 'ball' });
    let caught: unknown;
    try {
      sched.runUntilIdle();
    } catch (err) {
      caught = err;
    }
    expect(StepLimit.is(caught)).toBe(true);
    expect((caught as Error).message).toBe('the deterministic scheduler ran 50 steps without becoming idle');
    expect(sched.decisions).toHaveLength(51);
  });

  it('with fifoStrategy, always runs the oldest runnable work', () => {
    const { sched, rt } = deterministicWorld(1, { strategy: fifoStrategy });
    const log: Received[] = [];
    const pids = [rt.spawn(recorder(log)), rt.spawn(recorder(log)), rt.spawn(recorder(log))];
    for (const [i, pid] of pids.entries()) rt.send(pid, { type: 'm', i });
    rt.send(pids[0] as Pid, { type: 'm', i: 3 });
    sched.runUntilIdle();
    expect(sched.decisions).toEqual([
      'deliver:ext>1@0',
      'deliver:ext>1@1',
      'deliver:ext>2@0',
      'deliver:ext>3@0',
    ]);
    expect(log.map((e) => e['i'])).toEqual([0, 3, 1, 2]);
  });

  it('isIdle drops a unit out of work from the ready order, as a step does', () => {
    // Two hand-written units: `a` runs out of work and gets more later. Any look at the candidates
    // while it is empty (a step, or an isIdle check) takes it out of the ready list, so it then
    // queues behind `b`; with no look in between it keeps its place.
    const unit = (label: string): Schedulable & { items: number } => ({
      label,
      queued: false,
      items: 0,
      hasWork() {
        return this.items > 0;
      },
      runSlice: () => 0,
      listWork(out: WorkItem[]) {
        if (this.items > 0) out.push({ owner: this, label: `work:${label}`, key: 0 });
      },
      runWork() {
        this.items--;
        return '';
      },
    });
    const order = (look: (sched: ReturnType<typeof createDeterministicScheduler>) => void): string[] => {
      const sched = createDeterministicScheduler({ auto: false, strategy: fifoStrategy });
      const a = unit('a');
      const b = unit('b');
      a.items = 1;
      sched.ready(a);
      sched.step(); // a is now out of work, still in the ready list
      b.items = 1;
      sched.ready(b);
      look(sched);
      a.items = 1;
      sched.ready(a);
      sched.runUntilIdle();
      return sched.decisions;
    };
    const afterIsIdle = order((sched) => expect(sched.isIdle()).toBe(false));
    expect(afterIsIdle).toEqual(['work:a@0', 'work:b@0', 'work:a@1']);
    expect(order(() => {})).toEqual(['work:a@0', 'work:a@1', 'work:b@0']);
  });

  it('throws RT_ERR_REPLAY_DIVERGED at a step with a single candidate', () => {
    const sched = createDeterministicScheduler({ auto: false, replay: ['fire:other@0'] });
    sched.setTimeout(() => {}, 0, 'mine');
    expect(() => sched.step()).toThrow(
      /^replay diverged at step 0: recorded fire:other@0, runnable now: fire:mine@0$/,
    );
    const lenient = createDeterministicScheduler({
      auto: false,
      replay: ['fire:other@0'],
      strictReplay: false,
    });
    lenient.setTimeout(() => {}, 0, 'mine');
    expect(lenient.step()).toBe(true);
    expect(lenient.decisions).toEqual(['fire:mine@0']);
  });

  it('fires due timers in deadline order and skips cancelled ones', () => {
    const sched = createDeterministicScheduler({ auto: false, startTime: 1000 });
    const fired: string[] = [];
    sched.setTimeout(() => fired.push(`b@${sched.now()}`), 200, 'b');
    sched.setTimeout(() => fired.push(`a@${sched.now()}`), 100, 'a');
    const c = sched.setTimeout(() => fired.push('c'), 150, 'c');
    sched.clearTimeout(c);
    expect(sched.now()).toBe(1000);
    expect(sched.pendingTimers).toBe(2);
    sched.runUntilIdle({ advanceTime: false });
    expect(fired).toEqual([]);
    sched.advance(150);
    expect(fired).toEqual(['a@1100']);
    expect(sched.now()).toBe(1150);
    sched.runUntilIdle();
    expect(fired).toEqual(['a@1100', 'b@1200']);
    expect(sched.decisions).toEqual(['fire:a@0', 'fire:b@0']);
  });

  it('stops at untilTime and leaves later timers pending', () => {
    const sched = createDeterministicScheduler({ auto: false });
    const fired: number[] = [];
    sched.setTimeout(() => fired.push(sched.now()), 100);
    sched.setTimeout(() => fired.push(sched.now()), 300);
    sched.runUntilIdle({ untilTime: 200 });
    expect(fired).toEqual([100]);
    expect(sched.now()).toBe(200);
    expect(sched.pendingTimers).toBe(1);
  });

  describe('auto mode', () => {
    it('runs by itself so that a call resolves without manual driving', async () => {
      const sched = createDeterministicScheduler({ seed: 3 });
      const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(3) });
      const pid = rt.spawn(createMachine({ on: { ping: { actions: reply('pong') } } }));
      await expect(rt.call(pid, { type: 'ping' })).resolves.toBe('pong');
      await rt.idle();
      expect(sched.decisions).toEqual([`deliver:ext>${pid.id}@0`, `deliver:${pid.id}>call:${pid.id}@0`]);
    });

    it('rejects a call timeout at exactly the virtual timeout', async () => {
      const sched = createDeterministicScheduler({ seed: 3 });
      const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(3) });
      const pid = rt.spawn(idle);
      const err = await rejectionOf(rt.call(pid, { type: 'ignored' }, { timeoutMs: 1234 }));
      expect(CallTimeout.is(err)).toBe(true);
      expect(sched.now()).toBe(1234);
    });

    it('jumps virtual time to timers while a caller awaits', async () => {
      const sched = createDeterministicScheduler({ seed: 3 });
      const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(3) });
      const slow = setup({ types: { context: {} as { from: From | undefined } } }).createMachine({
        context: { from: undefined },
        initial: 'idle',
        states: {
          idle: {
            on: {
              get: {
                target: 'busy',
                actions: assign({ from: ({ event }) => (event as unknown as { from: From }).from }),
              },
            },
          },
          busy: {
            after: {
              3000: { target: 'idle', actions: replyTo(({ context }) => context.from as From, 'done') },
            },
          },
        },
      });
      const pid = rt.spawn(slow);
      await expect(rt.call(pid, { type: 'get' }, { timeoutMs: 10_000 })).resolves.toBe('done');
      expect(sched.now()).toBe(3000);
    });

    it('resolves idle() once the spawned work has run', async () => {
      const sched = createDeterministicScheduler({ seed: 5 });
      const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(5) });
      const log: Received[] = [];
      const pid = rt.spawn(recorder(log));
      for (let i = 0; i < 10; i++) rt.send(pid, { type: 'm', i });
      await rt.idle();
      expect(log).toHaveLength(10);
    });
  });
});

describe('live dispatcher', () => {
  it('does not starve the event loop during a 200,000-message ping-pong', async () => {
    const rt = createRuntime();
    const total = 200_000;
    let exchanged = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const player = setup({ types: { context: {} as { peer: Pid | undefined } } }).createMachine({
      context: { peer: undefined },
      on: {
        meet: { actions: assign({ peer: ({ event }) => (event as unknown as { peer: Pid }).peer }) },
        ball: {
          actions: ({ context }) => {
            exchanged++;
            if (exchanged === total) resolveDone();
            else rt.send(context.peer as Pid, { type: 'ball' });
          },
        },
      },
    });
    const a = rt.spawn(player);
    const b = rt.spawn(player);
    rt.send(a, { type: 'meet', peer: b });
    rt.send(b, { type: 'meet', peer: a });
    rt.send(a, { type: 'ball' });
    // Scheduled once the ping-pong has been set going: it must get its turn long before the end.
    let exchangedWhenLoopRan: number | undefined;
    setImmediate(() => (exchangedWhenLoopRan = exchanged));
    await done;
    expect(exchanged).toBe(total);
    expect(exchangedWhenLoopRan).toBeDefined();
    expect(exchangedWhenLoopRan).toBeLessThan(total);
    await rt.shutdown();
  });

  it('gives every runnable process a turn after its reductions', async () => {
    const rt = createRuntime({ dispatcher: createLiveDispatcher({ reductions: 10 }) });
    let floodHandled = 0;
    let floodHandledWhenOtherRan: number | undefined;
    const flooded = rt.spawn(createMachine({ on: { m: { actions: () => void floodHandled++ } } }));
    const other = rt.spawn(
      createMachine({ on: { m: { actions: () => void (floodHandledWhenOtherRan = floodHandled) } } }),
    );
    for (let i = 0; i < 1000; i++) rt.send(flooded, { type: 'm' });
    rt.send(other, { type: 'm' });
    await rt.idle();
    expect(floodHandled).toBe(1000);
    expect(floodHandledWhenOtherRan).toBe(10);
    await rt.shutdown();
  });

  it('delivers each sender’s messages in order', async () => {
    const rt = createRuntime();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    for (let i = 0; i < 500; i++) rt.send(pid, { type: 'm', i });
    await rt.idle();
    expect(log.map((e) => e['i'])).toEqual([...Array(500).keys()]);
    await rt.shutdown();
  });
});

describe('deterministic scheduler in auto mode, on failure', () => {
  it('stops the world and rejects idle() instead of throwing an uncaught exception', async () => {
    const sched = createDeterministicScheduler({ seed: 1, maxSteps: 50 });
    const rt = createRuntime({ dispatcher: sched, clock: sched });
    // A process that sends itself a message for every message: it never becomes idle.
    const loop = rt.spawn(
      createMachine({
        on: {
          spin: {
            actions: ({ self }) =>
              (self as unknown as { send(e: { type: string }): void }).send({ type: 'spin' }),
          },
        },
      }),
    );
    rt.send(loop, { type: 'spin' });
    await expect(rt.idle()).rejects.toMatchObject({ code: 'RT_ERR_STEP_LIMIT' });
    expect(sched.error).toMatchObject({ code: 'RT_ERR_STEP_LIMIT' });
    // Later waiters learn of it too, and the world runs no more steps.
    const steps = sched.decisions.length;
    rt.send(loop, { type: 'spin' });
    await expect(rt.idle()).rejects.toMatchObject({ code: 'RT_ERR_STEP_LIMIT' });
    expect(sched.decisions.length).toBe(steps);
  });
});
