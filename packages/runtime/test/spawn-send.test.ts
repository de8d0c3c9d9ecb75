import { describe, expect, it } from 'vitest';
import {
  assign,
  createMachine,
  fromCallback,
  fromPromise,
  fromTransition,
  raise,
  sendTo,
  setup,
} from 'xstate';
import type { AnyActorRef } from 'xstate';
import {
  InvalidOption,
  NameTaken,
  NoProc,
  Pid,
  RuntimeStopped,
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  sendToPid,
} from '@switchboard/runtime';
import type { DownMessage, Pid as PidType } from '@switchboard/runtime';
import { deterministicWorld, flushMicrotasks, idle, recorder } from './support/world.js';
import type { Received } from './support/world.js';

/** Captures what the process reported when it died, through a watcher process. */
function watchDown(world: ReturnType<typeof deterministicWorld>, target: PidType): DownMessage[] {
  const downs: Received[] = [];
  const watcher = world.rt.spawn(recorder(downs));
  world.rt.monitor(watcher, target);
  return downs as unknown as DownMessage[];
}

const toggle = createMachine({
  initial: 'off',
  states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
});

describe('spawn', () => {
  it('starts a process in the initial state of its machine', () => {
    const { rt } = deterministicWorld();
    const pid = rt.spawn(toggle);
    expect(pid).toBeInstanceOf(Pid);
    expect(rt.isAlive(pid)).toBe(true);
    expect(rt.processInfo(pid)?.state).toBe('off');
    expect(rt.processes()).toEqual([pid]);
  });

  it('passes input to the machine', () => {
    const { sched, rt } = deterministicWorld();
    const seen: unknown[] = [];
    const machine = setup({
      types: { input: {} as { greeting: string }, context: {} as { greeting: string } },
    }).createMachine({
      context: ({ input }) => ({ greeting: input.greeting }),
      on: { show: { actions: ({ context }) => void seen.push(context.greeting) } },
    });
    const pid = rt.spawn(machine, { input: { greeting: 'hello' } });
    rt.send(pid, { type: 'show' });
    sched.runUntilIdle();
    expect(seen).toEqual(['hello']);
  });

  it('runs logic other than machines (fromTransition)', () => {
    const { sched, rt } = deterministicWorld();
    const counter = fromTransition((n: number, e: { type: string }) => (e.type === 'inc' ? n + 1 : n), 0);
    const pid = rt.spawn(counter);
    for (let i = 0; i < 3; i++) rt.send(pid, { type: 'inc' });
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.state).toBe('active');
    expect(rt.isAlive(pid)).toBe(true);
  });

  it('runs a callback actor as process logic and runs its disposer when the process is killed', () => {
    const { sched, rt } = deterministicWorld();
    let disposed = 0;
    const pid = rt.spawn(fromCallback(() => () => void disposed++));
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(true);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(disposed).toBe(1);
  });

  it("runs a promise actor as process logic: 'normal' when it resolves, { error } when it rejects", async () => {
    const world = deterministicWorld();
    const { sched, rt } = world;
    const failure = new Error('rejected');
    const ok = rt.spawn(fromPromise(() => Promise.resolve(42)));
    const bad = rt.spawn(fromPromise(() => Promise.reject(failure)));
    const okDowns = watchDown(world, ok);
    const badDowns = watchDown(world, bad);
    sched.runUntilIdle();
    await flushMicrotasks(); // the promises settle on the real microtask queue...
    sched.runUntilIdle(); // ...and their outcome reaches the process through its mailbox
    expect(okDowns.map((d) => d.reason)).toEqual(['normal']);
    expect(badDowns.map((d) => d.reason)).toEqual([{ error: failure }]);
  });

  it.each([null, {}, { transition: 1 }, 'machine'])('throws RT_ERR_INVALID_OPTION for logic %j', (logic) => {
    const { rt } = deterministicWorld();
    expect(() => rt.spawn(logic as never)).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
    expect(rt.processes()).toEqual([]);
  });

  it.each([0, -1, 1.5])('throws RT_ERR_INVALID_OPTION for batchSize %j', (batchSize) => {
    const { rt } = deterministicWorld();
    expect(() => rt.spawn(idle, { batchSize })).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
  });

  it('throws RT_ERR_NOPROC when asked to link to a dead process', () => {
    const { sched, rt } = deterministicWorld();
    const dead = rt.spawn(idle);
    rt.exit(dead, 'kill');
    sched.runUntilIdle();
    let caught: unknown;
    try {
      rt.spawn(idle, { link: dead });
    } catch (err) {
      caught = err;
    }
    expect(NoProc.is(caught)).toBe(true);
    expect(rt.processes()).toEqual([]);
  });

  it('throws RT_ERR_RUNTIME_STOPPED after shutdown', async () => {
    const rt = createRuntime();
    rt.spawn(idle);
    await rt.shutdown();
    expect(rt.processes()).toEqual([]);
    expect(() => rt.spawn(idle)).toThrowError(expect.objectContaining({ code: 'RT_ERR_RUNTIME_STOPPED' }));
    try {
      rt.spawn(idle);
    } catch (err) {
      expect(RuntimeStopped.is(err)).toBe(true);
    }
  });

  it('stamps spawnedAt with the clock time', () => {
    const { sched, rt } = deterministicWorld();
    sched.advance(1234);
    const pid = rt.spawn(idle);
    expect(rt.processInfo(pid)?.spawnedAt).toBe(1234);
  });

  it('keeps spawnedAt to the millisecond from a clock with fractions (whole ms after the runtime started)', () => {
    const sched = createDeterministicScheduler({ seed: 1, auto: false });
    let now = 1000.75;
    const clock = {
      now: () => now,
      setTimeout: sched.setTimeout.bind(sched),
      clearTimeout: sched.clearTimeout.bind(sched),
    };
    const rt = createRuntime({ dispatcher: sched, clock, entropy: createSeededEntropy(1) });
    now = 1500.4;
    expect(rt.processInfo(rt.spawn(idle))?.spawnedAt).toBe(1499.75);
    now = 1501;
    expect(rt.processInfo(rt.spawn(idle))?.spawnedAt).toBe(1500.75);
  });
});

