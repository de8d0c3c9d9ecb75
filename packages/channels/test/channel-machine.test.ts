import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { setup } from 'xstate';
import {
  CallTimeout,
  CalleeExited,
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  sendToPid,
} from '@switchboard/runtime';
import type {
  ActionArgs,
  Clock,
  DeterministicScheduler,
  DownReason,
  Pid,
  Runtime,
  Strategy,
} from '@switchboard/runtime';
import { channelMachine } from '../src/channel.machine.js';
import type { ChannelDeliver, ChannelInfo, ChannelReplies, ChannelRequest } from '../src/channel.machine.js';
import type { ChannelHost } from '../src/channel-host.js';
import { createMemorySessionStore } from '../src/memory-session.js';
import type { MemorySession } from '../src/memory-session.js';
import type { ChannelMessage } from '../src/session.js';

const msg = (n: number): ChannelMessage => ({ id: `m${n}`, payload: n });
const msgs = (...ns: number[]): ChannelMessage[] => ns.map(msg);
const TAKEOVER_MS = 1000;

/** What the stub host saw, as `call:detail` strings in order (pid checked separately). */
interface HostCall {
  readonly call: string;
  readonly pid: string;
  readonly at: number;
}

interface Harness {
  readonly sched: DeterministicScheduler;
  readonly rt: Runtime;
  readonly store: ReturnType<typeof createMemorySessionStore>;
  readonly host: ChannelHost;
  readonly calls: HostCall[];
  /** DOWN reasons seen by a watcher process, by pid, with the virtual time they arrived. */
  readonly downs: Map<string, { reason: DownReason; at: number }>;
  readonly watcher: Pid;
  /** Runs every step runnable now, without moving virtual time. */
  settle(): void;
  spawn(options?: { socket?: boolean; clientId?: string }): { pid: Pid; sent: ChannelMessage[] };
  session(options?: { expiryMs?: number; queue?: ChannelMessage[] }): MemorySession;
  opened(pid: Pid, session: MemorySession, pendings?: readonly ChannelMessage[]): void;
  deliver(pid: Pid, ...messages: ChannelMessage[]): void;
  call<TType extends ChannelRequest['type']>(pid: Pid, type: TType): Promise<ChannelReplies[TType]>;
  /** Host calls as strings, for exact comparison. */
  log(): string[];
}

function harness(seed = 1, options: { timerDelays?: number[]; strategy?: Strategy } = {}): Harness {
  const timerDelays = options.timerDelays ?? [];
  const sched = createDeterministicScheduler({
    seed,
    auto: false,
    ...(options.strategy ? { strategy: options.strategy } : {}),
  });
  // The scheduler's own clock, recording every delay asked of it.
  const clock: Clock = {
    now: () => sched.now(),
    setTimeout: (fn, ms, label) => {
      timerDelays.push(ms);
      return sched.setTimeout(fn, ms, label);
    },
    clearTimeout: (handle) => sched.clearTimeout(handle),
  };
  const rt = createRuntime({ dispatcher: sched, clock, entropy: createSeededEntropy(seed) });
  const store = createMemorySessionStore();
  const calls: HostCall[] = [];
  const host: ChannelHost = {
    sessions: store,
    takeoverMs: TAKEOVER_MS,
    markDisconnected: (clientId, pid, reason) =>
      calls.push({ call: `markDisconnected:${clientId}:${reason}`, pid: String(pid), at: sched.now() }),
    hook: (name, clientId, pid, reason) =>
      calls.push({
        call: `hook:${name}:${clientId}${reason === undefined ? '' : `:${reason}`}`,
        pid: String(pid),
        at: sched.now(),
      }),
  };
  const downs = new Map<string, { reason: DownReason; at: number }>();
  const watcher = rt.spawn(
    setup({ types: { events: {} as { type: 'rt.down'; pid: Pid; reason: DownReason } } }).createMachine({
      on: {
        'rt.down': {
          actions: ({ event }) =>
            void downs.set(String(event.pid), { reason: event.reason, at: sched.now() }),
        },
      },
    }),
  );
  const settle = () => void sched.runUntilIdle({ advanceTime: false });
  return {
    sched,
    rt,
    store,
    host,
    calls,
    downs,
    watcher,
    settle,
    spawn({ socket = true, clientId = 'c1' } = {}) {
      const sent: ChannelMessage[] = [];
      const outbound = socket ? (m: ChannelMessage) => void sent.push(m) : undefined;
      const pid = rt.spawn(channelMachine, { input: { clientId, host, outbound } });
      rt.monitor(watcher, pid);
      return { pid, sent };
    },
    session({ expiryMs = 60_000, queue = [] } = {}) {
      let s = store.create({ clientId: 'c1', sessionExpiryMs: expiryMs }, { transport: 'test' }, sched.now());
      for (const m of queue) s = store.enqueue(s, m);
      return s;
    },
    opened(pid, session, pendings = []) {
      rt.send(pid, { type: 'ch.opened', session, present: pendings.length > 0, pendings });
      settle();
    },
    deliver(pid, ...messages) {
      for (const message of messages) rt.send(pid, { type: 'ch.deliver', message });
      settle();
    },
    async call(pid, type) {
      const promise = rt.call<ChannelReplies[typeof type]>(pid, { type }, { timeoutMs: Infinity });
      settle();
      return promise;
    },
    log: () => calls.map((c) => c.call),
  };
}

