/**
 * The channel manager (`@switchboard/channels`) on the live runtime, side by side in one run:
 * - register + unregister: `cm.registerChannel` then `cm.unregisterChannel` over N client ids
 *   (pre-spawned processes), vs a bare `Map<clientId, Set<pid>>` guarded by a per-key promise
 *   lock, alternated A/B;
 * - `openSession` per second: clean start, and resume with takeover of a connected old channel,
 *   each sequential and with 100 opens in flight;
 * - a DOWN storm: 100k registered channels killed at once, the time until the tables, the counts
 *   and the registry are exact, and the longest event-loop stall meanwhile.
 *
 *   node --conditions=source --expose-gc --import tsx bench/channels.ts
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { channelMachine, createChannelManager } from '@switchboard/channels';
import type { ChannelManager } from '@switchboard/channels';
import { createRuntime } from '@switchboard/runtime';
import type { Pid, Runtime } from '@switchboard/runtime';
import { createMachine } from 'xstate';
import { arg, int, isMain, median, num, printResult, ratio, settleHeap, tick } from './lib.js';
import type { BenchResult, Goal, Table } from './lib.js';

const REPS = 5;
const REG_IDS = 10_000;
const REG_ROUNDS = 5; // register + unregister pairs per sample: REG_IDS × REG_ROUNDS
const OPEN_N = 10_000;
const TAKEOVER_N = 5_000;
const CONCURRENCY = 100;
const STORM_N = 100_000;
const STORM_REPS = 3;

const CONN_INFO = { transport: 'bench' } as const;
const idOf = (i: number): string => `client-${i}`;
const noop = (): void => undefined;
/** A process that does nothing: the register benchmark only needs live pids. */
const idleMachine = createMachine({});

// ------------------------------------------------------------------ helpers

function manager(): { rt: Runtime; cm: ChannelManager } {
  const rt = createRuntime();
  return { rt, cm: createChannelManager(rt) };
}

async function teardown(rt: Runtime, cm: ChannelManager): Promise<void> {
  await cm.close();
  await rt.shutdown();
}

/** Runs `fn(0..n-1)` with at most `concurrency` calls in flight (1: strictly one after the other). */
async function inFlight(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

function spawnChannels(rt: Runtime, cm: ChannelManager, n: number): Pid[] {
  const pids = new Array<Pid>(n);
  for (let i = 0; i < n; i++) {
    pids[i] = rt.spawn(channelMachine, { input: { clientId: idOf(i), host: cm.host, outbound: noop } });
  }
  return pids;
}

/** Opens a session for `pid` and tells the channel, as a connection process does. */
async function open(rt: Runtime, cm: ChannelManager, i: number, pid: Pid, cleanStart: boolean) {
  const result = await cm.openSession({
    cleanStart,
    clientInfo: { clientId: idOf(i) },
    connInfo: CONN_INFO,
    pid,
  });
  rt.send(pid, { type: 'ch.opened', ...result });
  return result;
}

/** Waits until the dispatcher is idle and the manager has handled everything, until `exact()` holds. */
async function settle(rt: Runtime, cm: ChannelManager, exact: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await rt.idle();
    await cm.sync();
    if (exact()) return;
  }
  throw new Error(`${what}: tables not exact: ${JSON.stringify(cm.stats())}, registry ${cm.registry.size()}`);
}

/** Tables, counts and registry hold exactly `n` channels. */
const holds = (cm: ChannelManager, n: number) => (): boolean => {
  const s = cm.stats();
  return (
    s.channels.count === n &&
    s.connections.count === n &&
    s.live_connections.count === n &&
    cm.registry.size() === n
  );
};

// ------------------------------------------------------------------ 1. register + unregister

/** The baseline: a bare Map of client id → set of pids, each insert and delete inside a per-key promise lock. */
class BareRegistry {
  readonly #bag = new Map<string, Set<Pid>>();
  /** The tail of each key's lock chain; deleted when the last holder releases. */
  readonly #tails = new Map<string, Promise<void>>();

  async #locked(key: string, fn: () => void): Promise<void> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#tails.set(key, mine);
    if (previous !== undefined) await previous;
    try {
      fn();
    } finally {
      if (this.#tails.get(key) === mine) this.#tails.delete(key);
      release();
    }
  }

