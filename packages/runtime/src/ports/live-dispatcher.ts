/**
 * The live Dispatcher: drains runnable units on the event loop. Fair (round robin, at most
 * `reductions` units of work per unit per visit, like Erlang's reduction budget) and polite
 * (a turn ends after `turnBudgetMs`, then yields with `setImmediate` so I/O runs), so a storm
 * of messages or deaths never stalls the loop for more than a few milliseconds.
 */
import { RingQueue } from '../internal/ring-queue.js';
import type { DispatchHost, Dispatcher, Schedulable } from './dispatcher.js';

/** Options of the live dispatcher. */
export interface LiveDispatcherOptions {
  /** Work units one process may run per visit before the next process gets a turn. Default 64. */
  readonly reductions?: number;
  /** Longest a turn may run before it yields to the event loop, in ms. Default 4. */
  readonly turnBudgetMs?: number;
}

/**
 * Creates the live dispatcher.
 *
 * @example
 * ```ts
 * const rt = createRuntime({ dispatcher: createLiveDispatcher({ turnBudgetMs: 2 }) });
 * ```
 */
export function createLiveDispatcher(options: LiveDispatcherOptions = {}): Dispatcher {
  return new LiveDispatcher(options.reductions ?? 64, options.turnBudgetMs ?? 4);
}

class LiveDispatcher implements Dispatcher {
  readonly batchesAtTurnEnd = true;
  private readonly queue = new RingQueue<Schedulable>(1024);
  private host: DispatchHost | undefined;
  private scheduled = false;
  private running = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly reductions: number,
    private readonly turnBudgetMs: number,
  ) {}

  attach(host: DispatchHost): void {
    this.host = host;
  }

  ready(unit: Schedulable): void {
    if (unit.queued) return;
    unit.queued = true;
    this.queue.push(unit);
    this.schedule();
  }

  wake(): void {
    this.schedule();
  }

  chooseCount(_label: string, available: number, max: number): number {
    return Math.min(available, max);
  }

  idle(): Promise<void> {
    if (!this.scheduled && !this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    this.running = true;
    const deadline = performance.now() + this.turnBudgetMs;
    try {
      turn: while (this.queue.length > 0) {
        const unit = this.queue.shift() as Schedulable;
        unit.queued = false;
        // Up to `reductions` units of work per visit, but never past the turn's deadline: one slow
        // handler (a 4 ms DOWN batch, say) must not hold the loop for `reductions` times as long.
        // Reading the clock costs ~40 ns, small next to any delivery.
        let expired = false;
        for (let ran = 0; ran < this.reductions; ran++) {
          if (unit.runSlice(1) === 0) break;
          if (performance.now() >= deadline) {
            expired = true;
            break;
          }
        }
        if (unit.hasWork() && !unit.queued) {
          unit.queued = true;
          this.queue.push(unit);
        }
        if (expired) break turn;
      }
      this.host?.endTurn();
    } finally {
      this.running = false;
    }
    if (this.queue.length > 0) this.schedule();
    else if (this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}