/** Starts a connected channel on a fresh session. */
function connected(h: Harness, expiryMs = 60_000) {
  const ch = h.spawn();
  const session = h.session({ expiryMs });
  h.opened(ch.pid, session);
  return { ...ch, session };
}

function deliverEvent(n: number): ChannelDeliver {
  return { type: 'ch.deliver', message: msg(n) };
}

/** A process that, on `go`, sends `count` deliveries m0..m(count-1) to `target`. */
function spawnBroker(h: Harness, target: Pid, count: number): Pid {
  type BrokerCtx = { target: Pid };
  return h.rt.spawn(
    setup({ types: { context: {} as BrokerCtx, input: {} as BrokerCtx } }).createMachine({
      context: ({ input }) => input,
      on: {
        go: {
          actions: Array.from({ length: count }, (_, i) =>
            sendToPid(({ context }: ActionArgs<BrokerCtx>) => context.target, deliverEvent(i)),
          ),
        },
      },
    }),
    { input: { target } },
  );
}

async function info(h: Harness, pid: Pid): Promise<ChannelInfo> {
  return h.call(pid, 'ch.info');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('opening', () => {
  it('buffers deliveries until ch.opened and sends nothing', async () => {
    const h = harness();
    const { pid, sent } = h.spawn();
    h.deliver(pid, msg(1), msg(2));
    expect(sent).toEqual([]);
    expect(await info(h, pid)).toEqual({
      state: 'opening',
      clientId: 'c1',
      pendings: 0,
      early: 2,
      queued: 0,
      delivered: 0,
      duplicates: 0,
    });
  });

  it('sends the session queue, then the old pendings in order, then early deliveries not among them', async () => {
    // Arrange: the session queued m1, m2 before the takeover; the old channel gathered m3..m5;
    // this channel got m4 (a broker copy of a pending) and m6 while opening.
    const h = harness();
    const { pid, sent } = h.spawn();
    h.deliver(pid, msg(4), msg(6));
    const session = h.session({ queue: msgs(1, 2) });
    // Act
    h.opened(pid, session, msgs(3, 4, 5));
    // Assert
    expect(sent).toEqual(msgs(1, 2, 3, 4, 5, 6));
    expect(await info(h, pid)).toMatchObject({ state: 'connected', early: 0, delivered: 6, duplicates: 1 });
    const { session: handed } = await h.call(pid, 'ch.takeover.begin');
    expect((handed as MemorySession).queue).toEqual([]); // drained, not delivered twice later
    expect(h.log()).toEqual([]);
  });

  it('drops a late broker copy of a pending message, once (the dedup window)', async () => {
    const h = harness();
    const { pid, sent } = h.spawn();
    h.opened(pid, h.session(), msgs(1, 2));
    h.deliver(pid, msg(2), msg(3), msg(2));
    expect(sent).toEqual(msgs(1, 2, 3, 2));
    expect(await info(h, pid)).toMatchObject({ delivered: 4, duplicates: 1 });
  });

  it('without a socket, queues pendings and early deliveries behind the session queue and goes disconnected', async () => {
    const h = harness();
    const { pid, sent } = h.spawn({ socket: false });
    h.deliver(pid, msg(4), msg(5));
    h.opened(pid, h.session({ queue: msgs(1) }), msgs(2, 3, 4));
    expect(sent).toEqual([]);
    expect(await info(h, pid)).toMatchObject({ state: 'disconnected', queued: 4, duplicates: 1 });
    // The manager marked it live at registration: it says otherwise once opened.
    expect(h.log()).toEqual(['markDisconnected:c1:no_socket']);
    expect(h.calls[0]?.pid).toBe(String(pid));
    const { session } = await h.call(pid, 'ch.takeover.begin');
    expect((session as MemorySession).queue).toEqual(msgs(1, 2, 3, 4, 5));
  });

  it('reports a socket closed while opening only once opened, with its reason', async () => {
    const h = harness();
    const { pid, sent } = h.spawn();
    h.rt.send(pid, { type: 'ch.socket.closed', reason: 'peer_reset' });
    h.settle();
    expect(h.log()).toEqual([]);
    h.opened(pid, h.session({ queue: msgs(1) }), msgs(2));
    expect(sent).toEqual([]);
    expect(h.log()).toEqual(['markDisconnected:c1:peer_reset']);
    expect(await info(h, pid)).toMatchObject({ state: 'disconnected', queued: 1 });
  });

  it('ends an expiry-0 session whose socket closed while opening', () => {
    const h = harness();
    const { pid } = h.spawn();
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.opened(pid, h.session({ expiryMs: 0 }));
    expect(h.log()).toEqual(['markDisconnected:c1:closed']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'closed' });
  });

  it('answers a takeover begin that arrived while opening once the session is known', async () => {
    // Arrange: a third client takes over this channel before it learnt its own session.
    const h = harness();
    const { pid, sent } = h.spawn();
    h.deliver(pid, msg(3), msg(4));
    const begin = h.call(pid, 'ch.takeover.begin');
    const session = h.session({ queue: msgs(1) });
    // Act
    h.opened(pid, session, msgs(2, 3));
    // Assert: the whole session goes on; the old pendings and our early ones become our pendings.
    expect(await begin).toEqual({ session });
    expect(session.queue).toEqual(msgs(1));
    h.deliver(pid, msg(5));
    expect(sent).toEqual([]);
    expect(await h.call(pid, 'ch.takeover.end')).toEqual({ pendings: msgs(2, 3, 4, 5) });
    h.settle();
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'takenover' });
  });

  it('ends, without replying, an expiry-0 session that a begin was waiting for', async () => {
    const h = harness();
    const { pid } = h.spawn();
    const begin = h.call(pid, 'ch.takeover.begin');
    h.opened(pid, h.session({ expiryMs: 0 }));
    const err = await rejection(begin);
    expect(CalleeExited.is(err)).toBe(true);
    expect((err as { reason: unknown }).reason).toEqual({ shutdown: 'session_ended' });
    // The manager's DOWN cleanup reports session.terminated (it sees every death).
    expect(h.log()).toEqual(['markDisconnected:c1:takenover']);
  });

  it('can be kicked before it opens', async () => {
    const h = harness();
    const { pid } = h.spawn();
    expect(await h.call(pid, 'ch.kick')).toBe('ok');
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:kicked', 'hook:session.kicked:c1']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'kicked' });
  });
});