describe('createRuntime', () => {
  it.each([
    [{ node: '' }, /node must match/],
    [{ node: 'a.b' }, /node must match/],
    [{ node: 'has space' }, /node must match/],
    [{ incarnation: -1 }, /incarnation must be a non-negative integer/],
    [{ incarnation: 1.5 }, /incarnation must be a non-negative integer/],
    [{ batchSize: 0 }, /batchSize must be a positive integer/],
  ])('throws RT_ERR_INVALID_OPTION for %j', (options, message) => {
    let caught: unknown;
    try {
      createRuntime(options);
    } catch (err) {
      caught = err;
    }
    expect(InvalidOption.is(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('shutdown', () => {
  it("stops top-level processes newest first with 'shutdown' and resolves when all are gone", async () => {
    const sched = createDeterministicScheduler({ seed: 1 });
    const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(1) });
    const exits: string[] = [];
    rt.inspect((e) => {
      if (e.type === 'rt.exit') exits.push(`${e.pid.id}:${JSON.stringify(e.reason)}`);
    });
    rt.spawn(idle);
    rt.spawn(idle);
    rt.spawn(idle);
    await rt.shutdown();
    expect(exits).toEqual(['3:"shutdown"', '2:"shutdown"', '1:"shutdown"']);
    expect(rt.processes()).toEqual([]);
    expect(sched.now()).toBe(0);
  });

  it('kills a process that traps the shutdown signal and stays, once timeoutMs has passed', async () => {
    const sched = createDeterministicScheduler({ seed: 1 });
    const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(1) });
    const log: Received[] = [];
    const stubborn = rt.spawn(recorder(log), { trapExit: true });
    const downs: Received[] = [];
    rt.monitor(rt.spawn(recorder(downs)), stubborn);
    const exits: string[] = [];
    rt.inspect((e) => {
      if (e.type === 'rt.exit') exits.push(`${e.pid.id}:${JSON.stringify(e.reason)}@${sched.now()}`);
    });
    await rt.shutdown({ timeoutMs: 1000 });
    expect(log).toEqual([{ type: 'rt.exit', from: undefined, reason: 'shutdown' }]);
    expect(exits).toEqual([`2:"shutdown"@0`, `1:"killed"@1000`]);
    expect(rt.processes()).toEqual([]);
  });
});

describe('send', () => {
  it('returns true and delivers to a live process', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(toggle);
    expect(rt.send(pid, { type: 'flip' })).toBe(true);
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.state).toBe('on');
  });

  it('reaches a process through a pid rebuilt from JSON', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(toggle);
    const copy = Pid.fromJSON(
      JSON.parse(JSON.stringify(pid)) as { node: string; id: number; incarnation: number },
    );
    expect(rt.send(copy, { type: 'flip' })).toBe(true);
    sched.runUntilIdle();
    expect(rt.processInfo(copy)?.state).toBe('on');
    expect(rt.isAlive(copy)).toBe(true);
  });

  it('returns false for a dead pid and never throws', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(toggle);
    rt.exit(pid, 'kill');
    expect(rt.send(pid, { type: 'flip' })).toBe(false); // exiting
    sched.runUntilIdle();
    expect(rt.send(pid, { type: 'flip' })).toBe(false); // dead
    expect(rt.send(new Pid('local', 999, 0), { type: 'flip' })).toBe(false); // never existed
    expect(rt.send(new Pid('elsewhere', pid.id, 0), { type: 'flip' })).toBe(false); // another node
    expect(rt.send('nobody', { type: 'flip' })).toBe(false); // unknown name
  });

  it.each([null, undefined, 'flip', {}, { type: 1 }, { kind: 'flip' }])(
    'throws RT_ERR_INVALID_OPTION for the message %j',
    (message) => {
      const { rt } = deterministicWorld();
      const pid = rt.spawn(toggle);
      let caught: unknown;
      try {
        rt.send(pid, message as never);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect(InvalidOption.is(caught)).toBe(true);
      expect(rt.processInfo(pid)?.mailboxLength).toBe(0);
    },
  );

  it('queues messages instead of delivering them synchronously', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    rt.send(pid, { type: 'a' });
    rt.send(pid, { type: 'b' });
    expect(log).toEqual([]);
    expect(rt.processInfo(pid)?.mailboxLength).toBe(2);
    sched.runUntilIdle();
    expect(log).toEqual([{ type: 'a' }, { type: 'b' }]);
  });
});

