/**
 * Properties of the kernel under the deterministic scheduler: whatever the interleaving (a seed
 * drives every choice) of spawns, kills, exits, crashes, monitors, demonitors, links, unlinks and
 * sends, each monitor yields exactly one DOWN, nothing leaks, per-sender FIFO holds, and a seed
 * or a recorded decision list reproduces the run exactly.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { setup } from 'xstate';
import {
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  exitSelf,
  reply,
  sendToPid,
} from '@switchboard/runtime';
import type {
  CallRequest,
  DeterministicScheduler,
  DeterministicSchedulerOptions,
  DownBatchMessage,
  DownMessage,
  DownReason,
  ExitReason,
  ExitSignal,
  Pid,
  Ref,
  Runtime,
} from '@switchboard/runtime';
import { recorder } from './support/world.js';
import type { Received } from './support/world.js';

// --- The workload: a list of operations on a small population of worker processes.

const REASONS: readonly ExitReason[] = ['normal', 'shutdown', { shutdown: 'bye' }, { error: 'bad' }];

type Op =
  | { readonly kind: 'spawn'; readonly link: number | null; readonly trap: boolean }
  | { readonly kind: 'kill'; readonly i: number }
  | { readonly kind: 'exit'; readonly i: number; readonly reason: number }
  | { readonly kind: 'crash'; readonly i: number }
  | { readonly kind: 'quit'; readonly i: number; readonly reason: number }
  | { readonly kind: 'monitor'; readonly w: number; readonly i: number; readonly batch: boolean }
  | { readonly kind: 'demonitor'; readonly k: number; readonly flush: boolean }
  | { readonly kind: 'killTarget'; readonly k: number }
  | { readonly kind: 'link'; readonly i: number; readonly j: number }
  | { readonly kind: 'unlink'; readonly i: number; readonly j: number }
  | { readonly kind: 'send'; readonly i: number; readonly j: number }
  | { readonly kind: 'call'; readonly i: number; readonly answered: boolean; readonly timeoutMs: number }
  | { readonly kind: 'noise'; readonly w: number }
  | { readonly kind: 'step'; readonly n: number };

const ix = fc.nat({ max: 20 });
const reasonIx = fc.nat({ max: REASONS.length - 1 });
// Weighted towards what makes DOWN races: deaths, monitors made and removed around them, and
// short bursts of steps between API calls.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('spawn' as const),
      link: fc.option(ix, { nil: null }),
      trap: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('kill' as const), i: ix }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('exit' as const), i: ix, reason: reasonIx }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('crash' as const), i: ix }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('quit' as const), i: ix, reason: reasonIx }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('monitor' as const),
      w: fc.nat({ max: 1 }),
      i: ix,
      batch: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('demonitor' as const),
      k: fc.nat({ max: 3 }),
      flush: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('killTarget' as const), k: fc.nat({ max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('link' as const), i: ix, j: ix }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('unlink' as const), i: ix, j: ix }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('send' as const), i: ix, j: ix }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('call' as const),
      i: ix,
      answered: fc.boolean(),
      timeoutMs: fc.integer({ min: 0, max: 100 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('noise' as const), w: fc.nat({ max: 1 }) }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('step' as const), n: fc.integer({ min: 1, max: 4 }) }),
    weight: 4,
  },
);
const opsArb = fc.array(opArb, { maxLength: 30 });

/**
 * A worker: crashes, quits with a reason, forwards pings, answers `get` calls; ignores everything
 * else (`ignore` calls and rt.exit too).
 */
const worker = setup({
  types: {
    events: {} as
      | { type: 'crash' }
      | { type: 'quit'; reason: ExitReason }
      | { type: 'forward'; to: Pid }
      | { type: 'ping' }
      | { type: 'rt.exit' }
      | CallRequest<{ type: 'get' }>
      | CallRequest<{ type: 'ignore' }>,
  },
}).createMachine({
  on: {
    get: { actions: reply('pong') },
    crash: {
      actions: () => {
        throw new Error('crash');
      },
    },
    quit: { actions: exitSelf(({ event }) => event.reason) },
    forward: { actions: sendToPid(({ event }) => event.to, { type: 'ping' }) },
  },
});

interface MonitorRecord {
  readonly ref: Ref;
  readonly watcher: number;
  readonly target: Pid;
  /** The target had terminated when the monitor was made: the DOWN says 'noproc'. */
  readonly deadAtMonitor: boolean;
  demonitored?: { readonly terminated: boolean; readonly flush: boolean; readonly receivedBefore: boolean };
}

interface CallRecord {
  readonly target: Pid;
  readonly answered: boolean;
  /** The target had terminated when the call was made. */
  readonly deadAtCall: boolean;
  outcome:
    | { readonly state: 'pending' }
    | { readonly state: 'resolved'; readonly value: unknown }
    | { readonly state: 'rejected'; readonly code: string };
}

