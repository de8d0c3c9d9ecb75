import { describe, expect, it } from 'vitest';
import { assign, createMachine, setup } from 'xstate';
import {
  CallTimeout,
  CalleeExited,
  InvalidOption,
  MailboxFull,
  NoProc,
  Ref,
  createRuntime,
  exitSelf,
  reply,
  replyTo,
} from '@switchboard/runtime';
import type { CallRequest, DownMessage, From, Pid } from '@switchboard/runtime';
import { deterministicWorld, flushMicrotasks, idle, recorder, rejectionOf } from './support/world.js';
import type { Received } from './support/world.js';

/** A counter that answers `counter.get` at once and `counter.later` only on `counter.release`. */
const counter = setup({
  types: {
    context: {} as { count: number; pending: From | undefined },
    events: {} as
      | { type: 'counter.inc' }
      | CallRequest<{ type: 'counter.get' }>
      | CallRequest<{ type: 'counter.later' }>
      | { type: 'counter.release' }
      | CallRequest<{ type: 'counter.quit' }>
      | CallRequest<{ type: 'counter.crash' }>,
  },
}).createMachine({
  context: { count: 0, pending: undefined },
  on: {
    'counter.inc': { actions: assign({ count: ({ context }) => context.count + 1 }) },
    'counter.get': { actions: reply(({ context }) => context.count) },
    'counter.later': { actions: assign({ pending: ({ event }) => event.from }) },
    'counter.release': {
      actions: [
        replyTo(
          ({ context }) => context.pending as From,
          ({ context }) => `released at ${context.count}`,
        ),
        assign({ pending: undefined }),
      ],
    },
    'counter.quit': { actions: exitSelf({ shutdown: 'asked to quit' }) },
    'counter.crash': {
      actions: () => {
        throw new Error('counter broke');
      },
    },
  },
});

/** Records how a promise settled, so a test can check "not yet" without awaiting. */
function track<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value: unknown } {
  const box: { state: 'pending' | 'resolved' | 'rejected'; value: unknown } = {
    state: 'pending',
    value: undefined,
  };
  promise.then(
    (value) => Object.assign(box, { state: 'resolved', value }),
    (err: unknown) => Object.assign(box, { state: 'rejected', value: err }),
  );
  return box;
}

