/**
 * Connect CPU of a warm server, side by side: for each trial a fresh server process of each kind
 * (alternated), `--warm` clients connected first, then `--n` more measured, with the server's CPU
 * split into its main thread and its other threads (V8's background compilers and GC, libuv's
 * pool), its GC pauses and its system time. Medians of the trials; ratios against the first kind.
 * A profiling aid for the connect goal, not part of `npm run bench`.
 *
 *   node --conditions=source --import tsx bench/connect-ab.ts [--kinds=ws,switchboard]
 *     [--warm=2000] [--n=3000] [--trials=5] [--flags="--no-concurrent-recompilation"]
 *
 * `--flags`: extra Node/V8 flags for the Switchboard server only (an experiment's knob).
 */
import { arg, isMain, median, num } from './lib.js';
import type { ServerKind } from './support/bench-servers.js';
import { compileScript } from './support/compile.js';
import { spawnRpc } from './support/rpc.js';
import type { ConnectSample } from './support/server-process.js';

/** One trial's figures, per measured connection. */
interface Trial {
  readonly cpuUs: number;
  readonly othersUs: number;
  readonly gcUs: number;
  readonly systemUs: number;
}

async function trial(kind: ServerKind, warm: number, n: number, flags: readonly string[]): Promise<Trial> {
  const server = await spawnRpc(
    await compileScript('bench/support/server-process.ts'),
    [`--kind=${kind}`],
    flags,
  );
  try {
    const { url } = await server.call<{ url: string }>('address');
    const client = await spawnRpc(await compileScript('bench/support/client-process.ts'), [
      `--kind=${kind}`,
      `--url=${url}`,
      `--n=${warm + n}`,
      '--local-address=127.0.0.2',
    ]);
    try {
      await server.call('arm', { n: warm });
      await client.call('connect', { count: warm, concurrency: 50 });
      await server.call('established');
      await server.call('settled');
      await server.call('arm', { n: warm + n });
      await client.call('connect', { count: n, concurrency: 50 });
      const s = await server.call<ConnectSample>('established');
      return { cpuUs: s.cpuUs / n, othersUs: s.othersUs / n, gcUs: s.gcUs / n, systemUs: s.systemUs / n };
    } finally {
      await client.kill();
    }
  } finally {
    await server.kill();
  }
}

async function main(): Promise<void> {
  const kinds = (arg('kinds') ?? 'ws,switchboard').split(',') as ServerKind[];
  const warm = Number(arg('warm') ?? 2000);
  const n = Number(arg('n') ?? 3000);
  const trials = Number(arg('trials') ?? 5);
  const flags = (arg('flags') ?? '').split(' ').filter(Boolean);
  const results = new Map<ServerKind, Trial[]>(kinds.map((k) => [k, []]));
  for (let t = 0; t < trials; t++) {
    for (const kind of kinds)
      results.get(kind)?.push(await trial(kind, warm, n, kind === 'switchboard' ? flags : []));
  }
  const of = (kind: ServerKind, pick: (t: Trial) => number): number =>
    median((results.get(kind) ?? []).map(pick));
  const base = of(kinds[0] as ServerKind, (t) => t.cpuUs);
  console.log(
    `server CPU µs per connect after ${warm} warm connects, ${n} measured, median of ${trials} trials`,
  );
  for (const kind of kinds) {
    const cpu = of(kind, (t) => t.cpuUs);
    console.log(
      `  ${kind.padEnd(12)} ${num(cpu, 0)} (${num(cpu / base, 2)}×): main thread ${num(
        of(kind, (t) => t.cpuUs - t.othersUs),
        0,
      )}, ` +
        `other threads ${num(
          of(kind, (t) => t.othersUs),
          0,
        )}, GC pauses ${num(
          of(kind, (t) => t.gcUs),
          0,
        )}, ` +
        `system ${num(
          of(kind, (t) => t.systemUs),
          0,
        )}  [${(results.get(kind) ?? []).map((t) => num(t.cpuUs, 0)).join(' ')}]`,
    );
  }
}

if (isMain(import.meta.url)) await main();