describe('connected', () => {
  it('sends deliveries through outbound, in order, and never into the session', async () => {
    const h = harness();
    const { pid, sent, session } = connected(h);
    h.deliver(pid, msg(1), msg(2), msg(3));
    expect(sent).toEqual(msgs(1, 2, 3));
    expect(session.queue).toEqual([]);
    expect(await info(h, pid)).toEqual({
      state: 'connected',
      clientId: 'c1',
      pendings: 0,
      early: 0,
      queued: 0,
      delivered: 3,
      duplicates: 0,
    });
  });

  it('an idle connected channel shares the empty counts and holds no expiry; both become its own once used', () => {
    const h = harness();
    const a = connected(h);
    const b = connected(h);
    const contextOf = (pid: Pid) =>
      (h.rt.processSnapshot(pid) as { context: { counts: object; expiryLeftMs: number | undefined } })
        .context;
    expect(contextOf(a.pid).counts).toBe(contextOf(b.pid).counts);
    expect(Object.isFrozen(contextOf(a.pid).counts)).toBe(true);
    expect(contextOf(a.pid).expiryLeftMs).toBeUndefined();
    h.deliver(a.pid, msg(1));
    expect(contextOf(a.pid).counts).toEqual({ queued: 0, delivered: 1, duplicates: 0 });
    expect(contextOf(b.pid).counts).toEqual({ queued: 0, delivered: 0, duplicates: 0 });
    h.rt.send(b.pid, { type: 'ch.socket.closed' });
    h.settle();
    expect(contextOf(b.pid).expiryLeftMs).toBe(60_000);
  });

  it('on socket close, marks itself disconnected and queues later deliveries in the session', async () => {
    const h = harness();
    const { pid, sent, session } = connected(h);
    h.rt.send(pid, { type: 'ch.socket.closed', reason: 'keepalive_timeout' });
    h.deliver(pid, msg(1), msg(2));
    expect(sent).toEqual([]);
    expect(session.queue).toEqual(msgs(1, 2));
    expect(h.log()).toEqual(['markDisconnected:c1:keepalive_timeout']);
    expect(h.calls[0]?.pid).toBe(String(pid));
    expect(await info(h, pid)).toMatchObject({ state: 'disconnected', queued: 2 });
    h.rt.send(pid, { type: 'ch.socket.closed' }); // a second close changes nothing
    h.settle();
    expect(h.log()).toHaveLength(1);
  });

  it("reports 'closed' when the close has no reason", () => {
    const h = harness();
    const { pid } = connected(h);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:closed']);
  });

  it('exits { shutdown: closed } when an expiry-0 session loses its socket', () => {
    const h = harness();
    const { pid } = connected(h, 0);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:closed']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'closed' });
  });

  it('answers kick with ok, marks itself disconnected, fires session.kicked and exits kicked', async () => {
    const h = harness();
    const { pid } = connected(h);
    expect(await h.call(pid, 'ch.kick')).toBe('ok');
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:kicked', 'hook:session.kicked:c1']);
    expect(h.calls.every((c) => c.pid === String(pid))).toBe(true);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'kicked' });
    expect(h.rt.isAlive(pid)).toBe(false);
  });

  it('answers discard with ok, marks itself disconnected, fires session.discarded and exits discarded', async () => {
    const h = harness();
    const { pid } = connected(h);
    expect(await h.call(pid, 'ch.discard')).toBe('ok');
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:discarded', 'hook:session.discarded:c1']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'discarded' });
  });
});