interface Run {
  readonly sched: DeterministicScheduler;
  readonly rt: Runtime;
  readonly watchers: readonly { readonly pid: Pid; readonly log: Received[]; readonly batchSize: number }[];
  readonly workers: Pid[];
  readonly killed: Pid[];
  readonly monitors: MonitorRecord[];
  /** Exit reason of every process that terminated, from the inspection stream, by pid id. */
  readonly exits: Map<number, ExitReason[]>;
  readonly linkErrors: string[];
  readonly calls: CallRecord[];
}

/** Number of DOWNs (single or batched) carrying `ref` that a watcher received. */
function downsFor(log: readonly Received[], ref: Ref): { count: number; reasons: DownReason[] } {
  const reasons: DownReason[] = [];
  for (const m of log) {
    if (m.type === 'rt.down' && (m as unknown as DownMessage).ref === ref)
      reasons.push((m as unknown as DownMessage).reason);
    if (m.type === 'rt.down.batch') {
      for (const d of (m as unknown as DownBatchMessage).downs) if (d.ref === ref) reasons.push(d.reason);
    }
  }
  return { count: reasons.length, reasons };
}

/** Applies `ops` to a fresh deterministic world, then runs it until idle. */
function run(ops: readonly Op[], options: DeterministicSchedulerOptions): Run {
  const sched = createDeterministicScheduler({ auto: false, ...options });
  const rt = createRuntime({
    dispatcher: sched,
    clock: sched,
    entropy: createSeededEntropy(options.seed ?? 0),
  });
  const exits = new Map<number, ExitReason[]>();
  rt.inspect((e) => {
    if (e.type === 'rt.exit') exits.set(e.pid.id, [...(exits.get(e.pid.id) ?? []), e.reason]);
  });
  // Two watchers: one plain; one with small batches and a one-slot drop-oldest mailbox, which
  // user messages (noise) overflow all the time but which must never lose a DOWN.
  const watchers = [
    { batchSize: 1000, mailbox: {} },
    { batchSize: 2, mailbox: { capacity: 1, overflow: 'drop-oldest' as const } },
  ].map(({ batchSize, mailbox }) => {
    const log: Received[] = [];
    return { pid: rt.spawn(recorder(log), { batchSize, mailbox }), log, batchSize };
  });
  const workers = [rt.spawn(worker), rt.spawn(worker), rt.spawn(worker)];
  const killed: Pid[] = [];
  const monitors: MonitorRecord[] = [];
  const linkErrors: string[] = [];
  const calls: CallRecord[] = [];
  const at = (i: number): Pid => workers[i % workers.length] as Pid;
  const terminated = (pid: Pid): boolean => rt.processInfo(pid) === undefined;

  for (const op of ops) {
    switch (op.kind) {
      case 'spawn': {
        const link = op.link === null ? undefined : at(op.link);
        if (link !== undefined && !rt.isAlive(link)) {
          expect(() => rt.spawn(worker, { link })).toThrowError(
            expect.objectContaining({ code: 'RT_ERR_NOPROC' }),
          );
          break;
        }
        workers.push(rt.spawn(worker, { trapExit: op.trap, ...(link ? { link } : {}) }));
        break;
      }
      case 'kill':
        rt.exit(at(op.i), 'kill');
        killed.push(at(op.i));
        break;
      case 'exit':
        rt.exit(at(op.i), REASONS[op.reason] as ExitSignal);
        break;
      case 'crash':
        rt.send(at(op.i), { type: 'crash' });
        break;
      case 'quit':
        rt.send(at(op.i), { type: 'quit', reason: REASONS[op.reason] });
        break;
      case 'monitor': {
        const target = at(op.i);
        const deadAtMonitor = terminated(target);
        const ref = rt.monitor((watchers[op.w] as Run['watchers'][number]).pid, target, { batch: op.batch });
        monitors.push({ ref, watcher: op.w, target, deadAtMonitor });
        break;
      }
      case 'demonitor': {
        const m = monitors[monitors.length - 1 - (op.k % Math.max(1, monitors.length))];
        if (!m || m.demonitored) break;
        const log = (watchers[m.watcher] as Run['watchers'][number]).log;
        m.demonitored = {
          terminated: terminated(m.target),
          flush: op.flush,
          receivedBefore: downsFor(log, m.ref).count > 0,
        };
        rt.demonitor(m.ref, { flush: op.flush });
        break;
      }
      case 'killTarget': {
        // Kills the target of a recent monitor: the race the DOWN guarantees are about.
        const m = monitors[monitors.length - 1 - (op.k % Math.max(1, monitors.length))];
        if (!m) break;
        rt.exit(m.target, 'kill');
        killed.push(m.target);
        break;
      }
      case 'link': {
        const [a, b] = [at(op.i), at(op.j)];
        const shouldThrow = !rt.isAlive(a) || !rt.isAlive(b);
        try {
          rt.link(a, b);
          if (shouldThrow) linkErrors.push(`link(${String(a)}, ${String(b)}) did not throw`);
        } catch (err) {
          if (!shouldThrow || (err as { code?: string }).code !== 'RT_ERR_NOPROC') {
            linkErrors.push(`link(${String(a)}, ${String(b)}) threw ${String(err)}`);
          }
        }
        break;
      }
      case 'unlink':
        rt.unlink(at(op.i), at(op.j));
        break;
      case 'send':
        rt.send(at(op.i), { type: 'forward', to: at(op.j) });
        break;
      case 'call': {
        const record: CallRecord = {
          target: at(op.i),
          answered: op.answered,
          deadAtCall: terminated(at(op.i)),
          outcome: { state: 'pending' },
        };
        calls.push(record);
        rt.call(record.target, { type: op.answered ? 'get' : 'ignore' }, { timeoutMs: op.timeoutMs }).then(
          (value) => (record.outcome = { state: 'resolved', value }),
          (err: unknown) => (record.outcome = { state: 'rejected', code: (err as { code: string }).code }),
        );
        break;
      }
      case 'noise':
        rt.send((watchers[op.w] as Run['watchers'][number]).pid, { type: 'noise' });
        break;
      case 'step':
        for (let s = 0; s < op.n; s++) sched.step();
        break;
    }
  }
  sched.runUntilIdle();
  return { sched, rt, watchers, workers, killed, monitors, exits, linkErrors, calls };
}