describe('names', () => {
  it('registers a process spawned with a name and frees the name when it dies', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(toggle, { name: 'lamp' });
    expect(rt.whereis('lamp')).toBe(pid);
    expect(rt.processInfo(pid)?.name).toBe('lamp');
    expect(rt.send('lamp', { type: 'flip' })).toBe(true);
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.state).toBe('on');
    rt.exit('lamp', 'kill');
    expect(rt.whereis('lamp')).toBeUndefined(); // exiting already
    sched.runUntilIdle();
    expect(rt.send('lamp', { type: 'flip' })).toBe(false);
    const again = rt.spawn(toggle, { name: 'lamp' });
    expect(rt.whereis('lamp')).toBe(again);
  });

  it('throws RT_ERR_NAME_TAKEN for a spawn under a name a live process holds', () => {
    const { rt } = deterministicWorld();
    rt.spawn(idle, { name: 'svc' });
    let caught: unknown;
    try {
      rt.spawn(idle, { name: 'svc' });
    } catch (err) {
      caught = err;
    }
    expect(NameTaken.is(caught)).toBe(true);
    expect((caught as Error).message).toBe('name svc is already registered');
    expect(rt.processes()).toHaveLength(1);
  });

  it('registers, looks up and unregisters a name', () => {
    const { rt } = deterministicWorld();
    const pid = rt.spawn(idle);
    rt.register('svc', pid);
    expect(rt.whereis('svc')).toBe(pid);
    expect(rt.processInfo(pid)?.name).toBe('svc');
    expect(rt.unregister('svc')).toBe(true);
    expect(rt.unregister('svc')).toBe(false);
    expect(rt.whereis('svc')).toBeUndefined();
    expect(rt.processInfo(pid)?.name).toBeUndefined();
    expect(rt.isAlive(pid)).toBe(true);
  });

  it('refuses to register a taken name, a dead pid, an empty name or a second name', () => {
    const { sched, rt } = deterministicWorld();
    const a = rt.spawn(idle, { name: 'a' });
    const b = rt.spawn(idle);
    const dead = rt.spawn(idle);
    rt.exit(dead, 'kill');
    sched.runUntilIdle();
    expect(() => rt.register('a', b)).toThrowError(expect.objectContaining({ code: 'RT_ERR_NAME_TAKEN' }));
    expect(() => rt.register('ghost', dead)).toThrowError(expect.objectContaining({ code: 'RT_ERR_NOPROC' }));
    expect(() => rt.register('', b)).toThrowError(expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }));
    expect(() => rt.register('alias', a)).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
    expect(rt.whereis('ghost')).toBeUndefined();
    expect(rt.whereis('alias')).toBeUndefined();
    expect(rt.whereis('a')).toBe(a);
  });
});