  register(clientId: string, pid: Pid): Promise<void> {
    return this.#locked(clientId, () => {
      let pids = this.#bag.get(clientId);
      if (pids === undefined) this.#bag.set(clientId, (pids = new Set()));
      pids.add(pid);
    });
  }

  unregister(clientId: string, pid: Pid): Promise<void> {
    return this.#locked(clientId, () => {
      const pids = this.#bag.get(clientId);
      if (pids?.delete(pid) === true && pids.size === 0) this.#bag.delete(clientId);
    });
  }

  get size(): number {
    return this.#bag.size;
  }
}

/**
 * Register + unregister pairs per second through the channel manager: `total` until the manager
 * process has handled the monitor request each registration sends (`cm.sync()`), `caller` the
 * awaits alone.
 */
async function registerManager(cm: ChannelManager, pids: readonly Pid[], ids: readonly string[]) {
  const t0 = performance.now();
  for (let r = 0; r < REG_ROUNDS; r++) {
    for (let i = 0; i < pids.length; i++) {
      const id = ids[i] as string;
      const pid = pids[i] as Pid;
      await cm.registerChannel(id, pid, CONN_INFO);
      await cm.unregisterChannel(id, pid);
    }
  }
  const t1 = performance.now();
  await cm.sync();
  const t2 = performance.now();
  if (cm.stats().channels.count !== 0 || cm.registry.size() !== 0) throw new Error('register: rows left');
  const pairs = REG_ROUNDS * pids.length;
  return { total: pairs / ((t2 - t0) / 1000), caller: pairs / ((t1 - t0) / 1000) };
}

async function registerBare(bare: BareRegistry, pids: readonly Pid[], ids: readonly string[]) {
  const t0 = performance.now();
  for (let r = 0; r < REG_ROUNDS; r++) {
    for (let i = 0; i < pids.length; i++) {
      const id = ids[i] as string;
      const pid = pids[i] as Pid;
      await bare.register(id, pid);
      await bare.unregister(id, pid);
    }
  }
  const perSecond = (REG_ROUNDS * pids.length) / ((performance.now() - t0) / 1000);
  if (bare.size !== 0) throw new Error('bare: rows left');
  return perSecond;
}

// ------------------------------------------------------------------ 2. openSession, clean start

/** Clean-start opens per second: `n` fresh channel processes (spawned before the clock starts), until every one is registered and opened. */
async function openClean(n: number, concurrency: number): Promise<number> {
  const { rt, cm } = manager();
  const pids = spawnChannels(rt, cm, n);
  await rt.idle();
  settleHeap();
  const t0 = performance.now();
  await inFlight(n, concurrency, async (i) => {
    await open(rt, cm, i, pids[i] as Pid, true);
  });
  await settle(rt, cm, holds(cm, n), 'clean start');
  const perSecond = n / ((performance.now() - t0) / 1000);
  await teardown(rt, cm);
  return perSecond;
}

// ------------------------------------------------------------------ 3. openSession, resume with takeover

/** Takeovers per second: each of `n` connected channels is taken over by a new one (cleanStart false), until the old ones are cleaned up. */
async function openTakeover(n: number, concurrency: number): Promise<number> {
  const { rt, cm } = manager();
  const olds = spawnChannels(rt, cm, n);
  for (let i = 0; i < n; i++) await open(rt, cm, i, olds[i] as Pid, false);
  const news = spawnChannels(rt, cm, n);
  await settle(rt, cm, holds(cm, n), 'takeover setup');
  settleHeap();
  let present = 0;
  const t0 = performance.now();
  await inFlight(n, concurrency, async (i) => {
    if ((await open(rt, cm, i, news[i] as Pid, false)).present) present++;
  });
  await settle(rt, cm, holds(cm, n), 'takeover');
  const perSecond = n / ((performance.now() - t0) / 1000);
  if (present !== n) throw new Error(`takeover: ${n - present} opens found nothing to take over`);
  if (olds.some((pid) => rt.isAlive(pid))) throw new Error('takeover: an old channel is alive');
  await teardown(rt, cm);
  return perSecond;
}

// ------------------------------------------------------------------ 4. DOWN storm

interface Storm {
  readonly setupMs: number;
  readonly killLoopMs: number;
  /** Kill loop end → the first `cm.sync()` after which tables, counts and registry are exact. */
  readonly exactMs: number;
  readonly syncs: number;
  readonly maxDelayMs: number;
  readonly p99DelayMs: number;
  /** Only when `inspect`: the manager's `rt.down.batch` events and the largest. */
  readonly batches: number | undefined;
  readonly largestBatch: number | undefined;
}