const byId = (a: Pid, b: Pid): number => a.id - b.id;

describe('kernel properties', () => {
  test.prop([fc.integer(), opsArb], { numRuns: 200 })(
    'delivers exactly one DOWN per monitor, settles every call and leaks no process under any interleaving',
    async (seed, ops) => {
      const r = run(ops, { seed });
      for (let i = 0; i < 5; i++) await Promise.resolve(); // let the calls' outcomes reach their handlers
      const { rt } = r;
      expect(r.linkErrors).toEqual([]);

      // Every process exits at most once.
      for (const reasons of r.exits.values()) expect(reasons).toHaveLength(1);
      const dead = (pid: Pid): boolean => r.exits.has(pid.id);

      // Each monitor: exactly one DOWN when its target died (none while it lives), with the right reason.
      for (const m of r.monitors) {
        const log = (r.watchers[m.watcher] as Run['watchers'][number]).log;
        const { count, reasons } = downsFor(log, m.ref);
        const expectedReason = m.deadAtMonitor ? 'noproc' : r.exits.get(m.target.id)?.[0];
        let expected: number;
        if (!m.demonitored) expected = dead(m.target) ? 1 : 0;
        else if (!m.demonitored.terminated) expected = 0;
        else if (m.demonitored.flush) expected = m.demonitored.receivedBefore ? 1 : 0;
        else expected = 1;
        expect({ ref: String(m.ref), count }).toEqual({ ref: String(m.ref), count: expected });
        if (count === 1) expect(reasons[0]).toEqual(expectedReason);
      }

      // No batch is larger than its watcher's batchSize.
      for (const w of r.watchers) {
        for (const m of w.log) {
          if (m.type === 'rt.down.batch') {
            expect((m as unknown as DownBatchMessage).downs.length).toBeLessThanOrEqual(w.batchSize);
            expect((m as unknown as DownBatchMessage).downs.length).toBeGreaterThan(0);
          }
        }
      }

      // No leak: exactly the processes that never exited remain, all running, none half-dead.
      const all = [...r.watchers.map((w) => w.pid), ...r.workers];
      const alive = all.filter((p) => !dead(p)).sort(byId);
      expect(rt.processes().sort(byId)).toEqual(alive);
      for (const w of r.watchers) expect(dead(w.pid)).toBe(false);
      for (const pid of r.killed) expect(r.exits.get(pid.id)).toBeDefined();
      for (const pid of all.filter(dead)) {
        expect(rt.processInfo(pid)).toBeUndefined();
        expect(rt.isAlive(pid)).toBe(false);
        expect(rt.send(pid, { type: 'ping' })).toBe(false);
      }

      // Survivors' tables: links symmetric and only between live processes; monitors exactly the active ones.
      const active = r.monitors.filter((m) => !m.demonitored && !m.deadAtMonitor && !dead(m.target));
      for (const pid of alive) {
        const info = rt.processInfo(pid);
        expect(info?.status).toBe('running');
        expect(info?.mailboxLength).toBe(0);
        for (const other of info?.links ?? []) {
          expect(dead(other)).toBe(false);
          expect(rt.processInfo(other)?.links).toContainEqual(pid);
        }
        const watcherIndex = r.watchers.findIndex((w) => w.pid === pid);
        const held = active
          .filter((m) => watcherIndex >= 0 && m.watcher === watcherIndex)
          .map((m) => m.target);
        expect([...(info?.monitors ?? [])].sort(byId)).toEqual(held.sort(byId));
        const on = active
          .filter((m) => m.target === pid)
          .map((m) => (r.watchers[m.watcher] as Run['watchers'][number]).pid);
        expect([...(info?.monitoredBy ?? [])].sort(byId)).toEqual(on.sort(byId));
      }
      expect(r.sched.isIdle()).toBe(true);
      expect(r.sched.pendingTimers).toBe(0);

      // Every call settled, and how agrees with what happened to its callee.
      for (const c of r.calls) {
        const outcome = c.outcome;
        expect(outcome.state).not.toBe('pending');
        if (c.deadAtCall) expect(outcome).toEqual({ state: 'rejected', code: 'RT_ERR_NOPROC' });
        else if (outcome.state === 'resolved') expect(c.answered && outcome.value === 'pong').toBe(true);
        else if (outcome.state === 'rejected' && outcome.code === 'RT_ERR_CALLEE_EXITED')
          expect(dead(c.target)).toBe(true);
        else if (outcome.state === 'rejected' && outcome.code !== 'RT_ERR_NOPROC')
          expect(outcome.code).toBe('RT_ERR_CALL_TIMEOUT');
        if (!c.answered && !dead(c.target))
          expect(outcome).toEqual({ state: 'rejected', code: 'RT_ERR_CALL_TIMEOUT' });
      }
    },
  );

  test.prop(
    [fc.integer(), fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 5 }), fc.nat({ max: 6 })],
    {
      numRuns: 100,
    },
  )(
    'keeps each sender’s messages in order, and its DOWN after them, under every schedule',
    (seed, counts, external) => {
      const sched = createDeterministicScheduler({ seed, auto: false });
      const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed) });
      const log: Received[] = [];
      const receiver = rt.spawn(recorder(log));
      const next: number[] = counts.map(() => 0);
      const senders = counts.map((n, index) =>
        rt.spawn(
          setup({}).createMachine({
            on: {
              go: {
                actions: () => {
                  for (let k = 0; k < n; k++)
                    rt.send(receiver, {
                      type: 'msg',
                      from: index,
                      seq: (next[index] = (next[index] ?? 0) + 1) - 1,
                    });
                },
              },
              done: { actions: exitSelf('normal') },
            },
          }),
        ),
      );
      const refs = senders.map((pid) => rt.monitor(receiver, pid));
      // Two rounds per sender, then the sender quits; the outside world sends too.
      for (const pid of senders) rt.send(pid, { type: 'go' });
      for (let k = 0; k < external; k++) rt.send(receiver, { type: 'msg', from: 'ext', seq: k });
      for (const pid of senders) {
        rt.send(pid, { type: 'go' });
        rt.send(pid, { type: 'done' });
      }
      sched.runUntilIdle();

      const seqOf = (from: number | string): number[] =>
        log.filter((m) => m.type === 'msg' && m['from'] === from).map((m) => m['seq'] as number);
      expect(seqOf('ext')).toEqual([...Array(external).keys()]);
      counts.forEach((n, index) => {
        expect(seqOf(index)).toEqual([...Array(2 * n).keys()]);
        const downAt = log.findIndex((m) => m.type === 'rt.down' && m['ref'] === refs[index]);
        const lastMsgAt = log.map((m) => m.type === 'msg' && m['from'] === index).lastIndexOf(true);
        expect(downAt).toBeGreaterThan(lastMsgAt);
      });
      expect(log.filter((m) => m.type === 'rt.down')).toHaveLength(senders.length);
    },
  );

  test.prop([fc.integer(), opsArb], { numRuns: 60 })(
    'gives the same trace for the same seed, and replays a decision list into an identical trace',
    (seed, ops) => {
      const first = run(ops, { seed });
      const second = run(ops, { seed });
      expect(second.sched.decisions).toEqual(first.sched.decisions);
      expect(second.sched.traceHash()).toBe(first.sched.traceHash());

      const replayed = run(ops, { seed: seed ^ 0x5bd1e995, replay: [...first.sched.decisions] });
      expect(replayed.sched.decisions).toEqual(first.sched.decisions);
      expect(replayed.sched.trace).toEqual(first.sched.trace);
      expect(replayed.sched.traceHash()).toBe(first.sched.traceHash());
    },
  );
});