describe('processInfo and processes', () => {
  it('reports every field of a live process', () => {
    const { rt } = deterministicWorld();
    const parent = rt.spawn(idle);
    const peer = rt.spawn(idle);
    const pid = rt.spawn(toggle, { name: 'p', trapExit: true, link: peer, parent });
    const watcher = rt.spawn(idle);
    rt.monitor(watcher, pid);
    rt.monitor(pid, peer);
    rt.send(pid, { type: 'flip' });
    expect(rt.processInfo(pid)).toEqual({
      pid,
      name: 'p',
      status: 'running',
      mailboxLength: 1,
      dropped: 0,
      links: [peer],
      monitors: [peer],
      monitoredBy: [watcher],
      trapExit: true,
      state: 'off',
      parent,
      spawnedAt: 0,
      handled: 0,
    });
  });

  it('reports an exiting process as exiting and a dead one as undefined', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(idle);
    rt.exit(pid, 'shutdown');
    expect(rt.processInfo(pid)?.status).toBe('exiting');
    expect(rt.isAlive(pid)).toBe(false);
    expect(rt.processes()).toEqual([pid]);
    sched.runUntilIdle();
    expect(rt.processInfo(pid)).toBeUndefined();
    expect(rt.processes()).toEqual([]);
  });

  it('lists exactly the processes not yet dead', () => {
    const { sched, rt } = deterministicWorld();
    const pids = [0, 1, 2, 3, 4].map(() => rt.spawn(idle));
    rt.exit(pids[1] as PidType, 'kill');
    rt.exit(pids[3] as PidType, { shutdown: 'bye' });
    sched.runUntilIdle();
    expect(rt.processes()).toEqual([pids[0], pids[2], pids[4]]);
  });
});

describe('process exits', () => {
  it("exits 'normal' when the machine reaches a final state", () => {
    const world = deterministicWorld();
    const { sched, rt } = world;
    const pid = rt.spawn(
      createMachine({
        initial: 'working',
        states: { working: { on: { finish: 'done' } }, done: { type: 'final' } },
      }),
    );
    const downs = watchDown(world, pid);
    rt.send(pid, { type: 'finish' });
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(false);
    expect(downs.map((d) => d.reason)).toEqual(['normal']);
  });

  it("exits 'normal' at once when the initial state is final", () => {
    const world = deterministicWorld();
    const pid = world.rt.spawn(createMachine({ initial: 'done', states: { done: { type: 'final' } } }));
    const downs = watchDown(world, pid);
    world.sched.runUntilIdle();
    expect(downs.map((d) => d.reason)).toEqual(['normal']);
  });

  it('exits with { error } when an action throws, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      const world = deterministicWorld();
      const { sched, rt } = world;
      const boom = new Error('boom');
      const pid = rt.spawn(
        createMachine({
          on: {
            explode: {
              actions: () => {
                throw boom;
              },
            },
          },
        }),
      );
      const downs = watchDown(world, pid);
      rt.send(pid, { type: 'explode' });
      sched.runUntilIdle();
      expect(downs).toHaveLength(1);
      expect(downs[0]?.reason).toEqual({ error: boom });
      expect((downs[0]?.reason as { error: unknown }).error).toBe(boom);
      // Unhandled rejections are reported after the microtask queue drains; give them a turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
  });

  it('exits with { error } when an entry action of the initial state throws', () => {
    const world = deterministicWorld();
    const boom = new Error('bad start');
    const pid = world.rt.spawn(
      createMachine({
        entry: () => {
          throw boom;
        },
      }),
    );
    const downs = watchDown(world, pid);
    world.sched.runUntilIdle();
    expect(downs.map((d) => d.reason)).toEqual([{ error: boom }]);
  });

  it('delivers none of the queued messages of a killed process', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    rt.send(pid, { type: 'a' });
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(log).toEqual([]);
  });
});

