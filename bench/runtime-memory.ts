/**
 * Heap bytes per idle process: the connection machine as a runtime process (`rt.spawn`), as a raw
 * XState actor (`createActor(machine).start()`) and as a bare class actor; plus 1,000,000 idle
 * runtime processes in one Node process. Every measurement runs in a fresh child process:
 * `global.gc()` until the heap settles, `heapUsed` before and after creating N of them.
 *
 * Two idle states are measured: `fresh` (just spawned, in `connecting`, so one pending `after`
 * timer each) and `connected` (after one `conn.open`: no timer, and every mailbox has been used).
 *
 *   node --conditions=source --expose-gc --import tsx bench/runtime-memory.ts
 */
import { writeFileSync } from 'node:fs';
import { createRuntime } from '@switchboard/runtime';
import type { Pid } from '@switchboard/runtime';
import { createActor } from 'xstate';
import { BareActor, BareSystem } from './bare-actor.js';
import { arg, int, isMain, mib, num, printResult, ratio, runChild, settleHeap } from './lib.js';
import type { BenchResult } from './lib.js';
import { connectionMachine, connectionMachineFromInput } from './machines.js';

type Variant = 'runtime' | 'runtime-input' | 'xstate' | 'bare';
const VARIANTS: readonly Variant[] = ['runtime', 'runtime-input', 'xstate', 'bare'];
type Phase = 'fresh' | 'connected';

/** What one child measurement reports. */
interface Sample {
  readonly variant: Variant;
  readonly phase: Phase;
  readonly n: number;
  readonly bytes: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly createMs: number;
}

const N = 100_000;
const MILLION = 1_000_000;
const WARMUP = 2_000;

/** A population of N idle instances of one variant, kept reachable by `handles`. */
interface Population {
  create(i: number): unknown;
  connect(handle: unknown, i: number): void;
  settle(): Promise<void>;
  dispose(handles: readonly unknown[]): Promise<void>;
}

const open = (i: number) => ({ type: 'conn.open', clientId: `c${i}`, peer: `p${i}`, at: i }) as const;

function population(variant: Variant): Population {
  switch (variant) {
    case 'runtime':
    case 'runtime-input': {
      const rt = createRuntime();
      const create =
        variant === 'runtime'
          ? () => rt.spawn(connectionMachine)
          : (i: number) => rt.spawn(connectionMachineFromInput, { input: { clientId: `c${i}` } });
      return {
        create,
        connect: (pid, i) => void rt.send(pid as Pid, open(i)),
        settle: () => rt.idle(),
        dispose: async (pids) => {
          for (const pid of pids) rt.exit(pid as Pid, 'kill');
          await rt.idle();
        },
      };
    }
    case 'xstate':
      return {
        create: () => createActor(connectionMachine).start(),
        connect: (actor, i) =>
          (actor as ReturnType<typeof createActor<typeof connectionMachine>>).send(open(i)),
        settle: () => Promise.resolve(),
        dispose: (actors) => {
          for (const actor of actors) (actor as { stop(): void }).stop();
          return Promise.resolve();
        },
      };
    case 'bare': {
      const system = new BareSystem();
      return {
        create: () => new BareActor(system),
        connect: (actor, i) => (actor as BareActor).send(open(i)),
        settle: () => system.idle(),
        dispose: () => Promise.resolve(),
      };
    }
  }
}

/** Child side: measures one (variant, phase, n). */
async function measure(variant: Variant, phase: Phase, n: number): Promise<Sample> {
  const pop = population(variant);
  // Warm up: compile the paths and allocate whatever is created once per runtime/machine.
  const warm = Array.from({ length: WARMUP }, (_, i) => pop.create(i));
  warm.forEach((h, i) => pop.connect(h, i));
  await pop.settle();
  await pop.dispose(warm);
  warm.length = 0;

  const handles = new Array<unknown>(n).fill(null); // allocated before the baseline: not counted
  const heapBefore = settleHeap();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) handles[i] = pop.create(i);
  const createMs = performance.now() - t0;
  if (phase === 'connected') {
    for (let i = 0; i < n; i++) pop.connect(handles[i], i);
    await pop.settle();
  }
  const heapAfter = settleHeap();
  const sample: Sample = {
    variant,
    phase,
    n,
    bytes: heapAfter - heapBefore,
    heapBefore,
    heapAfter,
    createMs,
  };
  if (handles.length !== n) throw new Error('unreachable'); // keeps `handles` alive up to here
  return sample;
}