describe('call', () => {
  it('resolves with the value the callee replies', async () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(counter);
    rt.send(pid, { type: 'counter.inc' });
    rt.send(pid, { type: 'counter.inc' });
    const answer = rt.call<number>(pid, { type: 'counter.get' });
    sched.runUntilIdle();
    await expect(answer).resolves.toBe(2);
    expect(sched.pendingTimers).toBe(0); // the timeout was cleared
  });

  it('resolves on the live dispatcher', async () => {
    const rt = createRuntime();
    const pid = rt.spawn(counter);
    rt.send(pid, { type: 'counter.inc' });
    await expect(rt.call(pid, { type: 'counter.get' })).resolves.toBe(1);
    await expect(rt.call(pid, { type: 'counter.quit' })).rejects.toMatchObject({
      code: 'RT_ERR_CALLEE_EXITED',
      reason: { shutdown: 'asked to quit' },
    });
    await rt.shutdown();
  });

  it('reaches a process by its registered name', async () => {
    const { sched, rt } = deterministicWorld();
    rt.spawn(counter, { name: 'counter' });
    const answer = rt.call<number>('counter', { type: 'counter.get' });
    sched.runUntilIdle();
    await expect(answer).resolves.toBe(0);
  });

  it('hands the request to the machine with a from field', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    void rt.call(pid, { type: 'q', payload: 7 } as { type: string }, { timeoutMs: Infinity });
    sched.runUntilIdle();
    expect(log).toHaveLength(1);
    const request = log[0] as unknown as { type: string; payload: number; from: From };
    expect(request.type).toBe('q');
    expect(request.payload).toBe(7);
    expect(request.from.ref).toBeInstanceOf(Ref);
    expect(request.from.caller).toBeUndefined();
  });

  it('names the calling process in from.caller when a process calls', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const server = rt.spawn(recorder(log));
    const client = rt.spawn(
      createMachine({
        on: {
          go: { actions: () => void rt.call(server, { type: 'q' }, { timeoutMs: Infinity }).catch(() => {}) },
        },
      }),
    );
    rt.send(client, { type: 'go' });
    sched.runUntilIdle();
    expect((log[0] as unknown as { from: From }).from.caller).toBe(client);
  });

  it('resolves a reply given later with replyTo', async () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(counter);
    const answer = track(rt.call(pid, { type: 'counter.later' }, { timeoutMs: Infinity }));
    sched.runUntilIdle();
    await flushMicrotasks();
    expect(answer.state).toBe('pending');
    rt.send(pid, { type: 'counter.inc' });
    rt.send(pid, { type: 'counter.release' });
    sched.runUntilIdle();
    await flushMicrotasks();
    expect(answer).toEqual({ state: 'resolved', value: 'released at 1' });
  });

  it('resolves with undefined when the reply has no value', async () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(createMachine({ on: { ping: { actions: reply() } } }));
    const answer = rt.call(pid, { type: 'ping' });
    sched.runUntilIdle();
    await expect(answer).resolves.toBeUndefined();
  });

  it('resolves when the callee replies and then exits in the same step, under any schedule', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const { sched, rt } = deterministicWorld(seed);
      const pid = rt.spawn(createMachine({ on: { bye: { actions: [reply('ok'), exitSelf('normal')] } } }));
      const answer = rt.call(pid, { type: 'bye' });
      sched.runUntilIdle();
      await expect(answer).resolves.toBe('ok');
    }
  });

  describe('timeouts', () => {
    it('rejects with RT_ERR_CALL_TIMEOUT exactly at timeoutMs on the virtual clock', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(idle);
      const outcome = track(rt.call(pid, { type: 'unanswered' }, { timeoutMs: 1000 }));
      sched.advance(999);
      await flushMicrotasks();
      expect(outcome.state).toBe('pending');
      sched.advance(1);
      await flushMicrotasks();
      expect(sched.now()).toBe(1000);
      expect(outcome.state).toBe('rejected');
      expect(CallTimeout.is(outcome.value)).toBe(true);
      expect((outcome.value as Error).message).toBe(`call to ${String(pid)} got no reply within 1000 ms`);
      expect(rt.isAlive(pid)).toBe(true);
    });

    it('times out after 5000 ms by default', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(idle);
      const outcome = track(rt.call(pid, { type: 'unanswered' }));
      sched.advance(4999);
      await flushMicrotasks();
      expect(outcome.state).toBe('pending');
      sched.advance(1);
      await flushMicrotasks();
      expect(CallTimeout.is(outcome.value)).toBe(true);
    });

    it('waits forever with timeoutMs Infinity', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(idle);
      const outcome = track(rt.call(pid, { type: 'unanswered' }, { timeoutMs: Infinity }));
      sched.runUntilIdle();
      await flushMicrotasks();
      expect(sched.pendingTimers).toBe(0);
      expect(outcome.state).toBe('pending');
    });

    it('drops a reply that comes after the timeout', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter);
      const outcome = track(rt.call(pid, { type: 'counter.later' }, { timeoutMs: 100 }));
      sched.advance(100);
      await flushMicrotasks();
      expect(CallTimeout.is(outcome.value)).toBe(true);
      // The late reply is a no-op: the callee lives on and the outcome does not change.
      rt.send(pid, { type: 'counter.release' });
      sched.runUntilIdle();
      await flushMicrotasks();
      expect(rt.isAlive(pid)).toBe(true);
      expect(CallTimeout.is(outcome.value)).toBe(true);
    });

    it.each([-1, NaN])('throws RT_ERR_INVALID_OPTION for timeoutMs %s', (timeoutMs) => {
      const { rt } = deterministicWorld();
      const pid = rt.spawn(idle);
      let caught: unknown;
      try {
        void rt.call(pid, { type: 'q' }, { timeoutMs });
      } catch (err) {
        caught = err;
      }
      expect(InvalidOption.is(caught)).toBe(true);
      expect(rt.processInfo(pid)?.mailboxLength).toBe(0);
    });
  });

  describe('failures', () => {
    it('rejects with RT_ERR_CALLEE_EXITED carrying the reason when the callee exits before replying', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter);
      const answer = rt.call(pid, { type: 'counter.quit' });
      sched.runUntilIdle();
      const err = await rejectionOf(answer);
      expect(CalleeExited.is(err)).toBe(true);
      expect((err as { reason: unknown }).reason).toEqual({ shutdown: 'asked to quit' });
      expect((err as Error).message).toBe(`${String(pid)} exited (shutdown:asked to quit) before replying`);
    });

    it('rejects with the crash as the reason when the callee throws', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter);
      const answer = rt.call(pid, { type: 'counter.crash' });
      sched.runUntilIdle();
      const err = (await rejectionOf(answer)) as { reason: { error: Error } };
      expect(CalleeExited.is(err)).toBe(true);
      expect(err.reason.error.message).toBe('counter broke');
    });

    it('rejects with RT_ERR_CALLEE_EXITED when the callee is killed with the request still queued', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter);
      const answer = rt.call(pid, { type: 'counter.get' });
      rt.exit(pid, 'kill');
      sched.runUntilIdle();
      const err = await rejectionOf(answer);
      expect(CalleeExited.is(err)).toBe(true);
      expect((err as { reason: unknown }).reason).toBe('killed');
      expect(sched.pendingTimers).toBe(0);
    });

    it('rejects with RT_ERR_NOPROC for a dead pid or an unknown name', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter);
      rt.exit(pid, 'kill');
      const whileExiting = rt.call(pid, { type: 'counter.get' });
      sched.runUntilIdle();
      const afterDeath = rt.call(pid, { type: 'counter.get' });
      const byName = rt.call('nobody', { type: 'counter.get' });
      for (const p of [whileExiting, afterDeath, byName]) expect(NoProc.is(await rejectionOf(p))).toBe(true);
      expect(((await rejectionOf(byName)) as Error).message).toBe('no process nobody');
    });

    it('rejects with RT_ERR_MAILBOX_FULL when a reject-policy mailbox is full', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter, { mailbox: { capacity: 1, overflow: 'reject' } });
      rt.send(pid, { type: 'counter.inc' });
      const err = await rejectionOf(rt.call(pid, { type: 'counter.get' }));
      expect(MailboxFull.is(err)).toBe(true);
      expect((err as Error).message).toBe(`mailbox of ${String(pid)} is full (1 messages)`);
      // The refused call leaves nothing behind: no timer, no request, and its callee is untouched.
      expect(sched.pendingTimers).toBe(0);
      expect(rt.processInfo(pid)).toMatchObject({ mailboxLength: 1, dropped: 1 });
      sched.runUntilIdle();
      expect(rt.isAlive(pid)).toBe(true);
      await expect(
        (async () => {
          const p = rt.call<number>(pid, { type: 'counter.get' });
          sched.runUntilIdle();
          return p;
        })(),
      ).resolves.toBe(1);
    });

    it('rejects with RT_ERR_CALLEE_EXITED when the request overflows a kill-policy mailbox', async () => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(counter, { mailbox: { capacity: 1, overflow: 'kill' } });
      rt.send(pid, { type: 'counter.inc' });
      const answer = rt.call(pid, { type: 'counter.get' });
      sched.runUntilIdle();
      const err = (await rejectionOf(answer)) as { reason: { error: unknown } };
      expect(CalleeExited.is(err)).toBe(true);
      expect((err.reason.error as { code: string }).code).toBe('RT_ERR_MAILBOX_OVERFLOW');
    });

    it('throws RT_ERR_INVALID_OPTION for a request without a type', () => {
      const { rt } = deterministicWorld();
      const pid = rt.spawn(idle);
      expect(() => rt.call(pid, {} as never)).toThrowError(
        expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
      );
    });
  });
});

