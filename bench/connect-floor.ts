/**
 * What a connect costs a raw `ws` server that also does one request/reply per connection, as
 * Switchboard's CONNECT → CONNACK does, against a raw `ws` server that does nothing: the floor the
 * protocol's handshake puts under the connect goal (server CPU per connection ≤ 1.5× raw ws), before
 * any process, session or table. A profiling aid, not part of `npm run bench`.
 *
 *   node --conditions=source --import tsx bench/connect-floor.ts [--connections=2000] [--trials=5]
 *
 * Each trial is a fresh server process and 4 client processes (127.0.0.2–127.0.0.5, 50 connects in
 * flight each); the two kinds alternate, and the median of the trials is reported.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { arg } from './lib.js';

type Kind = 'plain' | 'request-reply';

/** A CONNECT-sized request (4-byte length + 16 bytes) and a CONNACK-sized reply (4 + 2 bytes). */
const REQUEST = Buffer.from([0, 0, 0, 16, ...Buffer.alloc(16, 0x61)]);
const REPLY = Buffer.from([0, 0, 0, 2, 0x92, 0x01]);
const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const self = fileURLToPath(import.meta.url);

/** The server: counts connections set up (for `request-reply`, the reply sent) and reports CPU per connection. */
function serve(kind: Kind, target: number): void {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: false,
    clientTracking: false,
  });
  const clients = new Set<WebSocket>();
  let done = 0;
  let start: NodeJS.CpuUsage | undefined;
  const count = (): void => {
    if (++done !== target) return;
    const cpu = process.cpuUsage(start);
    process.send?.({ cpuPerConnUs: (cpu.user + cpu.system) / target });
  };
  function forget(this: WebSocket): void {
    clients.delete(this);
  }
  function reply(this: WebSocket): void {
    this.send(REPLY);
    count();
  }
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('error', () => undefined);
    ws.on('close', forget);
    if (kind === 'request-reply') ws.on('message', reply);
    else count();
  });
  wss.on('listening', () => process.send?.({ port: (wss.address() as { port: number }).port }));
  process.on('message', () => {
    start = process.cpuUsage();
    process.send?.({ started: true });
  });
}

/** A client process: `count` connections, 50 at a time, each waiting for the reply in `request-reply`. */
async function connectAll(kind: Kind, port: number, count: number, localAddress: string): Promise<void> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const one = async (): Promise<void> => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { localAddress });
    sockets.push(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    if (kind !== 'request-reply') return;
    const replied = new Promise((resolve) => ws.once('message', resolve));
    ws.send(REQUEST);
    await replied;
  };
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  process.send?.({ connected: sockets.length });
  process.on('message', () => process.exit(0));
}

function message<T>(child: ChildProcess, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: unknown): void => {
      const value = pick(m as Record<string, unknown>);
      if (value === undefined) return;
      child.off('message', on);
      resolve(value);
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`child exited (${String(code)})`)));
  });
}

async function trial(kind: Kind, connections: number): Promise<number> {
  const server = fork(self, ['--role=server', `--kind=${kind}`, `--connections=${connections}`]);
  const port = await message(server, (m) => m['port'] as number | undefined);
  server.send('go');
  await message(server, (m) => m['started'] as boolean | undefined);
  const result = message(server, (m) => m['cpuPerConnUs'] as number | undefined);
  const clients = SOURCES.map((source) =>
    fork(self, [
      '--role=client',
      `--kind=${kind}`,
      `--port=${port}`,
      `--connections=${connections / 4}`,
      `--source=${source}`,
    ]),
  );
  const cpuPerConnUs = await result;
  for (const child of [...clients, server]) child.kill();
  return cpuPerConnUs;
}

/** `--name=n`, or `fallback`. */
const count = (name: string, fallback: number): number => Number(arg(name) ?? fallback);

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const role = arg('role');
  const kind = (arg('kind') ?? 'plain') as Kind;
  const connections = count('connections', 2000);
  if (role === 'server') return serve(kind, connections);
  if (role === 'client') return connectAll(kind, count('port', 0), connections, arg('source') ?? '127.0.0.1');
  const trials = count('trials', 5);
  const results: Record<Kind, number[]> = { plain: [], 'request-reply': [] };
  for (let t = 0; t < trials; t++) {
    for (const k of ['plain', 'request-reply'] as const) results[k].push(await trial(k, connections));
  }
  const plain = median(results.plain);
  const rr = median(results['request-reply']);
  console.log(
    `server CPU per connection, ${connections} connections, median of ${trials} trials (alternated):`,
  );
  console.log(
    `  raw ws, connect only:                 ${plain.toFixed(0)} µs  [${results.plain.map((x) => x.toFixed(0)).join(' ')}]`,
  );
  console.log(
    `  raw ws, connect + one request/reply:  ${rr.toFixed(0)} µs  [${results['request-reply'].map((x) => x.toFixed(0)).join(' ')}]`,
  );
  console.log(`  ratio: ${(rr / plain).toFixed(2)}×`);
}

await main();