describe('disconnected', () => {
  it('expires exactly expiryMs after the socket closed', () => {
    // Arrange: connected at 0, disconnected at 500.
    const h = harness();
    const { pid } = connected(h, 10_000);
    h.sched.advance(500);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.settle();
    // Act / Assert
    h.sched.advance(9_999);
    expect(h.rt.isAlive(pid)).toBe(true);
    h.sched.advance(1);
    expect(h.downs.get(String(pid))).toEqual({ reason: { shutdown: 'expired' }, at: 10_500 });
    expect(h.log()).toEqual(['markDisconnected:c1:closed']);
  });

  it('waits out an expiry longer than a Node timer can hold, to the millisecond', () => {
    const thirtyDays = 30 * 24 * 3600 * 1000; // > 2^31 - 1 ms
    const delays: number[] = [];
    const h = harness(1, { timerDelays: delays });
    const { pid } = connected(h, thirtyDays);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.settle();
    h.sched.advance(thirtyDays - 1);
    expect(h.rt.isAlive(pid)).toBe(true);
    h.sched.advance(1);
    expect(h.downs.get(String(pid))).toEqual({ reason: { shutdown: 'expired' }, at: thirtyDays });
    // A live Node timer fires at once beyond 2^31 - 1 ms: no delay asked of the clock exceeds it.
    expect(Math.max(...delays)).toBe(2 ** 31 - 1);
  });

  it('never expires with an infinite expiry, and arms no timer for it', async () => {
    const h = harness();
    const { pid } = connected(h, Infinity);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.sched.runUntilIdle(); // would jump to any timer left
    expect(h.sched.now()).toBe(0);
    expect(h.sched.pendingTimers).toBe(0);
    expect(await info(h, pid)).toMatchObject({ state: 'disconnected' });
  });

  it('expires at once without a socket and with expiry 0', () => {
    const h = harness();
    const { pid } = h.spawn({ socket: false });
    h.opened(pid, h.session({ expiryMs: 0 }));
    h.sched.runUntilIdle();
    expect(h.downs.get(String(pid))).toEqual({ reason: { shutdown: 'expired' }, at: 0 });
  });

  it('is kicked without a second markDisconnected', async () => {
    const h = harness();
    const { pid } = connected(h);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    expect(await h.call(pid, 'ch.kick')).toBe('ok');
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:closed', 'hook:session.kicked:c1']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'kicked' });
  });

  it('is discarded without a second markDisconnected', async () => {
    const h = harness();
    const { pid } = h.spawn({ socket: false });
    h.opened(pid, h.session());
    expect(await h.call(pid, 'ch.discard')).toBe('ok');
    h.settle();
    expect(h.log()).toEqual(['markDisconnected:c1:no_socket', 'hook:session.discarded:c1']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'discarded' });
  });
});