describe('reply', () => {
  it('crashes the process when used on an event that is not a call request', () => {
    const { sched, rt } = deterministicWorld();
    const downs: Received[] = [];
    const pid = rt.spawn(createMachine({ on: { ping: { actions: reply('pong') } } }));
    rt.monitor(rt.spawn(recorder(downs)), pid);
    rt.send(pid, { type: 'ping' });
    sched.runUntilIdle();
    const reason = (downs[0] as unknown as DownMessage).reason as { error: Error };
    expect(reason.error).toBeInstanceOf(TypeError);
    expect(reason.error.message).toMatch(/not a call request/);
  });

  it('throws RT_ERR_INVALID_OPTION for a from that is not one', () => {
    const { rt } = deterministicWorld();
    expect(() => rt.reply({ ref: { id: 1 }, caller: undefined } as unknown as From, 1)).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
  });

  it('ignores a reply to a call that already ended', async () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid: Pid = rt.spawn(recorder(log));
    const outcome = track(rt.call(pid, { type: 'q' }, { timeoutMs: 10 }));
    sched.runUntilIdle();
    await flushMicrotasks();
    expect(outcome.state).toBe('rejected');
    const from = (log[0] as unknown as { from: From }).from;
    expect(() => rt.reply(from, 'late')).not.toThrow();
    expect(sched.isIdle()).toBe(true);
  });
});
