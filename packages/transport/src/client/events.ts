/**
 * A small typed event emitter for the client (no `node:events`: the client runs in browsers).
 * `on` returns its own unsubscribe function. A listener that throws does not stop the others nor
 * disturb the client: its error is rethrown in a microtask, where the host reports it (an
 * uncaught exception in Node, `window.onerror` in a browser), as `EventTarget` does.
 */

/** Removes the listener it was returned for; calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * Listeners by event name, called in the order they subscribed.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<{ tick: number }>();
 * const off = events.on('tick', (n) => console.log(n));
 * events.emit('tick', 1); // logs 1
 * off();
 * ```
 */
export class TypedEmitter<TEvents extends object> {
  readonly #listeners = new Map<keyof TEvents, Set<(value: never) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<TName extends keyof TEvents>(event: TName, listener: (value: TEvents[TName]) => void): Unsubscribe {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const entry = (value: never): void => listener(value);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Calls every listener of `event` with `value`. */
  emit<TName extends keyof TEvents>(event: TName, value: TEvents[TName]): void {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as (value: TEvents[TName]) => void)(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** The number of listeners of `event`. */
  listenerCount(event: keyof TEvents): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
