/**
 * The transport (`@switchboard/transport`'s `createServer`, WebSocket only) against a raw `ws`
 * server and Socket.IO 4.8, side by side in one run, each server in its own Node process and
 * its clients in 4 more (at most 20,000 open files per process here), every client process on
 * its own loopback source address (127.0.0.2–127.0.0.5) so no address runs out of ports:
 * - memory: server heap and RSS per idle connection, after full collections;
 * - connect: server CPU time per connection set up (CONNACK sent; `'connection'` for the others);
 * - broadcast: a 64-byte message to every client, 100 times, delivered messages per second
 *   counted by the clients; and to one room holding every client (Switchboard vs Socket.IO).
 *
 *   node --conditions=source --expose-gc --import tsx bench/transport.ts [--connections=19900] [--rounds=2]
 *   (or `npm run bench -- transport --connections=5000`: the harness passes flags on)
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { arg, int, isMain, median, mib, num, printResult, ratio } from './lib.js';
import type { BenchResult, Goal, Table } from './lib.js';
import type { ServerKind } from './support/bench-servers.js';
import type { Arrival } from './support/client-process.js';
import { compileScript } from './support/compile.js';
import { spawnRpc } from './support/rpc.js';
import type { RpcChild } from './support/rpc.js';
import type { BroadcastSample, ConnectSample, MemorySample } from './support/server-process.js';

const DEFAULT_CONNECTIONS = 19_900;
/** One client process per source address. */
const SOURCE_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'] as const;
/** Connects in flight per client process. */
const CONNECT_CONCURRENCY = 50;
const JOIN_CONCURRENCY = 500;
const BROADCASTS = 100;
/** Rounds of `BROADCASTS` broadcasts per server (`--rounds`); the median round is reported. */
const DEFAULT_ROUNDS = 2;
/** The connects are made in steps, alternating between the servers. */
const CONNECT_STEPS = 5;
const ROOM = 'room';
/** No step of the benchmark may take longer than this (a Socket.IO round took 185 s at load 13). */
const STEP_TIMEOUT_MS = 600_000;
/** The order in which the servers take each step. */
const ORDER: readonly ServerKind[] = ['ws', 'switchboard', 'socketio'];

const SERVER_SCRIPT = 'bench/support/server-process.ts';
const CLIENT_SCRIPT = 'bench/support/client-process.ts';

/** The compiled server and client scripts (bench/support/compile.ts says why compiled). */
interface Scripts {
  readonly server: string;
  readonly client: string;
}

/** One round of broadcasts, as the clients saw it. */
interface Round {
  /** First broadcast issued → the last client process has every message. */
  readonly ms: number;
  readonly msgsPerSec: number;
  /** Time the server spent issuing the broadcasts (one per event-loop turn). */
  readonly loopMs: number;
  /** Server CPU from the first broadcast until every client had everything. */
  readonly serverCpuUs: number;
}

/** One server process and its client processes. */
interface Fleet {
  readonly kind: ServerKind;
  readonly server: RpcChild;
  readonly clients: readonly RpcChild[];
  /** Clients per client process. */
  readonly per: readonly number[];
  readonly wireBytes: number;
  /** Messages each client process must have received so far. */
  readonly expected: number[];
}

/** Everything measured for one server. */
interface Measured {
  readonly kind: ServerKind;
  readonly n: number;
  readonly wireBytes: number;
  readonly before: MemorySample;
  readonly idle: MemorySample;
  /** Summed over the connect steps. */
  readonly connectCpuUs: number;
  readonly settledCpuUs: number;
  /** Wall time the clients took to connect, summed over the steps (slowest process of each). */
  readonly clientsMs: number;
  readonly all: readonly Round[];
  readonly joinMs: number | undefined;
  readonly joined: MemorySample | undefined;
  readonly room: readonly Round[] | undefined;
}

