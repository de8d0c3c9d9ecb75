import { describe, expect, it } from 'vitest';
import { assign, createMachine, fromCallback, setup } from 'xstate';
import { createDeterministicScheduler, createRuntime, createSeededEntropy } from '@switchboard/runtime';

function world() {
  const sched = createDeterministicScheduler({ seed: 5, auto: false });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(5) });
  return { sched, rt };
}

/** Static context and only an `after` timer at start: eligible for a shared initial snapshot. */
const shareable = createMachine({
  context: { count: 0 },
  initial: 'waiting',
  states: {
    waiting: {
      after: { 1000: 'expired' },
      on: { bump: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
    },
    expired: {},
  },
});

describe('initial snapshots', () => {
  it('gives processes of a shareable machine independent state and their own after timers', () => {
    const { rt, sched } = world();
    const a = rt.spawn(shareable);
    sched.advance(500);
    const b = rt.spawn(shareable);
    rt.send(a, { type: 'bump' });
    rt.send(a, { type: 'bump' });
    sched.runUntilIdle({ advanceTime: false });
    expect(rt.processInfo(a)?.state).toBe('waiting');
    expect(rt.processInfo(b)?.state).toBe('waiting');
    sched.advance(500); // t = 1000: a's timer fires, b's (due at 1500) does not
    expect(rt.processInfo(a)?.state).toBe('expired');
    expect(rt.processInfo(b)?.state).toBe('waiting');
    sched.advance(500);
    expect(rt.processInfo(b)?.state).toBe('expired');
  });

  it('shares a template across runtimes, each process keeping its own state, context and clock', () => {
    // The template is cached per machine for every runtime of the process (a test building a
    // runtime per run must not probe again): nothing of the first runtime may leak into the second.
    const fromInput = setup({
      types: { input: {} as { id: number }, context: {} as { id: number } },
    }).createMachine({
      context: ({ input }) => ({ id: input.id }),
      initial: 'waiting',
      states: { waiting: { after: { 1000: 'expired' } }, expired: {} },
    });
    const first = world();
    const second = world();
    const a = first.rt.spawn(shareable);
    const c = first.rt.spawn(fromInput, { input: { id: 1 } });
    first.sched.advance(700);
    const b = second.rt.spawn(shareable);
    const d = second.rt.spawn(fromInput, { input: { id: 2 } });
    first.rt.send(a, { type: 'bump' });
    first.sched.runUntilIdle({ advanceTime: false });
    second.sched.advance(500); // the second runtime's clock: nothing of it is due yet
    expect(second.rt.processInfo(b)?.state).toBe('waiting');
    expect(second.rt.processInfo(d)?.state).toBe('waiting');
    first.sched.advance(300); // t = 1000 on the first runtime's clock
    expect(first.rt.processInfo(a)?.state).toBe('expired');
    expect(first.rt.processInfo(c)?.state).toBe('expired');
    expect(second.rt.processInfo(b)?.state).toBe('waiting');
    second.sched.advance(500);
    expect(second.rt.processInfo(b)?.state).toBe('expired');
    expect(second.rt.processInfo(d)?.state).toBe('expired');
    type Rt = typeof first.rt;
    const context = (rt: Rt, pid: typeof a): unknown =>
      (rt as unknown as { lookup(p: typeof a): { snapshot: { context: unknown } } }).lookup(pid).snapshot
        .context;
    expect(context(first.rt, a)).toEqual({ count: 1 });
    expect(context(first.rt, c)).toEqual({ id: 1 });
    expect(context(second.rt, b)).toEqual({ count: 0 });
    expect(context(second.rt, d)).toEqual({ id: 2 });
  });

  it('resolves named delays per process, at start and in a later state', () => {
    const { rt, sched } = world();
    // The delay `wait` comes from each process's context.
    const withWait = setup({
      types: { context: {} as { wait: number }, input: {} as { wait: number } },
      delays: { wait: ({ context }) => context.wait },
    });
    const timed = withWait.createMachine({
      context: ({ input }) => ({ wait: input.wait }),
      initial: 'idle',
      states: {
        idle: { on: { go: 'waiting' } },
        waiting: { after: { wait: 'done' } },
        done: {},
      },
    });
    const startsTimed = withWait.createMachine({
      context: ({ input }) => ({ wait: input.wait }),
      initial: 'waiting',
      states: { waiting: { after: { wait: 'done' } }, done: {} },
    });
    const short = rt.spawn(timed, { input: { wait: 100 } });
    const long = rt.spawn(timed, { input: { wait: 300 } });
    const first = rt.spawn(startsTimed, { input: { wait: 200 } });
    rt.send(short, { type: 'go' });
    rt.send(long, { type: 'go' });
    sched.runUntilIdle({ advanceTime: false });
    sched.advance(100);
    expect([short, long, first].map((p) => rt.processInfo(p)?.state)).toEqual(['done', 'waiting', 'waiting']);
    sched.advance(100);
    expect([long, first].map((p) => rt.processInfo(p)?.state)).toEqual(['waiting', 'done']);
    sched.advance(100);
    expect(rt.processInfo(long)?.state).toBe('done');
  });

  it('runs entry actions once per process when a machine has them', () => {
    const { rt, sched } = world();
    let entries = 0;
    const withEntry = createMachine({ entry: () => entries++ });
    rt.spawn(withEntry);
    rt.spawn(withEntry);
    sched.runUntilIdle();
    expect(entries).toBe(2);
  });

  it('calls a context factory once per process, with that process input', () => {
    const { rt } = world();
    const seen: unknown[] = [];
    const fromInput = createMachine({
      context: ({ input }: { input: { id: number } }) => {
        seen.push(input);
        return { id: input.id };
      },
    });
    rt.spawn(fromInput, { input: { id: 1 } });
    rt.spawn(fromInput, { input: { id: 2 } });
    expect(seen).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('evaluates eventless transitions per process', () => {
    const { rt } = world();
    let guards = 0;
    const eventless = createMachine({
      initial: 'check',
      states: {
        check: {
          always: [
            {
              guard: () => {
                guards++;
                return true;
              },
              target: 'ok',
            },
          ],
        },
        ok: {},
      },
    });
    const a = rt.spawn(eventless);
    rt.spawn(eventless);
    expect(guards).toBe(2);
    expect(rt.processInfo(a)?.state).toBe('ok');
  });
});

describe('initial snapshots of machines whose context comes from input', () => {
  /** Context from input, and only an `after` timer at start: shares everything but the context. */
  const fromInput = setup({
    types: {
      context: {} as { id: number; count: number },
      input: {} as { id: number },
    },
  }).createMachine({
    context: ({ input }) => ({ id: input.id, count: 0 }),
    initial: 'waiting',
    states: {
      waiting: {
        after: { 1000: 'expired' },
        on: {
          bump: { actions: assign({ count: ({ context }) => context.count + 1 }) },
        },
      },
      expired: {},
    },
  });

  it('gives each process its own context from its own input, and its own timers', () => {
    const { rt, sched } = world();
    const a = rt.spawn(fromInput, { input: { id: 1 } });
    sched.advance(400);
    const b = rt.spawn(fromInput, { input: { id: 2 } });
    rt.send(a, { type: 'bump' });
    sched.runUntilIdle({ advanceTime: false });
    const snap = (pid: typeof a) =>
      (rt as unknown as { lookup(p: typeof a): { snapshot: { context: unknown } } }).lookup(pid).snapshot;
    expect(snap(a).context).toEqual({ id: 1, count: 1 });
    expect(snap(b).context).toEqual({ id: 2, count: 0 });
    sched.advance(600);
    expect(rt.processInfo(a)?.state).toBe('expired');
    expect(rt.processInfo(b)?.state).toBe('waiting');
    sched.advance(400);
    expect(rt.processInfo(b)?.state).toBe('expired');
  });

  it('passes the process as self, and a factory that throws ends that process with { error }', () => {
    const { rt, sched } = world();
    const selves: unknown[] = [];
    const failing = createMachine({
      context: ({ input, self }: { input: { fail: boolean }; self: unknown }) => {
        selves.push(self);
        if (input.fail) throw new Error('bad input');
        return {};
      },
    });
    const ok = rt.spawn(failing, { input: { fail: false } });
    const bad = rt.spawn(failing, { input: { fail: true } });
    sched.runUntilIdle();
    expect((selves[0] as { pid: unknown }).pid).toEqual(ok);
    expect(rt.isAlive(ok)).toBe(true);
    expect(rt.isAlive(bad)).toBe(false);
  });

  it('shares the snapshot for a factory that never names spawn (a hidden spawn fails loudly)', () => {
    const { rt, sched } = world();
    const errors: unknown[] = [];
    rt.inspect((e) => {
      if (e.type === 'rt.exit' && typeof e.reason === 'object' && 'error' in e.reason)
        errors.push(e.reason.error);
    });
    const key = ['sp', 'awn'].join('');
    const hidden = createMachine({
      context: (args) => ({ ref: (args as unknown as Record<string, () => unknown>)[key]?.() }),
    });
    rt.spawn(hidden);
    sched.runUntilIdle();
    expect(errors).toEqual([expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' })]);
  });

  it('takes the full path when the context factory spawns children', () => {
    const { rt, sched } = world();
    let disposed = 0;
    const child = fromCallback(() => () => void disposed++);
    const spawning = createMachine({
      context: ({ spawn }) => ({ ref: spawn(child) }),
    });
    const pid = rt.spawn(spawning);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(disposed).toBe(1);
  });
});
