/**
 * The world's record of client-visible operations per client id — opens, lookups and the
 * moments channel processes stopped being alive — each with an invocation and a response on one
 * logical clock. The linearizability check reads it.
 */

/** One operation in a history. `response` is undefined while it is in flight (or forever, if its process was killed). */
export interface HistoryOp {
  readonly id: number;
  /** The client id the operation concerns (histories are checked per key). */
  readonly key: string;
  readonly kind: 'open' | 'lookup' | 'death';
  /** The pid (as a string) the operation is about: the opener, or the process that died. */
  readonly pid: string | undefined;
  readonly invoke: number;
  response: number | undefined;
  /** Open: true if it succeeded. */
  ok: boolean | undefined;
  /** Lookup: the pids it returned, sorted. */
  value: readonly string[] | undefined;
  /** True when the operation's own process was killed before it answered: its effect is unknown. */
  indeterminate: boolean;
}

/**
 * An append-only history on a logical clock.
 *
 * @example
 * ```ts
 * const h = new History();
 * const op = h.invoke('a', 'open', '<local.5.0>');
 * h.respond(op, { ok: true });
 * ```
 */
export class History {
  readonly ops: HistoryOp[] = [];
  private clock = 0;

  /** The current logical time (each invoke and response advances it). */
  get now(): number {
    return this.clock;
  }

  invoke(key: string, kind: HistoryOp['kind'], pid?: string): HistoryOp {
    const op: HistoryOp = {
      id: this.ops.length,
      key,
      kind,
      pid,
      invoke: this.clock++,
      response: undefined,
      ok: undefined,
      value: undefined,
      indeterminate: false,
    };
    this.ops.push(op);
    return op;
  }

  respond(op: HistoryOp, result: { ok?: boolean; value?: readonly string[] } = {}): void {
    if (op.response !== undefined) return;
    op.response = this.clock++;
    if (result.ok !== undefined) op.ok = result.ok;
    if (result.value !== undefined) op.value = result.value;
  }

  /** A death observed between the last check (`since`) and now: an operation with that interval. */
  death(key: string, pid: string, since: number): void {
    const op = this.invoke(key, 'death', pid);
    (op as { invoke: number }).invoke = Math.min(op.invoke, since);
    this.respond(op);
  }

  /** The operations of one key. */
  of(key: string): HistoryOp[] {
    return this.ops.filter((op) => op.key === key);
  }

  /** Every key that has operations. */
  keys(): string[] {
    return [...new Set(this.ops.map((op) => op.key))];
  }
}
