/**
 * The server side of the transport benchmark: one server (`--kind=switchboard|ws|socketio`) in
 * its own Node process, driven by the parent over IPC. It measures itself — heap and RSS after
 * full collections, CPU time with `process.cpuUsage()` — so the clients' work (in other
 * processes) never counts.
 *
 *   spawned by bench/transport.ts through spawnRpc
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { arg, settleHeap } from '../lib.js';
import { startBenchServer } from './bench-servers.js';
import type { Reached, ServerKind } from './bench-servers.js';
import { epochNow } from './epoch-now.js';
import { serveRpc } from './rpc.js';

/** What `memory` reports. */
export interface MemorySample {
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
}

/** What `established` and `settled` report: server CPU and wall time since `arm`. */
export interface ConnectSample {
  readonly cpuUs: number;
  /** The part of `cpuUs` spent in the kernel (system time): sockets, the loopback's network stack. */
  readonly systemUs: number;
  /** Garbage collection's part of it (the pauses V8 reports as `gc` performance entries). */
  readonly gcUs: number;
  /** The part spent off the main thread (V8's background GC and compiler threads, libuv's pool). */
  readonly othersUs: number;
  readonly ms: number;
}

/** What `broadcast` reports. */
export interface BroadcastSample {
  /** Epoch ms (sub-ms precision) just before the first broadcast. */
  readonly startedAt: number;
  /** Time the server spent issuing the broadcasts (they are spread over `count` turns). */
  readonly loopMs: number;
  /** Messages the server says it sent (−1 per broadcast when the server does not count them). */
  readonly sentTo: number;
}

const cpuSince = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage = process.cpuUsage()): number =>
  to.user - from.user + (to.system - from.system);

const kind = arg('kind') as ServerKind;
const server = await startBenchServer(kind);

/**
 * CPU µs of the process's other threads so far (V8's concurrent marking and compilers, libuv's
 * pool), from /proc: 0 where there is none. Clock ticks of 10 ms, fine over a step of seconds.
 */
function otherThreadsUs(): number {
  try {
    let ticks = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid === String(process.pid)) continue;
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * 10_000;
  } catch {
    return 0;
  }
}
let armedOthersUs = 0;

/** Milliseconds of GC pauses so far: V8 reports each collection as a `gc` entry. */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
let armedGcMs = 0;

let armedCpu = process.cpuUsage();
let armedAt = performance.now();
let reached: Promise<Reached> | undefined;
let broadcastCpu = process.cpuUsage();

const profiler = new Session();
const post = (method: string): Promise<unknown> =>
  new Promise((resolve, reject) =>
    profiler.post(method, (err, result) => (err ? reject(err) : resolve(result))),
  );

serveRpc({
  address: () => ({ url: server.url, wireBytes: server.wireBytes }),
  memory: async (): Promise<MemorySample> => {
    await server.settle();
    const heapUsed = settleHeap();
    const { rss, external } = process.memoryUsage();
    return { heapUsed, rss, external };
  },
  /** Starts a connect measurement, until `n` connections in all: the clients connect after this returns. */
  arm: ({ n }: { n: number }) => {
    armedCpu = process.cpuUsage();
    armedGcMs = gcMs;
    armedOthersUs = otherThreadsUs();
    armedAt = performance.now();
    reached = server.whenEstablished(n);
    return null;
  },
  established: async (): Promise<ConnectSample> => {
    if (reached === undefined) throw new Error('established before arm');
    const r = await reached;
    return {
      cpuUs: cpuSince(armedCpu, r.cpu),
      systemUs: r.cpu.system - armedCpu.system,
      gcUs: (gcMs - armedGcMs) * 1000,
      othersUs: otherThreadsUs() - armedOthersUs,
      ms: r.at - armedAt,
    };
  },
  /** Since `arm`, until the deferred work of the connects is done too (Switchboard: `ch.opened`). */
  settled: async (): Promise<ConnectSample> => {
    await server.settle();
    const now = process.cpuUsage();
    return {
      cpuUs: cpuSince(armedCpu, now),
      systemUs: now.system - armedCpu.system,
      gcUs: (gcMs - armedGcMs) * 1000,
      othersUs: otherThreadsUs() - armedOthersUs,
      ms: performance.now() - armedAt,
    };
  },
  /** `count` broadcasts, one per event-loop turn, to everyone or to `room`. */
  broadcast: async ({ count, room }: { count: number; room?: string }): Promise<BroadcastSample> => {
    broadcastCpu = process.cpuUsage();
    const startedAt = epochNow();
    const t0 = performance.now();
    let sentTo = 0;
    for (let i = 0; i < count; i++) {
      sentTo += room === undefined ? server.broadcastAll() : server.broadcastRoom(room);
      await new Promise((r) => setImmediate(r));
    }
    return { startedAt, loopMs: performance.now() - t0, sentTo };
  },
  /** Server CPU since the last `broadcast` started (called once the clients have everything). */
  broadcastCpu: (): number => cpuSince(broadcastCpu),
  joinAll: ({ room }: { room: string }) => {
    server.joinAllServerSide(room);
    return null;
  },
  roomSize: ({ room }: { room: string }) => server.roomSize(room),
  /** Writes a heap snapshot (after the same settling as `memory`) and returns its path: for bench/transport-census.ts. */
  snapshot: async ({ label }: { label: string }): Promise<string> => {
    await server.settle();
    settleHeap();
    return writeHeapSnapshot(join(tmpdir(), `switchboard-${kind}-${label}-${process.pid}.heapsnapshot`));
  },
  /** Starts the V8 CPU profiler: for bench/transport-profile.ts. */
  profileStart: async () => {
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    return null;
  },
  /** Stops it and writes the profile (`.cpuprofile` JSON); returns its path. */
  profileStop: async (): Promise<string> => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    profiler.disconnect();
    const path = join(tmpdir(), `switchboard-${kind}-${process.pid}.cpuprofile`);
    writeFileSync(path, JSON.stringify(profile));
    return path;
  },
});