describe('timers on the virtual clock', () => {
  it('fires an after transition exactly at its delay', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(
      createMachine({
        initial: 'waiting',
        states: { waiting: { after: { 5000: 'timedOut' } }, timedOut: {} },
      }),
    );
    sched.runUntilIdle({ advanceTime: false });
    expect(sched.pendingTimers).toBe(1);
    sched.advance(4999);
    expect(sched.now()).toBe(4999);
    expect(rt.processInfo(pid)?.state).toBe('waiting');
    sched.advance(1);
    expect(sched.now()).toBe(5000);
    expect(rt.processInfo(pid)?.state).toBe('timedOut');
    expect(sched.pendingTimers).toBe(0);
  });

  it('never fires the timer of a state already left', () => {
    const { sched, rt } = deterministicWorld();
    let lateEntries = 0;
    const pid = rt.spawn(
      createMachine({
        initial: 'waiting',
        states: {
          waiting: { after: { 5000: 'late' }, on: { answer: 'answered' } },
          answered: {},
          late: { entry: () => void lateEntries++ },
        },
      }),
    );
    sched.advance(1000);
    rt.send(pid, { type: 'answer' });
    sched.advance(9000);
    expect(sched.now()).toBe(10_000);
    expect(rt.processInfo(pid)?.state).toBe('answered');
    expect(lateEntries).toBe(0);
    expect(sched.pendingTimers).toBe(0);
    expect(sched.decisions.some((d) => d.startsWith('fire:'))).toBe(false);
  });

  it('restarts the timer when the state is re-entered', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(
      createMachine({
        initial: 'idle',
        states: {
          idle: { after: { 1000: 'asleep' }, on: { poke: { target: 'idle', reenter: true } } },
          asleep: {},
        },
      }),
    );
    sched.advance(600);
    rt.send(pid, { type: 'poke' });
    sched.advance(999);
    expect(sched.now()).toBe(1599);
    expect(rt.processInfo(pid)?.state).toBe('idle');
    sched.advance(1);
    expect(rt.processInfo(pid)?.state).toBe('asleep');
  });

  it('replaces a pending delayed event scheduled again under the same id', () => {
    const { sched, rt } = deterministicWorld();
    const fired: number[] = [];
    const pid = rt.spawn(
      createMachine({
        on: {
          poke: { actions: raise({ type: 'settle' }, { delay: 100, id: 'debounce' }) },
          settle: { actions: () => void fired.push(sched.now()) },
        },
      }),
    );
    rt.send(pid, { type: 'poke' });
    sched.advance(50);
    rt.send(pid, { type: 'poke' });
    sched.runUntilIdle();
    expect(fired).toEqual([150]);
  });

  it('cancels the pending timers of a process that dies', () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(createMachine({ initial: 'a', states: { a: { after: { 100: 'b' } }, b: {} } }));
    sched.runUntilIdle({ advanceTime: false });
    expect(sched.pendingTimers).toBe(1);
    rt.exit(pid, 'kill');
    sched.runUntilIdle({ advanceTime: false });
    expect(sched.pendingTimers).toBe(0);
  });

  it('delivers a delayed event at its delay', () => {
    const { sched, rt } = deterministicWorld();
    const log: string[] = [];
    const pid = rt.spawn(
      createMachine({
        on: {
          go: { actions: raise({ type: 'later' }, { delay: 250 }) },
          later: { actions: () => void log.push(`later@${sched.now()}`) },
        },
      }),
    );
    sched.advance(100);
    rt.send(pid, { type: 'go' });
    sched.advance(249);
    expect(log).toEqual([]);
    sched.advance(1);
    expect(log).toEqual(['later@350']);
  });
});

