/**
 * A pool of worker processes for background tasks (EMQX's emqx_pool / emqx_cm_pool): cleanup
 * after DOWN batches runs here so the owner's mailbox never waits on it. Tasks are messages to
 * workers, so their order is a dispatcher decision like any other. A worker runs one task at a
 * time (an async task holds its worker until it settles); a task that throws is logged and the
 * worker lives on. `flush()` lets tests wait for quiescence.
 */
import type { Logger } from 'pino';
import { InvalidOption, PoolClosed } from './errors.js';
import { kernelOf } from './internal/xstate-scope.js';
import type { Pid } from './pid.js';
import type { AnyProcessLogic, Runtime } from './runtime.js';

/** Options of `createPool`. */
export interface PoolOptions {
  /** Number of workers. Default 2. */
  readonly size?: number;
  /** Names the pool in log lines. Default `'pool'`. */
  readonly name?: string;
}

/** A running pool. */
export interface Pool {
  readonly name: string;
  /** The current workers (a worker that died is replaced when the next task is routed to it). */
  readonly workers: readonly Pid[];
  /** Tasks submitted and not yet finished. */
  readonly pending: number;
  /**
   * Runs `task` on a worker and resolves with its result (rejects with what it threw; the worker
   * lives on). Tasks with the same `key` run on the same worker, in submission order.
   *
   * @throws RT_ERR_POOL_CLOSED (as a rejection) after `close()`.
   */
  submit<T>(task: () => T | Promise<T>, key?: string | number): Promise<Awaited<T>>;
  /** Runs `task` on a worker without waiting for it; a failure is logged. Returns false after `close()`. */
  asyncSubmit(task: () => unknown, key?: string | number): boolean;
  /** Resolves when no task is pending (every task submitted so far has finished). */
  flush(): Promise<void>;
  /** Refuses new tasks, waits for the pending ones, then stops the workers. */
  close(): Promise<void>;
}

interface Task {
  readonly run: () => unknown;
  readonly settle: ((ok: boolean, value: unknown) => void) | undefined;
}

interface WorkerState {
  status: 'active' | 'done' | 'error' | 'stopped';
  value: 'idle' | 'busy';
  readonly backlog: Task[];
}

/**
 * Creates a pool of `size` worker processes.
 *
 * @example
 * ```ts
 * const pool = createPool(rt, { size: 2, name: 'cleanup' });
 * pool.asyncSubmit(() => table.deleteObject(row), clientId);
 * await pool.flush();
 * ```
 * @throws {TypeError} RT_ERR_INVALID_OPTION for a size that is not a positive integer.
 */
export function createPool(runtime: Runtime, options: PoolOptions = {}): Pool {
  const size = options.size ?? 2;
  if (!Number.isInteger(size) || size < 1)
    throw new InvalidOption(`pool size must be a positive integer, got ${String(size)}`);
  const name = options.name ?? 'pool';
  const log = runtime.logger.child({ actor: name, kind: 'pool' });
  // A box, not a `let`: the handle's `pending` getter lives on a class prototype (an object
  // literal's getter gives every pool a hidden class of its own, which held each pool, and its
  // runtime, until a full collection).
  const count = { pending: 0 };
  let closed = false;
  let next = 0;
  let waiters: (() => void)[] = [];

  const finished = (): void => {
    count.pending--;
    if (count.pending === 0 && waiters.length > 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    }
  };
  const logic = workerLogic(log, finished);
  const workers: Pid[] = [];
  for (let i = 0; i < size; i++) workers.push(runtime.spawn(logic, { input: i }));

  // A dead worker is replaced in its slot on the next task routed there, so keyed tasks keep
  // their worker and the pool recovers from a killed worker without a supervisor of its own.
  const pick = (key: string | number | undefined): Pid => {
    const slot = key === undefined ? next++ % size : hash(key) % size;
    let pid = workers[slot] as Pid;
    if (!runtime.isAlive(pid)) {
      pid = runtime.spawn(logic, { input: slot });
      workers[slot] = pid;
      log.warn({ slot, worker: String(pid) }, 'pool worker replaced');
    }
    return pid;
  };
  const dispatch = (task: Task, key: string | number | undefined): boolean => {
    if (closed) return false;
    count.pending++;
    if (!runtime.send(pick(key), { type: 'pool.task', task })) {
      finished();
      return false;
    }
    return true;
  };

  return new PoolHandle(name, workers, count, {
    submit<T>(task: () => T | Promise<T>, key?: string | number): Promise<Awaited<T>> {
      return new Promise<Awaited<T>>((resolve, reject) => {
        // A failed task's own error is passed on unchanged, whatever it threw.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        const settle = (ok: boolean, value: unknown) => (ok ? resolve(value as Awaited<T>) : reject(value));
        if (!dispatch({ run: task, settle }, key)) reject(new PoolClosed(name));
      });
    },
    asyncSubmit: (task, key) => dispatch({ run: task, settle: undefined }, key),
    flush: () =>
      count.pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    async close() {
      closed = true;
      if (count.pending > 0) await new Promise<void>((resolve) => waiters.push(resolve));
      for (const pid of workers) runtime.exit(pid, 'shutdown');
    },
  });
}

