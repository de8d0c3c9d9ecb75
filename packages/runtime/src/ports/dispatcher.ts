/**
 * The Dispatcher port: who runs next. The runtime never decides the order of deliveries itself;
 * it marks units of work runnable and a dispatcher runs them. The live dispatcher drains them on
 * the event loop, fairly and in bounded turns; the deterministic one picks with a seed, records
 * each pick as a labelled decision and can replay a recorded list.
 */

/** One runnable unit of work, as listed for the deterministic dispatcher. */
export interface WorkItem {
  /** Owner of the work. */
  readonly owner: Schedulable;
  /**
   * Stable label without the sequence suffix: `deliver:<sender>><receiver>`, `exit:<proc>`,
   * `batch:<proc>`. The dispatcher appends `@<n>`, the per-label count of runs so far.
   */
  readonly label: string;
  /** Opaque key the owner uses to find the work again in `runWork`. */
  readonly key: unknown;
}

/** Something the dispatcher can run: a process, or the port of a pending call. */
export interface Schedulable {
  /** Stable name used in decision labels. */
  readonly label: string;
  /** Dispatcher bookkeeping: true while the unit sits in a run queue. */
  queued: boolean;
  /** True while the unit has work. */
  hasWork(): boolean;
  /** Runs up to `budget` units of work in natural (FIFO) order; returns how many ran. */
  runSlice(budget: number): number;
  /** Lists the unit's runnable work for a dispatcher that chooses. */
  listWork(out: WorkItem[]): void;
  /** Runs one item it listed. Returns a short summary for the trace (e.g. the message type). */
  runWork(item: WorkItem): string;
}

/** What a dispatcher may ask of the runtime it serves. */
export interface DispatchHost {
  /** Called at the end of every live turn: flushes the work that accumulates across a turn. */
  endTurn(): void;
}

/** The Dispatcher port. */
export interface Dispatcher {
  /** True when DOWN batches are flushed at the end of each turn (live); false when a batch flush is a work item to choose (deterministic). */
  readonly batchesAtTurnEnd: boolean;
  /** Called once by the runtime that owns this dispatcher. */
  attach(host: DispatchHost): void;
  /** `unit` has work. Idempotent while `unit.queued` is true. */
  ready(unit: Schedulable): void;
  /** Ensures a turn runs soon even if no unit is ready (so `endTurn` flushes). */
  wake(): void;
  /** How many of `available` items one step takes (DOWN batch sizes). Live: all, up to `max`. */
  chooseCount(label: string, available: number, max: number): number;
  /** Resolves when no unit has work (and, for the deterministic dispatcher, no timer is due). */
  idle(): Promise<void>;
}