describe('takeover', () => {
  it('hands over the session, gathers later deliveries as pendings, returns them on end and exits takenover', async () => {
    const h = harness();
    const { pid, sent, session } = connected(h);
    h.deliver(pid, msg(1));
    expect(await h.call(pid, 'ch.takeover.begin')).toEqual({ session });
    h.deliver(pid, msg(2), msg(3));
    expect(await info(h, pid)).toMatchObject({ state: 'takingOver', pendings: 2 });
    expect(await h.call(pid, 'ch.takeover.end')).toEqual({ pendings: msgs(2, 3) });
    h.settle();
    expect(sent).toEqual(msgs(1));
    expect(session.queue).toEqual([]);
    expect(h.log()).toEqual(['hook:session.takenover:c1', 'markDisconnected:c1:takenover']);
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'takenover' });
  });

  it('never enqueues into a disconnected session after begin (the seed bug)', async () => {
    const h = harness();
    const { pid } = connected(h);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.deliver(pid, msg(1));
    const { session } = await h.call(pid, 'ch.takeover.begin');
    const exported = [...(session as MemorySession).queue];
    h.deliver(pid, msg(2), msg(3));
    expect((session as MemorySession).queue).toEqual(exported);
    expect(exported).toEqual(msgs(1));
    expect(await h.call(pid, 'ch.takeover.end')).toEqual({ pendings: msgs(2, 3) });
    // The socket-close already counted it out; end calls again (idempotent for the host).
    expect(h.log()).toEqual([
      'markDisconnected:c1:closed',
      'hook:session.takenover:c1',
      'markDisconnected:c1:takenover',
    ]);
  });

  /**
   * A broker process sends `count` deliveries while outside code calls begin; `picks` choose the
   * interleaving (a scheduler strategy, so fast-check shrinks a failing schedule). Returns what
   * had reached the socket and the session when the channel handled begin, and at the end.
   */
  async function raceBegin(picks: readonly number[], count: number, socket: boolean) {
    let i = 0;
    const strategy: Strategy = (candidates) => (picks[i++ % picks.length] ?? 0) % candidates.length;
    const h = harness(1, { strategy });
    const ch = h.spawn();
    const session = h.session();
    h.opened(ch.pid, session);
    if (!socket) h.rt.send(ch.pid, { type: 'ch.socket.closed' });
    h.settle();
    const broker = spawnBroker(h, ch.pid, count);
    let atBegin: { sent: ChannelMessage[]; queue: ChannelMessage[] } | undefined;
    h.rt.inspect((e) => {
      if (e.type === '@xstate.snapshot' && e.event?.type === 'ch.takeover.begin') {
        atBegin = { sent: [...ch.sent], queue: [...session.queue] };
      }
    });
    h.rt.send(broker, { type: 'go' });
    const begin = h.call(ch.pid, 'ch.takeover.begin');
    h.settle();
    expect((await begin).session).toBe(session);
    const { pendings } = await h.call(ch.pid, 'ch.takeover.end');
    if (!atBegin) throw new Error('begin was never handled');
    return { atBegin, sent: ch.sent, queue: session.queue, pendings };
  }

  test.prop([
    fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
    fc.integer({ min: 1, max: 30 }),
    fc.boolean(),
  ])(
    'splits racing deliveries exactly: before begin to the socket or session, after it to pendings only',
    async (picks, count, socket) => {
      const { atBegin, sent, queue, pendings } = await raceBegin(picks, count, socket);
      // Nothing reached the socket or the session after begin...
      expect(sent).toEqual(atBegin.sent);
      expect(queue).toEqual(atBegin.queue);
      // ...and every message went exactly once, in order, to one side of begin or the other.
      const before = socket ? atBegin.sent : atBegin.queue;
      expect([...before, ...pendings]).toEqual(Array.from({ length: count }, (_, n) => msg(n)));
      expect(socket ? queue : sent).toEqual([]);
    },
  );

  it('the race above really interleaves: schedules split the deliveries at many points', async () => {
    const splits = new Set<number>();
    const schedules = fc.sample(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }), {
      numRuns: 100,
      seed: 42,
    });
    for (const picks of schedules) splits.add((await raceBegin(picks, 10, true)).pendings.length);
    // Begin first (all 10 pending) and several mixed splits; all-before-begin needs 10 coin flips.
    expect(splits.has(10)).toBe(true);
    expect(splits.size).toBeGreaterThanOrEqual(4);
  });

  it('keeps its pendings and its deadline across a second begin', async () => {
    // Arrange: two channels, each begun at t=0 and begun again at t=1500.
    const h = harness();
    const a = connected(h);
    const b = connected(h);
    for (const ch of [a, b]) await h.call(ch.pid, 'ch.takeover.begin');
    h.deliver(a.pid, msg(1));
    h.deliver(b.pid, msg(1));
    h.sched.advance(1_500);
    // Act
    for (const ch of [a, b])
      expect(await h.call(ch.pid, 'ch.takeover.begin')).toEqual({ session: ch.session });
    h.deliver(a.pid, msg(2));
    h.deliver(b.pid, msg(2));
    // Assert: the pendings survive the second begin...
    expect(await h.call(a.pid, 'ch.takeover.end')).toEqual({ pendings: msgs(1, 2) });
    // ...and the deadline still counts from the first one.
    h.sched.advance(499);
    expect(h.rt.isAlive(b.pid)).toBe(true);
    h.sched.advance(1);
    expect(h.downs.get(String(b.pid))).toEqual({
      reason: { shutdown: 'takeover_timeout' },
      at: 2 * TAKEOVER_MS,
    });
  });

  it('self-destructs exactly 2 × takeoverMs after begin if end never comes', async () => {
    const h = harness();
    const { pid } = connected(h);
    h.sched.advance(250);
    await h.call(pid, 'ch.takeover.begin');
    h.sched.advance(2 * TAKEOVER_MS - 1);
    expect(h.rt.isAlive(pid)).toBe(true);
    h.sched.advance(1);
    expect(h.downs.get(String(pid))).toEqual({
      reason: { shutdown: 'takeover_timeout' },
      at: 250 + 2 * TAKEOVER_MS,
    });
    expect(h.log()).toEqual(['markDisconnected:c1:takeover_timeout']);
  });

  it('ends an expiry-0 session on begin instead of handing it over, without replying', async () => {
    const h = harness();
    const { pid, session } = connected(h, 0);
    h.deliver(pid, msg(1));
    const err = await rejection(h.call(pid, 'ch.takeover.begin'));
    expect(CalleeExited.is(err)).toBe(true);
    expect((err as { reason: unknown }).reason).toEqual({ shutdown: 'session_ended' });
    expect(h.downs.get(String(pid))?.reason).toEqual({ shutdown: 'session_ended' });
    // The manager's DOWN cleanup reports session.terminated (it sees every death).
    expect(h.log()).toEqual(['markDisconnected:c1:takenover']);
    expect(session.queue).toEqual([]);
  });

  it('counts a socket close during the takeover, and still tells the host on end', async () => {
    const h = harness();
    const { pid } = connected(h);
    await h.call(pid, 'ch.takeover.begin');
    h.rt.send(pid, { type: 'ch.socket.closed', reason: 'peer_gone' });
    h.deliver(pid, msg(1));
    expect(await info(h, pid)).toMatchObject({ state: 'takingOver', pendings: 1 });
    expect(await h.call(pid, 'ch.takeover.end')).toEqual({ pendings: msgs(1) });
    expect(h.log()).toEqual([
      'markDisconnected:c1:peer_gone',
      'hook:session.takenover:c1',
      'markDisconnected:c1:takenover',
    ]);
  });

  it('can be kicked or discarded while taking over', async () => {
    const h = harness();
    const a = connected(h);
    const b = connected(h);
    await h.call(a.pid, 'ch.takeover.begin');
    await h.call(b.pid, 'ch.takeover.begin');
    expect(await h.call(a.pid, 'ch.kick')).toBe('ok');
    expect(await h.call(b.pid, 'ch.discard')).toBe('ok');
    h.settle();
    expect(h.downs.get(String(a.pid))?.reason).toEqual({ shutdown: 'kicked' });
    expect(h.downs.get(String(b.pid))?.reason).toEqual({ shutdown: 'discarded' });
    expect(h.calls.filter((c) => c.pid === String(a.pid)).map((c) => c.call)).toEqual([
      'markDisconnected:c1:kicked',
      'hook:session.kicked:c1',
    ]);
  });

  it('keeps de-duplicating late broker copies of the pendings it inherited', async () => {
    const h = harness();
    const { pid, sent } = h.spawn();
    h.opened(pid, h.session(), msgs(1, 2));
    await h.call(pid, 'ch.takeover.begin');
    h.deliver(pid, msg(2), msg(3));
    expect(await h.call(pid, 'ch.takeover.end')).toEqual({ pendings: msgs(3) });
    expect(sent).toEqual(msgs(1, 2));
  });

  it('ignores takeover end outside a takeover: the caller times out, the channel stays connected', async () => {
    const h = harness();
    const { pid } = connected(h);
    const end = rejection(h.rt.call(pid, { type: 'ch.takeover.end' }, { timeoutMs: 100 }));
    h.sched.advance(100);
    expect(CallTimeout.is(await end)).toBe(true);
    expect(await info(h, pid)).toMatchObject({ state: 'connected' });
  });
});

