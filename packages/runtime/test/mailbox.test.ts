import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { InvalidOption, Mailbox, MailboxOverflow, UNBOUNDED, mailboxSpec } from '@switchboard/runtime';
import type { DownMessage, InspectionEvent, MailboxOptions, OverflowPolicy } from '@switchboard/runtime';
import { deterministicWorld, idle, recorder } from './support/world.js';
import type { Received } from './support/world.js';

/** Drains a mailbox from the head into `[sender, message]` pairs. */
function drain<TSender, TMessage>(box: Mailbox<TSender, TMessage>): [TSender, TMessage][] {
  const out: [TSender, TMessage][] = [];
  while (box.length > 0) {
    const sender = box.peekSender() as TSender;
    out.push([sender, box.shift() as TMessage]);
  }
  return out;
}

function bounded(capacity: number, overflow: OverflowPolicy): Mailbox<string, string> {
  return new Mailbox<string, string>(mailboxSpec({ capacity, overflow }));
}

describe('Mailbox', () => {
  describe('order', () => {
    it('delivers messages first in, first out', () => {
      const box = new Mailbox<string, number>();
      for (let i = 0; i < 20; i++) expect(box.offer(i % 2 === 0 ? 'a' : 'b', i, false)).toBe('queued');
      expect(box.length).toBe(20);
      expect(drain(box).map(([, m]) => m)).toEqual([...Array(20).keys()]);
      expect(box.length).toBe(0);
      expect(box.shift()).toBeUndefined();
      expect(box.peekSender()).toBeUndefined();
    });

    it('keeps order across wrap-around and growth', () => {
      const box = new Mailbox<string, number>();
      const out: number[] = [];
      let next = 0;
      // Interleave pushes and shifts so the ring's head moves while it grows.
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 7; i++) box.offer('s', next++, false);
        for (let i = 0; i < 3; i++) out.push(box.shift() as number);
      }
      out.push(...drain(box).map(([, m]) => m));
      expect(out).toEqual([...Array(70).keys()]);
    });

    it('reports the sender of the head message', () => {
      const box = new Mailbox<string, string>();
      box.offer('a', 'a1', false);
      box.offer('b', 'b1', false);
      expect(box.peekSender()).toBe('a');
      box.shift();
      expect(box.peekSender()).toBe('b');
    });
  });

  describe('takeFrom', () => {
    it("takes the oldest message of one sender and leaves the others' order intact", () => {
      const box = new Mailbox<string, string>();
      for (const [s, m] of [
        ['a', 'a1'],
        ['b', 'b1'],
        ['a', 'a2'],
        ['c', 'c1'],
        ['b', 'b2'],
      ] as const) {
        box.offer(s, m, false);
      }
      expect(box.takeFrom('b')).toBe('b1');
      expect(box.takeFrom('b')).toBe('b2');
      expect(box.takeFrom('b')).toBeUndefined();
      expect(box.takeFrom('a')).toBe('a1');
      expect(drain(box)).toEqual([
        ['a', 'a2'],
        ['c', 'c1'],
      ]);
    });

    it('returns undefined for a sender with nothing queued', () => {
      const box = new Mailbox<string, string>();
      expect(box.takeFrom('nobody')).toBeUndefined();
      box.offer('a', 'a1', false);
      expect(box.takeFrom('nobody')).toBeUndefined();
      expect(box.length).toBe(1);
    });

    it('keeps per-sender order when taking from a ring whose head has wrapped', () => {
      const box = new Mailbox<string, string>();
      for (let i = 0; i < 3; i++) box.offer('x', `x${i}`, false);
      for (let i = 0; i < 3; i++) box.shift();
      for (let i = 0; i < 6; i++) box.offer(i % 2 === 0 ? 'a' : 'b', `m${i}`, false);
      expect([box.takeFrom('b'), box.takeFrom('a'), box.takeFrom('b'), box.takeFrom('b')]).toEqual([
        'm1',
        'm0',
        'm3',
        'm5',
      ]);
      expect(drain(box).map(([, m]) => m)).toEqual(['m2', 'm4']);
    });
  });

  describe('senders', () => {
    it('lists distinct senders in the order of their oldest message', () => {
      const box = new Mailbox<string, string>();
      expect(box.senders()).toEqual([]);
      for (const s of ['c', 'a', 'c', 'b', 'a']) box.offer(s, `${s}!`, false);
      expect(box.senders()).toEqual(['c', 'a', 'b']);
      box.takeFrom('c');
      expect(box.senders()).toEqual(['a', 'c', 'b']);
    });
  });

  describe('removeWhere', () => {
    it('removes matching messages, keeps the rest in order and returns the count', () => {
      const box = new Mailbox<string, number>();
      for (let i = 0; i < 10; i++) box.offer(i < 5 ? 'a' : 'b', i, false);
      expect(box.removeWhere((m) => m % 3 === 0)).toBe(4);
      expect(drain(box)).toEqual([
        ['a', 1],
        ['a', 2],
        ['a', 4],
        ['b', 5],
        ['b', 7],
        ['b', 8],
      ]);
    });

    it('matches on the sender too', () => {
      const box = new Mailbox<string, number>();
      for (let i = 0; i < 6; i++) box.offer(i % 2 === 0 ? 'a' : 'b', i, false);
      expect(box.removeWhere((_m, s) => s === 'a')).toBe(3);
      expect(drain(box).map(([, m]) => m)).toEqual([1, 3, 5]);
    });

    it('returns 0 and changes nothing when nothing matches', () => {
      const box = new Mailbox<string, number>();
      box.offer('a', 1, false);
      expect(box.removeWhere(() => false)).toBe(0);
      expect(box.length).toBe(1);
    });
  });

  describe('overflow policies', () => {
    it('is unbounded by default', () => {
      const box = new Mailbox<string, number>();
      expect(box.spec).toBe(UNBOUNDED);
      for (let i = 0; i < 10_000; i++) expect(box.offer('s', i, false)).toBe('queued');
      expect(box.length).toBe(10_000);
      expect(box.dropped).toBe(0);
    });

    it('drop-newest refuses the arriving message and counts it', () => {
      const box = bounded(2, 'drop-newest');
      expect(box.offer('s', 'm1', false)).toBe('queued');
      expect(box.offer('s', 'm2', false)).toBe('queued');
      expect(box.offer('s', 'm3', false)).toBe('dropped-newest');
      expect(box.offer('s', 'm4', false)).toBe('dropped-newest');
      expect(box.dropped).toBe(2);
      expect(drain(box).map(([, m]) => m)).toEqual(['m1', 'm2']);
    });

    it('drop-oldest evicts the head to make room and counts it', () => {
      const box = bounded(2, 'drop-oldest');
      box.offer('s', 'm1', false);
      box.offer('s', 'm2', false);
      expect(box.offer('t', 'm3', false)).toBe('dropped-oldest');
      expect(box.dropped).toBe(1);
      expect(box.length).toBe(2);
      expect(drain(box)).toEqual([
        ['s', 'm2'],
        ['t', 'm3'],
      ]);
    });

    it('reject refuses the arriving message and counts it', () => {
      const box = bounded(1, 'reject');
      expect(box.offer('s', 'm1', false)).toBe('queued');
      expect(box.offer('s', 'm2', false)).toBe('rejected');
      expect(box.dropped).toBe(1);
      expect(drain(box).map(([, m]) => m)).toEqual(['m1']);
    });

    it('kill reports an overflow and keeps the queue as it was', () => {
      const box = bounded(1, 'kill');
      expect(box.offer('s', 'm1', false)).toBe('queued');
      expect(box.offer('s', 'm2', false)).toBe('overflow');
      expect(box.dropped).toBe(1);
      expect(drain(box).map(([, m]) => m)).toEqual(['m1']);
    });

    it.each(['drop-newest', 'drop-oldest', 'kill', 'reject'] as const)(
      'lets system messages past the capacity under %s',
      (policy) => {
        const box = bounded(1, policy);
        box.offer('s', 'user', false);
        expect(box.offer('rt', 'sys1', true)).toBe('queued');
        expect(box.offer('rt', 'sys2', true)).toBe('queued');
        expect(box.length).toBe(3);
        expect(box.dropped).toBe(0);
        expect(drain(box).map(([, m]) => m)).toEqual(['user', 'sys1', 'sys2']);
      },
    );

    it('drop-oldest never evicts a system message to make room', () => {
      const box = bounded(2, 'drop-oldest');
      box.offer('rt', 'down', true);
      box.offer('s', 'u1', false);
      expect(box.offer('s', 'u2', false)).toBe('dropped-oldest');
      expect(box.dropped).toBe(1);
      // The DOWN stays; the oldest user message made room.
      expect(drain(box).map(([, m]) => m)).toEqual(['down', 'u2']);
    });

    it('drop-oldest drops the arriving message when only system messages fill the mailbox', () => {
      const box = bounded(1, 'drop-oldest');
      box.offer('rt', 'down', true);
      expect(box.offer('s', 'u1', false)).toBe('dropped-newest');
      expect(box.dropped).toBe(1);
      expect(drain(box).map(([, m]) => m)).toEqual(['down']);
    });
  });
});