async function storm(inspect: boolean): Promise<Storm> {
  const { rt, cm } = manager();
  const t0 = performance.now();
  const pids = spawnChannels(rt, cm, STORM_N);
  await inFlight(STORM_N, CONCURRENCY, async (i) => {
    await open(rt, cm, i, pids[i] as Pid, true);
  });
  await settle(rt, cm, holds(cm, STORM_N), 'storm setup');
  const setupMs = performance.now() - t0;
  settleHeap();
  await tick();

  const exact = holds(cm, 0);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const kill0 = performance.now();
  for (const pid of pids) rt.exit(pid, 'kill');
  const kill1 = performance.now();
  let batches = 0;
  let largest = 0;
  const subscription = inspect
    ? rt.inspect((e) => {
        if (e.type === 'rt.down.batch' && e.watcher === cm.pid) {
          batches++;
          largest = Math.max(largest, e.size);
        }
      })
    : undefined;
  delay.enable();
  let syncs = 0;
  do {
    await cm.sync();
    syncs++;
  } while (!exact());
  const doneAt = performance.now();
  delay.disable();
  subscription?.unsubscribe();

  await rt.idle();
  const pmon = await rt.call<number>(cm.pid, { type: 'ch.pmon.size' });
  if (pmon !== 0) throw new Error(`storm: the manager still monitors ${pmon} pids`);
  if (rt.processes().length !== 4) throw new Error(`storm: ${rt.processes().length} processes left`);
  await teardown(rt, cm);
  return {
    setupMs,
    killLoopMs: kill1 - kill0,
    exactMs: doneAt - kill1,
    syncs,
    maxDelayMs: delay.max / 1e6,
    p99DelayMs: delay.percentile(99) / 1e6,
    batches: inspect ? batches : undefined,
    largestBatch: inspect ? largest : undefined,
  };
}

const stormLine = (label: string, s: Storm): string =>
  `  ${label}: setup ${int(s.setupMs)} ms, kill loop ${num(s.killLoopMs, 1)} ms, exact after ${num(s.exactMs, 1)} ms ` +
  `(${s.syncs} syncs), max loop delay ${num(s.maxDelayMs, 1)} ms` +
  (s.batches === undefined ? '' : `, ${s.batches} DOWN batches (largest ${s.largestBatch})`);

// ------------------------------------------------------------------ run

const rate = (perSecond: number): string => `${int(perSecond)}/s (${num(1e6 / perSecond)} µs)`;

