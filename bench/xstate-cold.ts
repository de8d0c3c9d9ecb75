/**
 * What one XState transition costs when the CPU's caches are warm (a loop that does nothing else,
 * as in the throughput benchmarks) against when they are cold (between two transitions the loop
 * reads 32 MiB, as a server's connect path does with sockets, HTTP parsing and `ws` in between).
 * A profiling aid for the connect goal, not part of `npm run bench`.
 *
 *   node --conditions=source --import tsx bench/xstate-cold.ts [--sends=20000]
 *
 * Two machines, each with `createActor` alone (no runtime): a targetless transition with one action
 * at the root (the channel manager's `ch.registered`), and a transition between two states with an
 * `assign` (a channel's `ch.opened`). Each send is timed alone with `performance.now()`; the
 * figures are the 10th, 50th and 90th percentiles after the first quarter of the sends.
 */
import { assign, createActor, createMachine, setup } from 'xstate';
import { arg, isMain, num } from './lib.js';

/** Like the manager's `ch.registered`: no target, one action. */
const targetless = createMachine({
  id: 'targetless',
  context: { seen: 0 },
  on: {
    ping: {
      actions: ({ context }) => {
        context.seen++;
      },
    },
  },
});

/** Like a channel's `ch.opened`: a state change with an `assign`, and back. */
const toggling = setup({
  types: { context: {} as { opened: number }, events: {} as { type: 'open' } | { type: 'close' } },
}).createMachine({
  id: 'toggling',
  context: { opened: 0 },
  initial: 'connecting',
  states: {
    connecting: {
      on: { open: { target: 'connected', actions: assign({ opened: ({ context }) => context.opened + 1 }) } },
    },
    connected: { on: { close: { target: 'connecting' } } },
  },
});

/** 32 MiB: more than the last-level cache of the machines this runs on. */
const BIG = new Float64Array(4 * 1024 * 1024);
let sink = 0;

function evictCaches(): void {
  // One read per 64-byte line is enough to pull every line through the caches.
  for (let i = 0; i < BIG.length; i += 8) sink += BIG[i] as number;
}

function percentiles(samples: number[]): string {
  const tail = samples.slice(Math.floor(samples.length / 4)).sort((a, b) => a - b);
  return [0.1, 0.5, 0.9].map((q) => num((tail[Math.floor(q * tail.length)] as number) * 1000, 2)).join(' / ');
}

function measure(send: (i: number) => void, sends: number, cold: boolean): string {
  const samples: number[] = [];
  for (let i = 0; i < sends; i++) {
    if (cold) evictCaches();
    const t0 = performance.now();
    send(i);
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

function main(): void {
  const sends = Number(arg('sends') ?? 20_000);
  const a = createActor(targetless).start();
  const b = createActor(toggling).start();
  const sendA = (): void => a.send({ type: 'ping' });
  const sendB = (i: number): void => b.send(i % 2 === 0 ? { type: 'open' } : { type: 'close' });
  console.log(`µs per send, 10th / 50th / 90th percentile (${sends} sends each, xstate createActor)`);
  for (const cold of [false, true]) {
    const label = cold ? 'cold caches (32 MiB read between sends)' : 'warm caches';
    console.log(`  ${label}`);
    console.log(`    targetless root transition: ${measure(sendA, sends, cold)}`);
    console.log(`    state change with assign:   ${measure(sendB, sends, cold)}`);
  }
  if (sink === 42) console.log('');
}

if (isMain(import.meta.url)) main();