function child(
  script: string,
  variant: Variant,
  phase: Phase,
  n: number,
  flags: string[] = [],
): Promise<Sample> {
  return runChild<Sample>(script, [`--child=${variant}`, `--phase=${phase}`, `--n=${n}`], flags);
}

/** Parent side: one child per measurement, then the tables. */
export async function run(): Promise<BenchResult> {
  const script = 'bench/runtime-memory.ts';
  const per = (s: Sample): number => s.bytes / s.n;
  const results = {} as Record<Phase, Record<Variant, Sample>>;
  for (const phase of ['fresh', 'connected'] as const) {
    results[phase] = {} as Record<Variant, Sample>;
    for (const variant of VARIANTS) {
      const sample = await child(script, variant, phase, N);
      console.log(`  memory ${variant}/${phase}: ${int(per(sample))} B/process`);
      results[phase][variant] = sample;
    }
  }
  const million = await child(script, 'runtime', 'fresh', MILLION, ['--max-old-space-size=8192']);
  console.log(`  memory 1M runtime processes: ${mib(million.bytes)} in ${num(million.createMs / 1000, 1)} s`);
  const millionInput = await child(script, 'runtime-input', 'fresh', MILLION, ['--max-old-space-size=8192']);
  console.log(
    `  memory 1M runtime processes (context from input): ${mib(millionInput.bytes)} in ${num(millionInput.createMs / 1000, 1)} s`,
  );

  const labels: Record<Variant, string> = {
    runtime: 'runtime `rt.spawn(connectionMachine)`',
    'runtime-input': 'runtime `rt.spawn(connectionMachineFromInput, { input })`',
    xstate: 'raw XState `createActor(connectionMachine).start()`',
    bare: 'bare class actor (ring-buffer mailbox, no timer)',
  };
  const rows = VARIANTS.map((v) => [
    labels[v],
    int(per(results.fresh[v])),
    int(per(results.connected[v])),
    ratio(per(results.fresh[v]) / per(results.fresh.xstate)),
    ratio(per(results.connected[v]) / per(results.connected.xstate)),
  ]);
  const ours = [
    results.fresh.runtime,
    results.connected.runtime,
    results.fresh['runtime-input'],
    results.connected['runtime-input'],
  ];
  const worst = Math.max(...ours.map(per));
  const worstRatio = Math.max(
    ...(['fresh', 'connected'] as const).flatMap((phase) =>
      (['runtime', 'runtime-input'] as const).map((v) => per(results[phase][v]) / per(results[phase].xstate)),
    ),
  );
  const millionRow = (label: string, s: Sample): string[] => [
    label,
    int(s.n),
    mib(s.bytes),
    `${int(per(s))} B`,
    `${num(s.createMs / 1000, 2)} s`,
    int(s.n / (s.createMs / 1000)),
  ];
  const slowest = Math.max(million.createMs, millionInput.createMs);
  return {
    name: 'runtime-memory',
    tables: [
      {
        title: `Heap per idle process (B), N = ${int(N)} per measurement, each in a fresh Node process`,
        columns: [
          'process',
          'fresh (`connecting`, 1 pending `after` timer)',
          'after 1 event (`connected`, no timer)',
          '/ XState, fresh',
          '/ XState, after 1 event',
        ],
        rows,
      },
      {
        title: '1,000,000 idle runtime processes in one Node process (`--max-old-space-size=8192`), fresh',
        columns: ['machine', 'processes', 'heap', 'per process', 'spawn time', 'spawns/s'],
        rows: [
          millionRow('`connectionMachine`', million),
          millionRow('`connectionMachineFromInput`', millionInput),
        ],
      },
    ],
    goals: [
      {
        name: 'heap per idle process',
        goal: '≤ 1,500 B',
        measured: `${int(worst)} B (worst machine and state)`,
        pass: worst <= 1500,
      },
      {
        name: 'heap vs raw XState actor',
        goal: '≤ 0.40×',
        measured: `${ratio(worstRatio)} (worst machine and state)`,
        pass: worstRatio <= 0.4,
      },
      {
        name: '1M idle processes fit and spawn in seconds',
        goal: 'fits in 8 GiB, < 60 s',
        measured: `${mib(Math.max(million.bytes, millionInput.bytes))}, ${num(slowest / 1000, 1)} s (worst)`,
        pass: slowest < 60_000,
      },
    ],
    notes: [
      'Handles (pids, actors) are kept in an array allocated before the baseline, so the array is not counted; the runtime also keeps each process in its process table, which is counted.',
      'The bare class actor has no timer in either state: it is the floor (state + 7-field context + lazy ring mailbox).',
      "Where a runtime process's bytes go (heap-snapshot diff, 20k processes, 2026-11-21): the shell ≈ 290 B (`Process` 184 B with 20 fields, `Pid` 48, `spawnedAt` heap number 16, process-table `Map` entry ≈ 40); the XState snapshot ≈ 570 B (snapshot object 144, `tags` Set with its hash table 152, context 96, `_nodes` 64, `children` {} 56, `historyValue` {} 56), shared by all fresh processes of `connectionMachine`; a pending `after` timer ≈ 450 B (Node `Timeout` 120 + its heap numbers, callback closure + context 128, the per-process timer `Map` ≈ 150, key string); a mailbox once used, kept after it drains, 144 B (`Mailbox` 64 + 8-slot array 80). Since then an idle process keeps no mailbox, its spawn time is a small integer (no heap number), and its empty tags, children and history and its `_nodes` are shared.",
      'Hibernation (2026-11-21, night): a process whose mailbox has drained keeps, of its XState snapshot, only its context and its (shared) active nodes — 40 B instead of the 144 B snapshot object — and reads the rest through; the next message wakes it. Measured back to back, the "after 1 event" column went from 641 to 537 B for both machines; the runtime-throughput ratios stayed within the noise of two alternated pairs (round-robin 1.11×/1.14× before, 1.13×/1.10× after; `rt.call` 42.1k/57.8k before, 42.6k/58.6k per second after).',
      'Late night of 2026-11-21: the fields most processes never set (a watcher\'s monitors and DOWN batch, a registered name, the exit state, suspension, inspector watches, its own batch size or mailbox bounds) live in one object made on first write; status, queued and trap-exit share one small integer; a hibernated process keeps its context and active nodes in two fields of its own, with no snapshot object. Delayed-event timers stay a field of the process: a machine with `after` would otherwise pay for the whole rare object (measured: 814 B at spawn for `connectionMachine` with timers among the rare fields, 718 B without). The "after 1 event" column went from 537 to 433 B, spawn from 781 to 718 B; the runtime-throughput ratios stayed within their usual range (messages 1.06–1.07× `actor.send`).',
    ],
  };
}

async function main(): Promise<void> {
  const variant = arg('child') as Variant | undefined;
  if (variant) {
    const sample = await measure(variant, (arg('phase') ?? 'fresh') as Phase, Number(arg('n') ?? N));
    const out = arg('out');
    if (out) writeFileSync(out, JSON.stringify(sample));
    else console.log(sample);
    process.exit(0); // pending `after` timers would keep the child alive for a minute
  }
  const result = await run();
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(result));
  else printResult(result);
}

if (isMain(import.meta.url)) await main();
