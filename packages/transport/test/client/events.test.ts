/** The client's typed emitter: order, unsubscribe, and a throwing listener kept apart. */
import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../src/client/events.js';

describe('TypedEmitter', () => {
  it('calls listeners in subscription order until they unsubscribe', () => {
    const events = new TypedEmitter<{ tick: number }>();
    const seen: string[] = [];
    const offA = events.on('tick', (n) => seen.push(`a${n}`));
    events.on('tick', (n) => seen.push(`b${n}`));
    events.emit('tick', 1);
    offA();
    offA(); // a second call does nothing
    events.emit('tick', 2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(events.listenerCount('tick')).toBe(1);
  });

  it('treats the same function subscribed twice as two subscriptions', () => {
    const events = new TypedEmitter<{ tick: number }>();
    const listener = vi.fn();
    const off = events.on('tick', listener);
    events.on('tick', listener);
    off();
    events.emit('tick', 1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('still calls the other listeners when one throws, and rethrows its error in a microtask', async () => {
    const events = new TypedEmitter<{ tick: number }>();
    const boom = new Error('listener bug');
    const after = vi.fn();
    events.on('tick', () => {
      throw boom;
    });
    events.on('tick', after);
    const reported = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (fn) => {
        globalThis.queueMicrotask = original;
        try {
          fn();
        } catch (error) {
          resolve(error);
        }
      };
    });

    events.emit('tick', 1);

    expect(after).toHaveBeenCalledWith(1);
    expect(await reported).toBe(boom);
  });
});
