import { describe, expect, it } from 'vitest';
import { assign, createMachine } from 'xstate';
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