describe('inbound', () => {
  function withInbound(h: Harness, inbound: (data: unknown) => void) {
    const sent: ChannelMessage[] = [];
    const pid = h.rt.spawn(channelMachine, {
      input: { clientId: 'c1', host: h.host, outbound: (m: ChannelMessage) => void sent.push(m), inbound },
    });
    h.rt.monitor(h.watcher, pid);
    h.opened(pid, h.session());
    return pid;
  }

  it('hands client data to inbound in order while the socket is open, and ignores it after close', () => {
    const h = harness();
    const seen: unknown[] = [];
    const pid = withInbound(h, (data) => void seen.push(data));
    for (const data of [1, 'two', { three: 3 }]) h.rt.send(pid, { type: 'ch.inbound', data });
    h.settle();
    expect(seen).toEqual([1, 'two', { three: 3 }]);
    h.rt.send(pid, { type: 'ch.socket.closed' });
    h.rt.send(pid, { type: 'ch.inbound', data: 4 });
    h.settle();
    expect(seen).toEqual([1, 'two', { three: 3 }]);
  });

  it('a throwing inbound crashes only its own process, with the error as the exit reason', () => {
    const h = harness();
    const boom = new Error('handler failed');
    const pid = withInbound(h, () => {
      throw boom;
    });
    const bystander = connected(h);
    h.rt.send(pid, { type: 'ch.inbound', data: 'x' });
    h.settle();
    expect(h.downs.get(String(pid))?.reason).toEqual({ error: boom });
    expect(h.rt.isAlive(bystander.pid)).toBe(true);
  });
});