describe('spawning from inside a process', () => {
  it('runs the child as itself and the rest of the transition as the parent', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const sink = rt.spawn(recorder(log), { name: 'sink' });
    const child = createMachine({ entry: sendToPid('sink', { type: 'from.child' }) });
    const parent = rt.spawn(
      createMachine({
        on: {
          go: {
            actions: [
              sendToPid('sink', { type: 'before' }),
              ({ self }) => void rt.spawn(child, { link: (self as unknown as { pid: PidType }).pid }),
              sendToPid('sink', { type: 'after' }),
            ],
          },
        },
      }),
    );
    rt.send(parent, { type: 'go' });
    sched.runUntilIdle();
    const childPid = rt.processes().find((p) => p.id !== sink.id && p.id !== parent.id) as PidType;
    expect(rt.processInfo(parent)?.links).toEqual([childPid]);
    // Who sent what, as the scheduler saw it: the parent's sends stay the parent's after the spawn.
    const senders = sched.trace
      .filter((t) => t.startsWith('deliver:') && t.includes('>sink'))
      .map((t) => t.replace(/^deliver:(\d+)>sink@\d+:(.*)$/, '$1:$2'));
    expect(senders.sort()).toEqual(
      [`${childPid.id}:from.child`, `${parent.id}:after`, `${parent.id}:before`].sort(),
    );
    expect(log.map((e) => e.type).filter((t) => t !== 'from.child')).toEqual(['before', 'after']);
  });
});

describe('sends between processes', () => {
  it('routes sendToPid through the receiver mailbox', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const receiver = rt.spawn(recorder(log));
    const sender = rt.spawn(
      setup({ types: { input: {} as PidType, context: {} as { to: PidType } } }).createMachine({
        context: ({ input }) => ({ to: input }),
        on: { kick: { actions: sendToPid(({ context }) => context.to, { type: 'hello' }) } },
      }),
      { input: receiver },
    );
    rt.send(sender, { type: 'kick' });
    expect(sched.step()).toBe(true); // the kick reaches the sender
    expect(log).toEqual([]);
    expect(rt.processInfo(receiver)?.mailboxLength).toBe(1);
    sched.runUntilIdle();
    expect(log).toEqual([{ type: 'hello' }]);
    expect(sched.trace).toEqual([
      `deliver:ext>${sender.id}@0:kick`,
      `deliver:${sender.id}>${receiver.id}@0:hello`,
    ]);
  });

  it("routes XState's sendTo to another process's ref through its mailbox", () => {
    const { sched, rt } = deterministicWorld();
    const replies: Received[] = [];
    // The server answers whoever sent it a `hello` carrying that process's own XState ref.
    const server = rt.spawn(
      createMachine({
        on: {
          hello: {
            actions: sendTo(({ event }) => (event as unknown as { ref: AnyActorRef }).ref, {
              type: 'welcome',
            }),
          },
        },
      }),
    );
    const client = rt.spawn(
      setup({ types: { input: {} as PidType, context: {} as { server: PidType } } }).createMachine({
        context: ({ input }) => ({ server: input }),
        on: {
          start: {
            actions: sendToPid(
              ({ context }) => context.server,
              ({ self }) => ({ type: 'hello', ref: self }),
            ),
          },
          welcome: { actions: ({ event }) => void replies.push(event) },
        },
      }),
      { input: server },
    );
    rt.send(client, { type: 'start' });
    sched.step(); // client handles start
    sched.step(); // server handles hello
    expect(rt.processInfo(client)?.mailboxLength).toBe(1);
    expect(replies).toEqual([]);
    sched.runUntilIdle();
    expect(replies).toEqual([{ type: 'welcome' }]);
    expect(sched.trace.at(-1)).toBe(`deliver:${server.id}>${client.id}@0:welcome`);
  });
});