/** `n` split into `parts` as evenly as possible. */
function split(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

const progress = (kind: ServerKind, what: string): void => console.log(`  ${kind}: ${what}`);

function callAll<T>(fleet: Fleet, cmd: string, argOf: (i: number) => unknown): Promise<T[]> {
  return Promise.all(fleet.clients.map((c, i) => c.call<T>(cmd, argOf(i), STEP_TIMEOUT_MS)));
}

async function startFleet(kind: ServerKind, n: number, scripts: Scripts): Promise<Fleet> {
  const server = await spawnRpc(scripts.server, [`--kind=${kind}`]);
  const clients: RpcChild[] = [];
  const fleet: Fleet = {
    kind,
    server,
    clients,
    per: split(n, SOURCE_ADDRESSES.length),
    wireBytes: 0,
    expected: [],
  };
  try {
    const { url, wireBytes } = await server.call<{ url: string; wireBytes: number }>('address');
    for (const [i, count] of fleet.per.entries()) {
      clients.push(
        await spawnRpc(scripts.client, [
          `--kind=${kind}`,
          `--url=${url}`,
          `--n=${count}`,
          `--local-address=${SOURCE_ADDRESSES[i] as string}`,
          `--index=${i}`,
        ]),
      );
    }
    return { ...fleet, wireBytes, expected: fleet.per.map(() => 0) };
  } catch (err) {
    await stopFleet(fleet);
    throw err;
  }
}

async function stopFleet(fleet: Fleet): Promise<void> {
  // The server goes first: its side of each socket closes first and keeps the TIME_WAIT, so the
  // clients' source ports are free again at once.
  await fleet.server.kill();
  await Promise.all(fleet.clients.map((c) => c.kill()));
}

/** Connect step `step` of `CONNECT_STEPS`: the server's CPU from `arm` to its n-th set-up connection. */
async function connectStep(
  fleet: Fleet,
  step: number,
): Promise<{
  cpuUs: number;
  systemUs: number;
  gcUs: number;
  othersUs: number;
  settledCpuUs: number;
  ms: number;
}> {
  const counts = fleet.per.map((count) => split(count, CONNECT_STEPS)[step] as number);
  const target = fleet.per.reduce(
    (sum, count) =>
      sum +
      split(count, CONNECT_STEPS)
        .slice(0, step + 1)
        .reduce((a, b) => a + b, 0),
    0,
  );
  await fleet.server.call('arm', { n: target });
  const opened = await callAll<{ ms: number; open: number }>(fleet, 'connect', (i) => ({
    count: counts[i],
    concurrency: CONNECT_CONCURRENCY,
  }));
  const connect = await fleet.server.call<ConnectSample>('established', undefined, STEP_TIMEOUT_MS);
  const settled = await fleet.server.call<ConnectSample>('settled', undefined, STEP_TIMEOUT_MS);
  return {
    cpuUs: connect.cpuUs,
    systemUs: connect.systemUs,
    gcUs: connect.gcUs,
    othersUs: connect.othersUs,
    settledCpuUs: settled.cpuUs,
    ms: Math.max(...opened.map((o) => o.ms)),
  };
}

/** One round: `BROADCASTS` broadcasts, until every client process has all of them. */
async function round(fleet: Fleet, n: number, room: string | undefined): Promise<Round> {
  fleet.per.forEach((count, i) => (fleet.expected[i] = (fleet.expected[i] as number) + count * BROADCASTS));
  await callAll(fleet, 'expect', (i) => ({ total: fleet.expected[i] }));
  const arrivals = callAll<Arrival>(fleet, 'wait', () => undefined);
  const sent = await fleet.server.call<BroadcastSample>(
    'broadcast',
    { count: BROADCASTS, room },
    STEP_TIMEOUT_MS,
  );
  const done = await arrivals;
  const serverCpuUs = await fleet.server.call<number>('broadcastCpu');
  const ms = Math.max(...done.map((a) => a.at)) - sent.startedAt;
  const r = { ms, msgsPerSec: (n * BROADCASTS) / (ms / 1000), loopMs: sent.loopMs, serverCpuUs };
  progress(
    fleet.kind,
    `${room === undefined ? 'broadcast' : 'room broadcast'} ×${BROADCASTS}: ${int(r.msgsPerSec)} msgs/s (${int(ms)} ms)`,
  );
  return r;
}

/**
 * Every server with its clients at once, every step alternated between them (connects in
 * `CONNECT_STEPS` steps, broadcast rounds in turn), so that the load of a shared machine falls on
 * all of them alike.
 */
async function measureAll(n: number, rounds: number): Promise<Record<ServerKind, Measured>> {
  const scripts: Scripts = {
    server: await compileScript(SERVER_SCRIPT),
    client: await compileScript(CLIENT_SCRIPT),
  };
  const fleets: Fleet[] = [];
  try {
    for (const kind of ORDER) fleets.push(await startFleet(kind, n, scripts));
    const before = new Map<Fleet, MemorySample>();
    for (const f of fleets) before.set(f, await f.server.call<MemorySample>('memory'));

    const connect = new Map<Fleet, { cpuUs: number; settledCpuUs: number; ms: number }>();
    for (const f of fleets) connect.set(f, { cpuUs: 0, settledCpuUs: 0, ms: 0 });
    for (let step = 0; step < CONNECT_STEPS; step++) {
      for (const f of fleets) {
        const s = await connectStep(f, step);
        const stepCount = f.per.reduce(
          (sum, count) => sum + (split(count, CONNECT_STEPS)[step] as number),
          0,
        );
        // Per step, to tell a cold server's first connections (JIT, heap growth) from its later ones.
        progress(
          f.kind,
          `connect step ${step + 1}: ${num(s.cpuUs / stepCount, 1)} µs/connection (system ${num(s.systemUs / stepCount, 1)}, GC ${num(s.gcUs / stepCount, 1)}, other threads ${num(s.othersUs / stepCount, 1)})`,
        );
        const sum = connect.get(f) as { cpuUs: number; settledCpuUs: number; ms: number };
        sum.cpuUs += s.cpuUs;
        sum.settledCpuUs += s.settledCpuUs;
        sum.ms += s.ms;
      }
      console.log(`  connect step ${step + 1}/${CONNECT_STEPS} done`);
    }
    const idle = new Map<Fleet, MemorySample>();
    for (const f of fleets) {
      const c = connect.get(f) as { cpuUs: number; ms: number };
      const m = await f.server.call<MemorySample>('memory', undefined, STEP_TIMEOUT_MS);
      idle.set(f, m);
      const heap = (m.heapUsed - (before.get(f) as MemorySample).heapUsed) / n;
      progress(
        f.kind,
        `${int(n)} connected in ${num(c.ms / 1000, 1)} s, server CPU ${num(c.cpuUs / n, 1)} µs/connection, heap ${int(heap)} B/connection`,
      );
    }

    const all = new Map<Fleet, Round[]>(fleets.map((f) => [f, []]));
    for (let r = 0; r < rounds; r++) for (const f of fleets) all.get(f)?.push(await round(f, n, undefined));

    // A room holding every client: Switchboard's clients send JOIN; Socket.IO joins them server side.
    const withRooms = fleets.filter((f) => f.kind !== 'ws');
    const joinMs = new Map<Fleet, number>();
    const joined = new Map<Fleet, MemorySample>();
    for (const f of withRooms) {
      const t0 = performance.now();
      if (f.kind === 'switchboard')
        await callAll(f, 'join', () => ({ room: ROOM, concurrency: JOIN_CONCURRENCY }));
      else await f.server.call('joinAll', { room: ROOM });
      joinMs.set(f, performance.now() - t0);
      const size = await f.server.call<number>('roomSize', { room: ROOM });
      if (size !== n) throw new Error(`${f.kind}: the room holds ${size} of ${n}`);
      joined.set(f, await f.server.call<MemorySample>('memory', undefined, STEP_TIMEOUT_MS));
    }
    const room = new Map<Fleet, Round[]>(withRooms.map((f) => [f, []]));
    for (let r = 0; r < rounds; r++) for (const f of withRooms) room.get(f)?.push(await round(f, n, ROOM));

    // The clients' counts must come out exact: nothing lost, nothing twice.
    for (const f of fleets) {
      const counts = await callAll<{ received: number; lost: number; open: number }>(
        f,
        'counts',
        () => undefined,
      );
      counts.forEach((c, i) => {
        if (c.received !== f.expected[i] || c.lost !== 0 || c.open !== f.per[i])
          throw new Error(
            `${f.kind}: client process ${i}: ${JSON.stringify(c)}, expected ${f.expected[i]} messages`,
          );
      });
    }
    const out = {} as Record<ServerKind, Measured>;
    for (const f of fleets) {
      const c = connect.get(f) as { cpuUs: number; settledCpuUs: number; ms: number };
      out[f.kind] = {
        kind: f.kind,
        n,
        wireBytes: f.wireBytes,
        before: before.get(f) as MemorySample,
        idle: idle.get(f) as MemorySample,
        connectCpuUs: c.cpuUs,
        settledCpuUs: c.settledCpuUs,
        clientsMs: c.ms,
        all: all.get(f) as Round[],
        joinMs: joinMs.get(f),
        joined: joined.get(f),
        room: room.get(f),
      };
    }
    return out;
  } finally {
    for (const f of fleets) await stopFleet(f);
  }
}

// ------------------------------------------------------------------ report

const heapPer = (m: Measured): number => (m.idle.heapUsed - m.before.heapUsed) / m.n;
const rssPer = (m: Measured): number => (m.idle.rss - m.before.rss) / m.n;
const externalPer = (m: Measured): number => (m.idle.external - m.before.external) / m.n;
const cpuPer = (m: Measured): number => m.connectCpuUs / m.n;
const medianRate = (rounds: readonly Round[]): number => median(rounds.map((r) => r.msgsPerSec));
/** Each field's median over the rounds (with an even count, the mean of the middle two). */
const medianRound = (rounds: readonly Round[]): Round => ({
  ms: median(rounds.map((r) => r.ms)),
  msgsPerSec: medianRate(rounds),
  loopMs: median(rounds.map((r) => r.loopMs)),
  serverCpuUs: median(rounds.map((r) => r.serverCpuUs)),
});

const LABELS: Record<ServerKind, string> = {
  switchboard: 'Switchboard `createServer` (ws only)',
  ws: 'raw `ws` `WebSocketServer`',
  socketio: 'Socket.IO 4.8 (websocket transport)',
};

export async function run(): Promise<BenchResult> {
  const t0 = performance.now();
  const load = { start: loadavg(), end: [] as number[] };
  const n = Number(arg('connections') ?? DEFAULT_CONNECTIONS);
  if (!Number.isInteger(n) || n < SOURCE_ADDRESSES.length || n > 19_900)
    throw new RangeError(`--connections must be an integer in [4, 19900], got ${arg('connections')}`);
  const rounds = Number(arg('rounds') ?? DEFAULT_ROUNDS);
  const m = await measureAll(n, rounds);
  const elapsedMs = performance.now() - t0;
  load.end = loadavg();
  const sb = m.switchboard;
  const ws = m.ws;
  const io = m.socketio;

  const memory: Table = {
    title: `Server memory per idle connection, ${int(n)} WebSocket connections (after \`gc()\` until the heap settles)`,
    columns: [
      'server',
      'heap / conn',
      'RSS / conn',
      'external / conn',
      'heap, idle',
      'heap / raw ws',
      'heap / Socket.IO',
    ],
    rows: ORDER.map((k) => [
      LABELS[k],
      `${int(heapPer(m[k]))} B`,
      `${int(rssPer(m[k]))} B`,
      `${int(externalPer(m[k]))} B`,
      mib(m[k].idle.heapUsed),
      ratio(heapPer(m[k]) / heapPer(ws)),
      ratio(heapPer(m[k]) / heapPer(io)),
    ]),
  };
  const joinedPer = (k: ServerKind): string => {
    const j = m[k].joined;
    return j === undefined ? '—' : `${int((j.heapUsed - m[k].before.heapUsed) / n)} B`;
  };
  const connect: Table = {
    title: `Connect: server CPU (user + system) per connection, ${int(n)} clients connecting ${CONNECT_CONCURRENCY} at a time from each of ${SOURCE_ADDRESSES.length} processes`,
    columns: [
      'server',
      'CPU / conn, until set up',
      'CPU / conn, until settled',
      'wall time (clients)',
      '/ raw ws',
    ],
    rows: ORDER.map((k) => [
      LABELS[k],
      `${num(cpuPer(m[k]), 1)} µs`,
      `${num(m[k].settledCpuUs / n, 1)} µs`,
      `${num(m[k].clientsMs / 1000, 1)} s`,
      ratio(cpuPer(m[k]) / cpuPer(ws)),
    ]),
  };
  const roundRow = (label: string, k: ServerKind, rounds: readonly Round[], vs: number): string[] => {
    const r = medianRound(rounds);
    return [
      label,
      `${m[k].wireBytes} B`,
      `${int(medianRate(rounds))}/s`,
      `${int(r.ms)} ms`,
      `${int(r.loopMs)} ms`,
      `${num(r.serverCpuUs / (n * BROADCASTS), 2)} µs`,
      ratio(medianRate(rounds) / vs),
    ];
  };
  const wsRate = medianRate(ws.all);
  const ioRoomRate = medianRate(io.room ?? []);
  const broadcast: Table = {
    title: `Broadcast: a ${64}-byte message to all ${int(n)} clients, ${BROADCASTS} times (one per server event-loop turn); median of ${rounds} rounds`,
    columns: [
      'server, operation',
      'bytes / message on the wire',
      'delivered msgs/s',
      'first send → last client has all',
      'server send loop',
      'server CPU / delivered msg',
      'ratio',
    ],
    rows: [
      roundRow('raw `ws`: `for (const ws of clients) ws.send(buf)`', 'ws', ws.all, wsRate),
      roundRow('Switchboard `server.broadcastAll(payload)` (/ raw ws)', 'switchboard', sb.all, wsRate),
      roundRow('Socket.IO `io.emit("m", payload)` (/ raw ws)', 'socketio', io.all, wsRate),
      roundRow(
        'Switchboard `server.broadcast("room", payload)`, every client in the room (/ Socket.IO room)',
        'switchboard',
        sb.room ?? [],
        ioRoomRate,
      ),
      roundRow(
        'Socket.IO `io.to("room").emit("m", payload)`, every client in the room',
        'socketio',
        io.room ?? [],
        ioRoomRate,
      ),
    ],
  };

  const heapVsWs = heapPer(sb) / heapPer(ws);
  const heapVsIo = heapPer(sb) / heapPer(io);
  const cpuVsWs = cpuPer(sb) / cpuPer(ws);
  const bcastVsWs = medianRate(sb.all) / wsRate;
  const goals: Goal[] = [
    {
      name: 'heap per idle connection vs raw ws',
      goal: '≤ 1.5×',
      measured: `${ratio(heapVsWs)} (${int(heapPer(sb))} B vs ${int(heapPer(ws))} B)`,
      pass: heapVsWs <= 1.5,
    },
    {
      name: 'heap per idle connection vs Socket.IO',
      goal: '≤ 0.5×',
      measured: `${ratio(heapVsIo)} (${int(heapPer(sb))} B vs ${int(heapPer(io))} B)`,
      pass: heapVsIo <= 0.5,
    },
    {
      name: 'connect: server CPU per connection vs raw ws',
      goal: '≤ 1.5×',
      measured: `${ratio(cpuVsWs)} (${num(cpuPer(sb), 1)} µs vs ${num(cpuPer(ws), 1)} µs)`,
      pass: cpuVsWs <= 1.5,
    },
    {
      name: 'broadcast to all: delivered msgs/s vs raw ws',
      goal: '≥ 0.9×',
      measured: `${ratio(bcastVsWs)} (${int(medianRate(sb.all))}/s vs ${int(wsRate)}/s)`,
      pass: bcastVsWs >= 0.9,
    },
  ];
  return {
    name: 'transport',
    tables: [memory, connect, broadcast],
    goals,
    notes: [
      `${int(n)} connections${n === DEFAULT_CONNECTIONS ? '' : ` (\`--connections=${n}\`; the default is ${int(DEFAULT_CONNECTIONS)})`} per server, over loopback. Each server runs in its own Node process (\`--expose-gc\`) and its clients in ${SOURCE_ADDRESSES.length} more (${split(n, SOURCE_ADDRESSES.length).map(int).join(' + ')}), one per source address ${SOURCE_ADDRESSES[0]}–${SOURCE_ADDRESSES[SOURCE_ADDRESSES.length - 1]}. The three servers hold their clients at the same time; the connects are made in ${CONNECT_STEPS} steps and the broadcasts in rounds, each step and round taken by the servers in turn (${ORDER.join(', ')}), so the machine's load falls on all three alike. All ${3 * (SOURCE_ADDRESSES.length + 1)} processes share the machine's 2 cores: during a broadcast the clients' receiving and decoding competes with the server.`,
      `This run took ${num(elapsedMs / 60_000, 1)} min; load average ${load.start.map((l) => num(l, 1)).join(' / ')} at its start and ${load.end.map((l) => num(l, 1)).join(' / ')} at its end (other work shares the machine), so wall-clock rates are far below what 2 idle cores give: compare the ratios, and the server CPU figures, which the load inflates less.`,
      'The server and client scripts are compiled with esbuild (the workspace packages bundled from their TypeScript sources, no `keepNames`) rather than run through tsx: tsx wraps every named function in `__name()`, whose `defineProperty` gives each closure a dictionary property store of ≈ 256 B — under tsx Switchboard measured ≈ 2.1 KB more heap per connection (8.2 such closures per connection) than it does compiled.',
      `Memory: \`process.memoryUsage()\` in the server process after \`gc()\` until the heap stops shrinking, before any client and once all are connected and idle (Switchboard: after \`rt.idle()\` and \`cm.sync()\`). "external" is off-heap memory the heap's objects hold (Buffers). With every client also in one room: Switchboard ${joinedPer('switchboard')}, Socket.IO ${joinedPer('socketio')} of heap per connection.`,
      "Servers: Switchboard with default limits, outbound queues and keepalive (PING every 30 s; the clients answer PONG), its own HTTP server, no hooks; the raw `ws` server (`perMessageDeflate: false`, `clientTracking: false`) keeps its sockets in a `Set` and listens to `'error'` and `'close'` with shared functions, on the same `ws` as Switchboard (8.23; until the evening of 2026-11-21 the raw server ran the 8.21 that Socket.IO pulls in, whose sockets lack 8.23's automatic-pong closure, ≈ 100 B); Socket.IO with `transports: ['websocket']` and its defaults (ping every 25 s). Clients: a `ws` WebSocket speaking Switchboard's protocol (CONNECT with `cleanStart: true, sessionExpiryMs: 0`), a bare `ws` WebSocket, `socket.io-client` with `transports: ['websocket'], forceNew: true`. Once set up (connected, rooms joined), a Switchboard client counts each pushed WebSocket message without decoding it (it only compares it with the PING frame, to answer PONG), as the raw ws client counts its messages; until the afternoon of 2026-11-21 it decoded every frame with msgpack, client work the raw ws clients did not do on the cores the servers share. `socket.io-client` always parses its packets.",
      "Connect CPU: `process.cpuUsage()` (user + system) in the server from just before the clients start until the n-th connection is set up — Switchboard: CONNACK sent (read from `server.stats()` once the channel manager counts n live connections), the others: `'connection'` emitted. \"Until settled\" runs on until the deferred work is done too (Switchboard: every channel process has handled `ch.opened`). The benchmark prints each connect step's figure with its parts: system time, GC pauses (V8's `gc` performance entries) and the CPU of the server's other threads (from /proc: V8's background compilers and GC, libuv's pool).",
      `Broadcast: the payload is 64 bytes of application data (raw ws: a 64-byte Buffer sent as is; Switchboard: a 64-character string in a MESSAGE frame encoded once per broadcast; Socket.IO: the same string as an event, a text frame). The server issues one broadcast per event-loop turn; the clients count what they receive, and the time runs from the first broadcast to the moment the last client process has all of its ${int(BROADCASTS)} × clients messages (timestamps comparable across processes: \`performance.timeOrigin + performance.now()\`). The totals are checked exact at the end (no loss, no duplicate). Socket.IO rooms are joined server side (\`io.socketsJoin\`); Switchboard's clients each send a JOIN and wait for its ACK (${sb.joinMs === undefined ? '—' : `${num(sb.joinMs / 1000, 1)} s`} for all).`,
      "After the memory work of the afternoon of 2026-11-21 (docs/contributing/transport-performance.md: the connection as its wire's listener and its channel's port, shared `ws` listeners, temporary dynamic children kept as pids, shared empty XState and channel values, one-row table buckets without a `Map`, the monitor ref as the monitor record, one link without a `Set`, small monitor sets as arrays), the census at 2,000 connections reads 6,935 B per connection against 3,023 B for raw ws (9,462 B before): `net.Socket` 1,707 B (raw ws 1,433), `ws` WebSocket 1,438 B (raw ws 1,206), the process with its channel machine 1,346 B, the `Connection` 664 B, table rows ≈ 400 B.",
      "After the evening's memory work of 2026-11-21 (docs/contributing/transport-performance.md: the server's own `WebSocket` subclass hands events to the wire with no listeners and answers pings itself, the peer kept as one flat string without Node's cached `_peername`, the connection's decoder and outbound queue made only while needed and its counters as fields, an idle process without a mailbox, exact-size monitor arrays, one shared `_nodes` array per state, the channel's empty pendings and early buffer shared and its counters as fields, the admitted client's record a field of the connection instead of a `WeakMap` entry, a pid's text cached in the pid instead of a `WeakMap`), the census at 2,000 connections reads 5,690 B per connection against 3,151 B for raw ws on the same `ws` 8.23: `net.Socket` 1,562 B (raw ws 1,433: the difference is the WebSocket wire object, 96 B, and the peer string, 32 B, reached through it), the server's `WebSocket` 1,318 B (raw ws 1,327), the process with its channel machine 866 B, the `Connection` 424 B, table rows ≈ 420 B. A raw `ws` server that also does one request/reply per connect (as CONNECT → CONNACK does; `bench/connect-floor.ts`, 2,000 connections, median of 5) costs 1.22× the one that does none: the handshake alone takes a fifth of the connect goal's 1.5×.",
      "After the night's work of 2026-11-21 (docs/contributing/transport-performance.md: a supervisor's `reportDownsTo` as a field of the child instead of a monitor record on both sides, one monitor kept bare, connection and process times as small integers, an idle process hibernating to its context and shared active nodes, one-row table buckets holding the pid itself, one settings object per server and the admitted-client record as the connection's own fields), the census at 2,000 connections reads 5,205 B per connection against 3,151 B for raw ws: `net.Socket` 1,434 B (raw ws 1,433), the server's `WebSocket` with its wire 1,452 B, the process with its channel machine 610 B, the `Connection` 322 B, table rows ≈ 400 B. A broadcast is framed once as a whole WebSocket frame (`ws`'s own `Sender.frame`) and written as one buffer to every member's socket, where `ws.send` frames it again per member and writes header and payload as a corked two-buffer `writev`; the two full-size runs before that change read broadcast 0.89× and 0.88× (a quiet machine, where the server's send loop is the limit), the run after it 1.10×.",
      "After the late-night memory work of 2026-11-21 (docs/contributing/transport-performance.md: the server's `WebSocket` keeps no empty listener table — Node's `EventEmitter` makes one on the first `on` — and shares one frozen extensions object, ≈ 238 B; the socket is its own wire, with no wire object beside it; its receiver's emptied chunk list is let go after a message; a process's rarely set fields and a connection's in one object made on first write; a process's status and flags and a monitor ref's states as bits; a watcher's monitors as a `Set`; a hibernated process's context and active nodes in two fields of its own; an idle channel's counts shared and its expiry unset until it disconnects), the census at 2,000 connections reads ≈ 4,650 B per connection against 3,151 B for raw ws (5,217 B before): `net.Socket` 1,434 B (raw ws 1,433), the server's `WebSocket`, now also its wire, 1,095 B (raw ws 1,327), the process with its channel machine 450 B, the `Connection` 298 B, table rows ≈ 400 B (at 19,900 connections a `Map` entry costs ≈ 46 B, its hash table being sized to the next power of two).",
      "Before the wire changes of 2026-11-21 (wires as classes, no write callback or options object per send, one `Buffer` per broadcast; see docs/contributing/transport-performance.md), where Switchboard's bytes per idle connection went (heap-snapshot census, `bench/transport-census.ts --anchors=Socket,WebSocket,Connection,Process`, 1,000 connections, 2026-11-21; self sizes, each object counted once, under the first layer that reaches it): the `net.Socket` layer 3.1 KB against 1.4 KB under raw ws — the WebSocket wire's ≈ 14 closures and their contexts (`attach`, `write`, `end`, `destroy`, `get bufferedBytes`, `early`, `written`, `onWritten`, the socket's `drain` listener, the `onData`/`onDrain`/`onClose` events object) and the socket's listener table in dictionary mode (448 B; 40 B of fast properties under raw ws); the `ws` WebSocket 1.5 KB against 1.2 KB (its listener table turns dictionary after `ws.off('message', early)`: 160 B); the `Connection` 1.3 KB (the object 144 B, the wire object in dictionary mode 256 B, the decoder 96 B plus 208 B for its 4-byte header `Uint8Array`, the outbound queue with its sink object and two closures ≈ 220 B, a `clientInfo` `{}` 56 B, three boxed float timestamps 48 B); the runtime process with the channel machine 2.3 KB (shell 192 B, XState snapshot with `children`, `historyValue`, `_nodes` and `tags` ≈ 560 B, channel context with counters, `pendings`, `early` and `dedup` ≈ 400 B, three empty-or-small `Set`s at 152 B each — `links`, `tags`, `dedup` — the `monitoredBy` `Map` 184 B and two monitor refs and records ≈ 270 B, mailbox 96 B, session 136 B, the `outbound`/`inbound` closures and their contexts 192 B); and ≈ 1.3 KB of entries in shared tables (the dynamic supervisor's children 495 B — 7.9 objects per child —, the channel table 213 B, the registry's `Map` + `Set` per client id 213 B, the conn table and the manager's pmon 77 B each, the process table, live set, `byPid`, `all` and two `WeakMap`s ≈ 30 B each).",
      "Where the connect CPU goes (V8 CPU profile, `bench/transport-profile.ts`, 2,000 connects on the loaded machine, 2026-11-21): 2.58 s of samples for Switchboard against 0.54 s for raw ws. XState 14% (368 ms: `createMachineSnapshot`, `microstep`, `resolveAssign`, `getAllStateNodes` — the channel machine's context comes from its input, so each process builds its initial snapshot, then the `ch.opened` transition and the manager's transitions), garbage collection 306 ms against 64 ms, `ws` 211 ms against 39 ms (Switchboard also parses CONNECT and sends CONNACK over it), the runtime ≈ 190 ms, transport ≈ 150 ms, channels ≈ 120 ms, protocol ≈ 60 ms, Node's own code 652 ms against 261 ms (more promises, ticks and writes).",
      "Where the broadcast CPU went before those changes (same profiler, 2,000 clients × 100 messages; after them ≈ 0.2–0.5 s of JavaScript outside `writev` against 0.1–0.6 s for raw ws): both servers spend most of it in `writev`, one system call per message and client (`ws` corks the frame header and payload together); the JavaScript on top is ≈ 4.0 s for Switchboard against ≈ 1.7 s for raw ws: `ws.send` 866 ms against 177 ms (the WebSocket wire passes an options object and a write callback with every send, so every write also runs `written` → `onDrain` → `flush`: 249 ms, plus Node's `afterWriteTick` 126 ms and `nextTick` 50 ms), `Connection.sendEncoded` 354 ms, `OutboundQueue.push` 266 ms, the two `bufferedBytes` getters read on every push 432 ms, and the `Buffer` that `ws` wraps around each `Uint8Array` frame 56 ms.",
    ],
  };
}

if (isMain(import.meta.url)) {
  const result = await run();
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(result));
  else printResult(result);
}