export async function run(): Promise<BenchResult> {
  // 1. register + unregister, A/B alternated on the same pre-spawned pids.
  const reg = manager();
  const regPids = Array.from({ length: REG_IDS }, () => reg.rt.spawn(idleMachine));
  const regIds = Array.from({ length: REG_IDS }, (_, i) => idOf(i));
  const bare = new BareRegistry();
  await registerManager(reg.cm, regPids, regIds);
  await registerBare(bare, regPids, regIds);
  const regA: number[] = [];
  const regCaller: number[] = [];
  const regB: number[] = [];
  for (let i = 0; i < REPS; i++) {
    settleHeap();
    const ours = await registerManager(reg.cm, regPids, regIds);
    regA.push(ours.total);
    regCaller.push(ours.caller);
    settleHeap();
    regB.push(await registerBare(bare, regPids, regIds));
  }
  await teardown(reg.rt, reg.cm);
  const regOurs = median(regA);
  const regOursCaller = median(regCaller);
  const regBare = median(regB);
  const regRatio = regOurs / regBare;
  console.log(
    `  register+unregister: manager ${int(regOurs)}/s (caller side ${int(regOursCaller)}/s), bare Map + lock ${int(regBare)}/s`,
  );

  // 2 and 3. openSession, sequential and CONCURRENCY in flight alternated; one warm-up each.
  await openClean(OPEN_N, 1);
  await openTakeover(TAKEOVER_N, 1);
  const clean = { seq: [] as number[], conc: [] as number[] };
  const take = { seq: [] as number[], conc: [] as number[] };
  for (let i = 0; i < REPS; i++) {
    clean.seq.push(await openClean(OPEN_N, 1));
    clean.conc.push(await openClean(OPEN_N, CONCURRENCY));
    take.seq.push(await openTakeover(TAKEOVER_N, 1));
    take.conc.push(await openTakeover(TAKEOVER_N, CONCURRENCY));
  }
  const cleanSeq = median(clean.seq);
  const cleanConc = median(clean.conc);
  const takeSeq = median(take.seq);
  const takeConc = median(take.conc);
  console.log(
    `  openSession clean start: ${int(cleanSeq)}/s sequential, ${int(cleanConc)}/s ${CONCURRENCY} in flight`,
  );
  console.log(
    `  openSession takeover: ${int(takeSeq)}/s sequential, ${int(takeConc)}/s ${CONCURRENCY} in flight`,
  );

  // 4. DOWN storm: timed runs without an inspector, then one run that counts the batches.
  const storms: Storm[] = [];
  for (let i = 0; i < STORM_REPS; i++) {
    storms.push(await storm(false));
    console.log(stormLine(`storm ${i + 1}`, storms[i] as Storm));
  }
  const counted = await storm(true);
  console.log(stormLine('storm (inspected)', counted));

  const med = (pick: (s: Storm) => number): number => median(storms.map(pick));
  const worstDelay = Math.max(...storms.map((s) => s.maxDelayMs));

  const throughput: Table = {
    title: `Registration and openSession (medians of ${REPS} repetitions, alternated)`,
    columns: ['measurement', 'channel manager', 'bare `Map` + per-key promise lock', 'manager / bare'],
    rows: [
      [
        `\`registerChannel\` + \`unregisterChannel\`, ${int(REG_IDS)} client ids, sequential awaits`,
        rate(regOurs),
        rate(regBare),
        ratio(regRatio),
      ],
      [
        '… the same, caller side only (the manager process has not yet handled the monitor requests)',
        rate(regOursCaller),
        rate(regBare),
        ratio(regOursCaller / regBare),
      ],
      [`\`openSession\`, clean start, sequential (${int(OPEN_N)} per sample)`, rate(cleanSeq), '—', '—'],
      [`\`openSession\`, clean start, ${CONCURRENCY} in flight`, rate(cleanConc), '—', '—'],
      [
        `\`openSession\`, resume with takeover, sequential (${int(TAKEOVER_N)} per sample)`,
        rate(takeSeq),
        '—',
        '—',
      ],
      [`\`openSession\`, resume with takeover, ${CONCURRENCY} in flight`, rate(takeConc), '—', '—'],
    ],
  };
  const stormTable: Table = {
    title: `DOWN storm: ${int(STORM_N)} registered channels killed at once (medians of ${STORM_REPS} runs; max = worst run)`,
    columns: ['measurement', 'value'],
    rows: [
      [
        `setup: spawn ${int(STORM_N)} channels + clean-start \`openSession\` each, ${CONCURRENCY} in flight (not part of the storm)`,
        `${int(med((s) => s.setupMs))} ms`,
      ],
      [
        'kill loop (`rt.exit(pid, "kill")` ×100k, synchronous)',
        `${num(
          med((s) => s.killLoopMs),
          1,
        )} ms`,
      ],
      [
        'kill loop end → tables, counts and registry exact (`await cm.sync()` until so)',
        `${int(med((s) => s.exactMs))} ms`,
      ],
      [
        'deaths cleaned per second (kill loop start → exact)',
        int(STORM_N / (med((s) => s.killLoopMs + s.exactMs) / 1000)),
      ],
      ['`rt.down.batch` events at the manager (inspected run)', int(counted.batches ?? 0)],
      ['largest DOWN batch (inspected run; `batchSize` 1000)', int(counted.largestBatch ?? 0)],
      [
        'event-loop delay while cleaning: p99 (median run)',
        `${num(
          med((s) => s.p99DelayMs),
          1,
        )} ms`,
      ],
      ['event-loop delay while cleaning: max (worst run)', `${num(worstDelay, 1)} ms`],
      [
        'inspected run: kill loop end → exact / max delay',
        `${int(counted.exactMs)} ms / ${num(counted.maxDelayMs, 1)} ms`,
      ],
    ],
  };
  const goals: Goal[] = [
    {
      name: 'register + unregister vs bare `Map` with a per-key promise lock',
      goal: '≥ 0.25×',
      measured: ratio(regRatio),
      pass: regRatio >= 0.25,
    },
    {
      name: 'max event-loop delay during the DOWN storm',
      goal: '< 20 ms',
      measured: `${num(worstDelay, 1)} ms (worst of ${STORM_REPS})`,
      pass: worstDelay < 20,
    },
  ];
  return {
    name: 'channels',
    tables: [throughput, stormTable],
    goals,
    notes: [
      'Live runtime (`createRuntime()` with its default ports), default manager options (in-memory registry, locker and session store; batchSize 1000, pool of 2). Channel processes run `channelMachine` with a no-op `outbound` (connected).',
      "Register + unregister: the same 10k idle processes every sample; the manager's half includes handling the monitor requests the registrations send (`await cm.sync()` before the clock stops; after the first sample each pid is already monitored). The baseline chains a promise per key around each insert and delete (`Map<clientId, Set<pid>>`), with no monitoring, live table or registry.",
      'openSession: each sample is a fresh runtime and manager; channels are spawned before the clock starts; the clock stops once tables, counts and registry are exact (`rt.idle()` + `cm.sync()`), so it includes the channels handling `ch.opened` and, for takeovers, the old channels exiting and their DOWN cleanup. A takeover is begin → register → end over two `rt.call`s to the connected old channel; every one found a session (`present`).',
      'DOWN storm: the kill loop only marks the processes exiting; the event-loop delay (`monitorEventLoopDelay`, 1 ms resolution) is measured from its end until `cm.sync()` first finds every count, table and the registry at 0 (checked afterwards: the manager monitors nothing, only its 4 processes are left). Batches are counted through `rt.inspect` in a separate run, subscribed only for that run, since an inspector makes every death emit events.',
      "Where the time went, and what changed (CPU profiles, 2026-11-21). Registration was 0.15–0.18× while every registration sent its own monitor request: ≈ 3 µs of XState macrostep per request in the manager, plus ≈ 1 µs keying the pmon by a fresh `String(pid)`. Monitor requests now queue and one `ch.registered` wakes the manager for a whole burst (EMQX's `collect_msgs`), and the pmon is keyed by the cached `pidKey`: 0.45–0.55×.",
      "DOWN storm: the stalls of 150–450 ms were the live dispatcher's: a visit ran up to 64 messages (`reductions`) with no clock check, so the manager's ≈ 100 queued batches of ≈ 4 ms each ran in one or two long turns. The dispatcher now ends a visit, and the turn, as soon as the 4 ms deadline has passed. What is left of the worst delay: one 1000-death message at the manager (≈ 3–4 ms; a message cannot be split), a pool worker's cleanup of one batch (≈ 5 µs per death), and scavenges of 2–10 ms on the ≈ 320 MB heap — hence 10–20 ms, closest to the goal when the inspection stream is attached. `hooks.emit` now returns at once for hooks nobody handles (it used to read the clock and update a map twice per death).",
      "Pids as table keys: `String(pid)` builds a new string per call, which every `Map` operation must flatten and hash. The channel tables, the in-memory registry, the locker and the manager's pmon key pids by a per-pid cached string (`pidKey`), which cut a register + unregister on the tables from ≈ 2.2 µs to ≈ 0.65 µs and on the registry from ≈ 1.0 µs to ≈ 0.36 µs.",
    ],
  };
}