type PoolOperations = Pick<Pool, 'submit' | 'asyncSubmit' | 'flush' | 'close'>;

/** What `createPool` returns: the operations, plus `pending` read through the prototype. */
class PoolHandle implements Pool {
  readonly submit: Pool['submit'];
  readonly asyncSubmit: Pool['asyncSubmit'];
  readonly flush: Pool['flush'];
  readonly close: Pool['close'];

  constructor(
    readonly name: string,
    readonly workers: readonly Pid[],
    private readonly count: { readonly pending: number },
    operations: PoolOperations,
  ) {
    this.submit = operations.submit;
    this.asyncSubmit = operations.asyncSubmit;
    this.flush = operations.flush;
    this.close = operations.close;
  }

  get pending(): number {
    return this.count.pending;
  }
}

/** The worker's logic: a queue of tasks, one running at a time. */
function workerLogic(log: Logger, finished: () => void): AnyProcessLogic {
  const run = (state: WorkerState, task: Task, self: { pid: Pid }, system: unknown): void => {
    let result: unknown;
    try {
      result = task.run();
    } catch (err) {
      log.error({ err, actor: String(self.pid) }, 'pool task failed');
      task.settle?.(false, err);
      finished();
      return;
    }
    if (!isThenable(result)) {
      task.settle?.(true, result);
      finished();
      return;
    }
    // An async task holds the worker; its settlement comes back as a message to the worker.
    state.value = 'busy';
    const runtime = kernelOf(system);
    result.then(
      (value) => {
        task.settle?.(true, value);
        finished();
        runtime.send(self.pid, { type: 'pool.resume' });
      },
      (err: unknown) => {
        log.error({ err, actor: String(self.pid) }, 'pool task failed');
        task.settle?.(false, err);
        finished();
        runtime.send(self.pid, { type: 'pool.resume' });
      },
    );
  };
  const logic = {
    getInitialSnapshot: (): WorkerState => ({ status: 'active', value: 'idle', backlog: [] }),
    transition: (
      state: WorkerState,
      event: { type: string; task?: Task },
      scope: { self: { pid: Pid }; system: unknown },
    ): WorkerState => {
      if (event.type === 'pool.task' && event.task) {
        if (state.value === 'busy') state.backlog.push(event.task);
        else run(state, event.task, scope.self, scope.system);
      } else if (event.type === 'pool.resume') {
        state.value = 'idle';
        while (state.value === 'idle' && state.backlog.length > 0) {
          run(state, state.backlog.shift() as Task, scope.self, scope.system);
        }
      } else if (event.type === 'xstate.stop') {
        // A worker that dies abandons its backlog: fail those tasks so nobody waits forever.
        state.status = 'stopped';
        for (const task of state.backlog.splice(0)) {
          task.settle?.(false, new PoolClosed(String(scope.self.pid)));
          finished();
        }
      }
      return state;
    },
    getPersistedSnapshot: (state: WorkerState) => ({ value: state.value, backlog: state.backlog.length }),
  };
  return logic;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** FNV-1a over the key's text: stable across runs, so keyed tasks always land on one worker. */
function hash(key: string | number): number {
  const text = String(key);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
