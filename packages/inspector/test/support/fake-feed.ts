/**
 * Unit-test fixtures of the inspector: a page's socket that records what it is sent (decoded),
 * with a settable `bufferedAmount`, and a ticker the test fires by hand.
 */
import { unpack } from 'msgpackr';
import type { FeedSink, ServerMessage, Ticker } from '@switchboard/inspector';

export class FakeSink implements FeedSink {
  readonly messages: ServerMessage[] = [];
  bufferedAmount = 0;
  closed: { code: number | undefined; reason: string | undefined } | undefined;

  send(data: Buffer | string): void {
    this.messages.push((typeof data === 'string' ? JSON.parse(data) : unpack(data)) as ServerMessage);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }

  /** The messages of one type, in order. */
  of<TType extends ServerMessage['t']>(t: TType): Extract<ServerMessage, { t: TType }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { t: TType }> => m.t === t);
  }

  clear(): void {
    this.messages.length = 0;
  }
}

export class ManualTicker implements Ticker {
  readonly #running = new Map<number, Set<() => void>>();

  every(ms: number, fn: () => void): () => void {
    const set = this.#running.get(ms) ?? new Set();
    set.add(fn);
    this.#running.set(ms, set);
    return () => set.delete(fn);
  }

  /** How many intervals are running. */
  get running(): number {
    let n = 0;
    for (const set of this.#running.values()) n += set.size;
    return n;
  }

  fire(ms: number): void {
    for (const fn of this.#running.get(ms) ?? []) fn();
  }
}