type MailboxOp =
  | { readonly op: 'offer'; readonly sender: number; readonly system: boolean }
  | { readonly op: 'shift' }
  | { readonly op: 'takeFrom'; readonly sender: number }
  | { readonly op: 'removeWhere'; readonly mod: number };

const mailboxOpArb: fc.Arbitrary<MailboxOp> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('offer' as const),
      sender: fc.nat({ max: 3 }),
      system: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ op: fc.constant('shift' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('takeFrom' as const), sender: fc.nat({ max: 3 }) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant('removeWhere' as const), mod: fc.integer({ min: 2, max: 5 }) }),
    weight: 1,
  },
);

interface Entry {
  readonly sender: number;
  readonly id: number;
  readonly system: boolean;
}

describe('Mailbox against a model', () => {
  test.prop([
    fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest', 'kill', 'reject'),
    fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    fc.array(mailboxOpArb, { maxLength: 60 }),
  ])(
    'agrees with a plain array model under every policy and never loses a system message',
    (overflow, capacity, ops) => {
      const box = new Mailbox<number, Entry>(
        mailboxSpec(capacity === undefined ? { overflow } : { capacity, overflow }),
      );
      const model: Entry[] = [];
      const cap = capacity ?? Infinity;
      let dropped = 0;
      let nextId = 0;
      const systemOut = new Set<number>();
      const systemIn = new Set<number>();
      const out = (e: Entry | undefined): void => {
        if (e?.system) systemOut.add(e.id);
      };
      for (const op of ops) {
        switch (op.op) {
          case 'offer': {
            const entry: Entry = { sender: op.sender, id: nextId++, system: op.system };
            if (op.system) systemIn.add(entry.id);
            let expected: string = 'queued';
            if (!op.system && model.length >= cap) {
              dropped++;
              const oldest = model.findIndex((e) => !e.system);
              if (overflow === 'drop-newest') expected = 'dropped-newest';
              else if (overflow === 'reject') expected = 'rejected';
              else if (overflow === 'kill') expected = 'overflow';
              else if (oldest < 0) expected = 'dropped-newest';
              else {
                model.splice(oldest, 1);
                model.push(entry);
                expected = 'dropped-oldest';
              }
            } else {
              model.push(entry);
            }
            expect(box.offer(entry.sender, entry, entry.system)).toBe(expected);
            break;
          }
          case 'shift': {
            const e = box.shift();
            expect(e).toEqual(model.shift());
            out(e);
            break;
          }
          case 'takeFrom': {
            const i = model.findIndex((e) => e.sender === op.sender);
            const e = box.takeFrom(op.sender);
            expect(e).toEqual(i < 0 ? undefined : model.splice(i, 1)[0]);
            out(e);
            break;
          }
          case 'removeWhere': {
            const drop = (e: Entry): boolean => !e.system && e.id % op.mod === 0;
            const before = model.length;
            const kept = model.filter((e) => !drop(e));
            model.length = 0;
            model.push(...kept);
            expect(box.removeWhere(drop)).toBe(before - kept.length);
            break;
          }
        }
        expect(box.length).toBe(model.length);
        expect(box.dropped).toBe(dropped);
        expect(box.senders()).toEqual([...new Set(model.map((e) => e.sender))]);
      }
      for (const e of drain(box).map(([, m]) => m)) out(e);
      expect(systemOut).toEqual(systemIn);
    },
  );
});

