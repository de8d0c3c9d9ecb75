/**
 * A client process of the transport benchmark: `--n` clients of one kind, all from one loopback
 * source address, driven by the parent over IPC. It counts every message pushed to its clients
 * and notes the moment the count reaches what the parent expects, so the parent can tell when
 * every client in every process has every broadcast.
 *
 *   spawned by bench/transport.ts through spawnRpc:
 *   --kind=switchboard|ws|socketio --url=… --n=4975 --local-address=127.0.0.2 --index=0
 * (`--n` is how many clients it holds at most; `connect` opens them in as many steps as asked)
 */
import { arg } from '../lib.js';
import { openClient } from './bench-clients.js';
import type { BenchClient } from './bench-clients.js';
import type { ServerKind } from './bench-servers.js';
import { serveRpc } from './rpc.js';
import { epochNow } from './epoch-now.js';

/** What `wait` reports. */
export interface Arrival {
  /** Epoch ms (sub-ms precision) when the count reached the expected total. */
  readonly at: number;
  readonly received: number;
}

const kind = arg('kind') as ServerKind;
const url = arg('url') as string;
const n = Number(arg('n'));
const localAddress = arg('local-address') as string;
const index = Number(arg('index') ?? 0);

const clients: BenchClient[] = [];
let received = 0;
let lost = 0;
let expected = Infinity;
let arrivedAt: number | undefined;
let arrived: (() => void) | undefined;

function onMessage(): void {
  if (++received === expected) {
    arrivedAt = epochNow();
    arrived?.();
  }
}

const onLost = (): void => void lost++;

/** Runs `fn(0..count-1)` with at most `concurrency` in flight. */
async function inFlight(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

serveRpc({
  /** Opens the next `count` clients (all that are left without a count). */
  connect: async ({ count, concurrency }: { count?: number; concurrency: number }) => {
    const t0 = performance.now();
    const first = clients.length;
    const todo = Math.min(count ?? n, n - first);
    const opened = new Array<BenchClient>(todo);
    await inFlight(todo, concurrency, async (i) => {
      opened[i] = await openClient({
        kind,
        url,
        clientId: `c${index}-${first + i}`,
        localAddress,
        onMessage,
        onLost,
      });
    });
    clients.push(...opened);
    return { ms: performance.now() - t0, open: clients.length };
  },
  join: async ({ room, concurrency }: { room: string; concurrency: number }) => {
    const t0 = performance.now();
    await inFlight(clients.length, concurrency, (i) => (clients[i] as BenchClient).join(room));
    return { ms: performance.now() - t0 };
  },
  /** From now, `wait` resolves once `total` messages have arrived in all (counted since the start). */
  expect: ({ total }: { total: number }) => {
    if (received >= total) throw new Error(`already ${received} messages, expected to reach ${total} later`);
    expected = total;
    arrivedAt = undefined;
    for (const client of clients) client.countOnly();
    return null;
  },
  wait: (): Promise<Arrival> =>
    new Promise((resolve) => {
      const done = (): void => resolve({ at: arrivedAt as number, received });
      if (arrivedAt !== undefined) done();
      else arrived = done;
    }),
  counts: () => ({ received, lost, open: clients.length }),
});
