/**
 * Helpers to watch a client from a test: wait for its next event (bounded, never a sleep), record
 * everything it emits, and timers that count what is still pending.
 */
import type { Client, ClientEvents, ClientTimers } from '../../../src/client/node.js';
import { withTimeout } from './fake-server.js';

/** The next `event` the client emits. */
export function nextEvent<TName extends keyof ClientEvents>(
  client: Client,
  event: TName,
): Promise<ClientEvents[TName]> {
  return withTimeout(
    new Promise<ClientEvents[TName]>((resolve) => {
      const off = client.on(event, (value) => {
        off();
        resolve(value);
      });
    }),
    `the client's '${event}' event`,
  );
}

/** One emitted event, as recorded. */
export type Recorded = {
  [K in keyof ClientEvents]: { event: K; value: ClientEvents[K] };
}[keyof ClientEvents];

/** Records every event the client emits, in order. */
export function record(client: Client): Recorded[] {
  const log: Recorded[] = [];
  for (const event of ['connected', 'message', 'disconnect', 'close', 'reconnecting', 'error'] as const) {
    client.on(event, (value) => log.push({ event, value } as Recorded));
  }
  return log;
}

/**
 * Real timers that remember the delays asked for, the delays of the timers that fired (in order),
 * and count the timers still pending.
 */
export function trackedTimers(): ClientTimers & {
  readonly delays: number[];
  readonly fired: number[];
  pending(): number;
} {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  const delays: number[] = [];
  const fired: number[] = [];
  return {
    delays,
    fired,
    pending: () => pending.size,
    setTimeout(fn, ms) {
      delays.push(ms);
      const handle = setTimeout(() => {
        pending.delete(handle);
        fired.push(ms);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle as ReturnType<typeof setTimeout>);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

/** A `random` that returns the given values in turn (cycling), and remembers how many it gave. */
export function scriptedRandom(values: readonly number[]): (() => number) & { readonly drawn: number[] } {
  const drawn: number[] = [];
  const random = (): number => {
    const value = values[drawn.length % values.length] as number;
    drawn.push(value);
    return value;
  };
  return Object.assign(random, { drawn });
}

/** Timers that fire only when the test advances them: a virtual clock for keepalive and backoff. */
export function manualTimers(): ClientTimers & {
  now(): number;
  advance(ms: number): void;
  pending(): number;
} {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { readonly due: number; readonly fn: () => void }>();
  return {
    now: () => now,
    pending: () => timers.size,
    setTimeout(fn, ms) {
      const handle = ++seq;
      timers.set(handle, { due: now + ms, fn });
      return handle;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { due: number; fn: () => void }] | undefined;
        for (const entry of timers)
          if (entry[1].due <= end && (next === undefined || entry[1].due < next[1].due)) next = entry;
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].due;
        next[1].fn();
      }
      now = end;
    },
  };
}