describe('mailboxSpec', () => {
  it('shares one spec object for the default unbounded mailbox', () => {
    expect(mailboxSpec(undefined)).toBe(UNBOUNDED);
    expect(mailboxSpec({})).toBe(UNBOUNDED);
    expect(UNBOUNDED).toEqual({ capacity: Infinity, overflow: 'drop-newest' });
  });

  it('defaults the policy to drop-newest and the capacity to unbounded', () => {
    expect(mailboxSpec({ capacity: 5 })).toEqual({ capacity: 5, overflow: 'drop-newest' });
    expect(mailboxSpec({ overflow: 'reject' })).toEqual({ capacity: Infinity, overflow: 'reject' });
  });

  it.each([0, -1, 1.5, NaN, '3' as unknown as number])(
    'throws RT_ERR_INVALID_OPTION for capacity %o',
    (capacity) => {
      let caught: unknown;
      try {
        mailboxSpec({ capacity });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect(InvalidOption.is(caught)).toBe(true);
      expect((caught as Error).message).toMatch(/mailbox\.capacity/);
    },
  );

  it('throws RT_ERR_INVALID_OPTION for an unknown overflow policy', () => {
    const options = { capacity: 1, overflow: 'drop-random' } as unknown as MailboxOptions;
    expect(() => mailboxSpec(options)).toThrow(/mailbox\.overflow must be one of/);
    expect(() => mailboxSpec(options)).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
  });

  it('rejects bad mailbox options at spawn', () => {
    const { rt } = deterministicWorld();
    expect(() => rt.spawn(idle, { mailbox: { capacity: 0 } })).toThrowError(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
    expect(rt.processes()).toEqual([]);
  });
});

describe('a process mailbox', () => {
  it('reports its length and delivers in order', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    for (let i = 0; i < 3; i++) expect(rt.send(pid, { type: 'm', i })).toBe(true);
    expect(rt.processInfo(pid)?.mailboxLength).toBe(3);
    sched.runUntilIdle();
    expect(rt.processInfo(pid)?.mailboxLength).toBe(0);
    expect(log.map((e) => e['i'])).toEqual([0, 1, 2]);
  });

  it('drop-newest: send returns false, the message is lost and counted', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log), { mailbox: { capacity: 2, overflow: 'drop-newest' } });
    expect([1, 2, 3, 4].map((i) => rt.send(pid, { type: 'm', i }))).toEqual([true, true, false, false]);
    expect(rt.processInfo(pid)).toMatchObject({ mailboxLength: 2, dropped: 2 });
    sched.runUntilIdle();
    expect(log.map((e) => e['i'])).toEqual([1, 2]);
    expect(rt.isAlive(pid)).toBe(true);
  });

  it('drop-oldest: send returns true and the oldest message is lost and counted', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log), { mailbox: { capacity: 2, overflow: 'drop-oldest' } });
    expect([1, 2, 3, 4].map((i) => rt.send(pid, { type: 'm', i }))).toEqual([true, true, true, true]);
    expect(rt.processInfo(pid)).toMatchObject({ mailboxLength: 2, dropped: 2 });
    sched.runUntilIdle();
    expect(log.map((e) => e['i'])).toEqual([3, 4]);
  });

  it('reject: send returns false and the process lives on', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log), { mailbox: { capacity: 1, overflow: 'reject' } });
    expect(rt.send(pid, { type: 'm', i: 1 })).toBe(true);
    expect(rt.send(pid, { type: 'm', i: 2 })).toBe(false);
    expect(rt.processInfo(pid)).toMatchObject({ mailboxLength: 1, dropped: 1 });
    sched.runUntilIdle();
    expect(log.map((e) => e['i'])).toEqual([1]);
    expect(rt.send(pid, { type: 'm', i: 3 })).toBe(true);
  });

  it('kill: an overflow ends the process with RT_ERR_MAILBOX_OVERFLOW and its queue is never delivered', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const downs: Received[] = [];
    const pid = rt.spawn(recorder(log), { mailbox: { capacity: 1, overflow: 'kill' } });
    const watcher = rt.spawn(recorder(downs));
    rt.monitor(watcher, pid);
    expect(rt.send(pid, { type: 'm', i: 1 })).toBe(true);
    expect(rt.send(pid, { type: 'm', i: 2 })).toBe(false);
    // The process is exiting: it takes no more messages.
    expect(rt.isAlive(pid)).toBe(false);
    expect(rt.processInfo(pid)?.status).toBe('exiting');
    expect(rt.send(pid, { type: 'm', i: 3 })).toBe(false);
    sched.runUntilIdle();
    expect(log).toEqual([]);
    expect(rt.processInfo(pid)).toBeUndefined();
    expect(downs).toHaveLength(1);
    const reason = (downs[0] as unknown as DownMessage).reason as { error: unknown };
    expect(MailboxOverflow.is(reason.error)).toBe(true);
    expect((reason.error as Error).message).toBe(`mailbox of ${String(pid)} overflowed 1 messages`);
  });

  it('emits rt.mailbox.overflow on the inspection stream', () => {
    const { rt } = deterministicWorld();
    const events: InspectionEvent[] = [];
    const pid = rt.spawn(idle, { mailbox: { capacity: 1, overflow: 'drop-newest' } });
    rt.inspect((e) => {
      if (e.type === 'rt.mailbox.overflow') events.push(e);
    });
    rt.send(pid, { type: 'a' });
    rt.send(pid, { type: 'b' });
    expect(events).toEqual([
      { type: 'rt.mailbox.overflow', pid, policy: 'drop-newest', length: 1, dropped: 1 },
    ]);
  });

  it('lets a DOWN into a full mailbox', () => {
    // The strategy runs the target's exit before anything is delivered to the full watcher.
    const { sched, rt } = deterministicWorld(1, {
      strategy: (candidates) =>
        Math.max(
          0,
          candidates.findIndex((c) => c.startsWith('exit:')),
        ),
    });
    const log: Received[] = [];
    const watcher = rt.spawn(recorder(log), { mailbox: { capacity: 1, overflow: 'reject' } });
    const target = rt.spawn(idle);
    const ref = rt.monitor(watcher, target);
    expect(rt.send(watcher, { type: 'user' })).toBe(true);
    rt.exit(target, 'kill');
    sched.step(); // the exit
    expect(rt.isAlive(target)).toBe(false);
    expect(rt.processInfo(watcher)).toMatchObject({ mailboxLength: 2, dropped: 0 });
    sched.runUntilIdle();
    expect(log.map((e) => e.type)).toEqual(['user', 'rt.down']);
    expect(log[1]).toEqual({ type: 'rt.down', ref, pid: target, reason: 'killed' });
  });
});