/** `--only=storm` (or `register`, `open`) runs one part and prints its lines only: for profiling. */
async function only(part: string): Promise<void> {
  if (part === 'storm') {
    for (let i = 0; i < STORM_REPS; i++) console.log(stormLine(`storm ${i + 1}`, await storm(false)));
  } else if (part === 'register') {
    const reg = manager();
    const pids = Array.from({ length: REG_IDS }, () => reg.rt.spawn(idleMachine));
    const ids = Array.from({ length: REG_IDS }, (_, i) => idOf(i));
    for (let i = 0; i < REPS; i++) {
      const r = await registerManager(reg.cm, pids, ids);
      console.log(`  register: ${int(r.total)}/s (caller side ${int(r.caller)}/s)`);
    }
    await teardown(reg.rt, reg.cm);
  } else if (part === 'open') {
    for (let i = 0; i < REPS; i++) {
      console.log(
        `  clean ${int(await openClean(OPEN_N, CONCURRENCY))}/s, takeover ${int(await openTakeover(TAKEOVER_N, CONCURRENCY))}/s`,
      );
    }
  } else {
    throw new Error(`unknown part ${part}`);
  }
}

if (isMain(import.meta.url) && arg('only') !== undefined) {
  await only(arg('only') as string);
} else if (isMain(import.meta.url)) {
  const result = await run();
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(result));
  else printResult(result);
}