describe('child actors', () => {
  it('stops invoked callback actors, running their disposers, when the process is killed', () => {
    const { sched, rt } = deterministicWorld();
    const disposed: string[] = [];
    const machine = setup({
      actors: {
        resource: fromCallback<{ type: string }, string>(
          ({ input }) =>
            () =>
              void disposed.push(input),
        ),
      },
    }).createMachine({
      invoke: [
        { src: 'resource', input: 'socket' },
        { src: 'resource', input: 'file' },
      ],
    });
    const pid = rt.spawn(machine);
    sched.runUntilIdle();
    expect(disposed).toEqual([]);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(disposed.sort()).toEqual(['file', 'socket']);
  });

  it('still ends the process when a disposer throws', async () => {
    const world = deterministicWorld();
    const { sched, rt } = world;
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const machine = setup({
        actors: {
          resource: fromCallback(() => () => {
            throw new Error('disposer broke');
          }),
        },
      }).createMachine({ invoke: { src: 'resource' } });
      const pid = rt.spawn(machine);
      const downs = watchDown(world, pid);
      sched.runUntilIdle();
      rt.exit(pid, 'kill');
      sched.runUntilIdle();
      expect(downs.map((d) => d.reason)).toEqual(['killed']);
      expect(rt.processes()).toHaveLength(1); // only the watcher
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stops invoked callback actors when the process crashes', () => {
    const { sched, rt } = deterministicWorld();
    let disposed = 0;
    const machine = setup({ actors: { resource: fromCallback(() => () => void disposed++) } }).createMachine({
      invoke: { src: 'resource' },
      on: {
        explode: {
          actions: () => {
            throw new Error('boom');
          },
        },
      },
    });
    const pid = rt.spawn(machine);
    rt.send(pid, { type: 'explode' });
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(false);
    expect(disposed).toBe(1);
  });

  it('delivers events a callback actor sends back through the mailbox', () => {
    const { sched, rt } = deterministicWorld();
    const seen: string[] = [];
    const machine = setup({
      actors: {
        ticker: fromCallback(({ sendBack, receive }) => {
          receive((e) => sendBack({ type: 'echo', of: e.type }));
        }),
      },
    }).createMachine({
      invoke: { id: 'ticker', src: 'ticker' },
      on: {
        ask: { actions: sendTo('ticker', { type: 'ping' }) },
        echo: { actions: ({ event }) => void seen.push((event as unknown as { of: string }).of) },
      },
    });
    const pid = rt.spawn(machine);
    rt.send(pid, { type: 'ask' });
    sched.step();
    expect(seen).toEqual([]);
    expect(rt.processInfo(pid)?.mailboxLength).toBe(1);
    sched.runUntilIdle();
    expect(seen).toEqual(['ping']);
  });

  it('scopes systemIds to each process, so many processes can run the same machine', () => {
    const { sched, rt } = deterministicWorld();
    const heard: string[] = [];
    const machine = setup({
      types: { input: {} as string, context: {} as { name: string } },
      actors: {
        helper: fromCallback<{ type: string }, string>(({ input, receive }) => {
          receive((e) => void heard.push(`${input}:${e.type}`));
        }),
      },
    }).createMachine({
      context: ({ input }) => ({ name: input }),
      invoke: { src: 'helper', systemId: 'helper', input: ({ context }) => context.name },
      on: { poke: { actions: sendTo(({ system }) => system.get('helper') as AnyActorRef, { type: 'hi' }) } },
    });
    const a = rt.spawn(machine, { input: 'a' });
    const b = rt.spawn(machine, { input: 'b' });
    sched.runUntilIdle();
    expect([rt.isAlive(a), rt.isAlive(b)]).toEqual([true, true]);
    rt.send(b, { type: 'poke' });
    sched.runUntilIdle();
    rt.send(a, { type: 'poke' });
    sched.runUntilIdle();
    expect(heard).toEqual(['b:hi', 'a:hi']);
    // A process that dies frees its systemIds; a new one may take them.
    rt.exit(a, 'kill');
    sched.runUntilIdle();
    const c = rt.spawn(machine, { input: 'c' });
    rt.send(c, { type: 'poke' });
    sched.runUntilIdle();
    expect(heard).toEqual(['b:hi', 'a:hi', 'c:hi']);
  });

  it('stops a child that keeps count in context when the process exits normally', () => {
    const { sched, rt } = deterministicWorld();
    let disposed = 0;
    const machine = setup({
      types: { context: {} as { n: number } },
      actors: { resource: fromCallback(() => () => void disposed++) },
    }).createMachine({
      context: { n: 0 },
      initial: 'on',
      states: {
        on: {
          invoke: { src: 'resource' },
          on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) }, stop: 'off' },
        },
        off: { type: 'final' },
      },
    });
    const pid = rt.spawn(machine);
    rt.send(pid, { type: 'inc' });
    rt.send(pid, { type: 'stop' });
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(false);
    expect(disposed).toBe(1);
  });
});
