/**
 * Linearizability per client id (Wing & Gong's search, with Lowe's memoisation): is there an
 * order of the operations, each taking effect at one instant between its invocation and its
 * response, that a sequential model of the registry accepts? Operations without a response —
 * their process was killed, or they never finished — may take effect at any instant after their
 * invocation, or not at all: indeterminate, not failed.
 *
 * The model of one client id: the set S of pids that are registered and alive, and the set D of
 * pids known dead. `open(p)` that succeeded adds p to S (unless p ∈ D); one that failed changes
 * nothing; `death(p)` moves p from S to D; `lookup()` must return exactly S.
 */
import type { History, HistoryOp } from './history.js';

interface ModelState {
  readonly live: ReadonlySet<string>;
  readonly dead: ReadonlySet<string>;
}

/** Applies `op` to the model; undefined when the model rejects its observed result. */
function apply(state: ModelState, op: HistoryOp): ModelState | undefined {
  switch (op.kind) {
    case 'open': {
      if (op.ok === false) return state;
      const pid = op.pid as string;
      if (state.dead.has(pid) || state.live.has(pid)) return state;
      const live = new Set(state.live);
      live.add(pid);
      return { live, dead: state.dead };
    }
    case 'death': {
      const pid = op.pid as string;
      const live = new Set(state.live);
      live.delete(pid);
      const dead = new Set(state.dead);
      dead.add(pid);
      return { live, dead };
    }
    case 'lookup': {
      if (op.value === undefined) return state; // never answered: observed nothing
      if (op.value.length !== state.live.size) return undefined;
      for (const pid of op.value) if (!state.live.has(pid)) return undefined;
      return state;
    }
  }
}

function keyOf(state: ModelState, done: readonly boolean[]): string {
  return `${[...state.live].sort().join(',')}|${[...state.dead].sort().join(',')}|${done.map((d) => (d ? 1 : 0)).join('')}`;
}

/**
 * Checks one key's operations; returns undefined when linearizable, else a description.
 *
 * @example
 * ```ts
 * checkLinearizable(history.of('a')); // undefined: fine
 * ```
 */
export function checkLinearizable(ops: readonly HistoryOp[], budget = 200_000): string | undefined {
  const n = ops.length;
  if (n === 0) return undefined;
  // Completed operations must all be placed; pending ones may be placed or dropped.
  const done = new Array<boolean>(n).fill(false);
  const seen = new Set<string>();
  let explored = 0;
  const INF = Number.MAX_SAFE_INTEGER;
  const search = (state: ModelState, placed: number, remainingCompleted: number): boolean => {
    if (remainingCompleted === 0) return true;
    if (++explored > budget) return true; // give up quietly: no verdict is not a violation
    const memo = keyOf(state, done);
    if (seen.has(memo)) return false;
    seen.add(memo);
    // The earliest response among unplaced completed ops bounds which ops may go next.
    let minResponse = INF;
    for (let i = 0; i < n; i++) {
      const op = ops[i] as HistoryOp;
      if (!done[i] && op.response !== undefined && op.response < minResponse) minResponse = op.response;
    }
    for (let i = 0; i < n; i++) {
      const op = ops[i] as HistoryOp;
      if (done[i] || op.invoke > minResponse) continue;
      const next = apply(state, op);
      if (next === undefined) continue;
      done[i] = true;
      const completed = op.response !== undefined ? 1 : 0;
      if (search(next, placed + 1, remainingCompleted - completed)) return true;
      done[i] = false;
    }
    return false;
  };
  const completed = ops.filter((op) => op.response !== undefined).length;
  if (search({ live: new Set(), dead: new Set() }, 0, completed)) return undefined;
  const shown = ops
    .map(
      (op) =>
        `${op.kind}(${op.pid ?? ''})${op.ok === false ? '=fail' : ''}${op.value ? `=[${op.value.join(',')}]` : ''}@${op.invoke}-${op.response ?? '?'}`,
    )
    .join(' ');
  return `not linearizable for ${ops[0]?.key ?? '?'}: ${shown}`;
}

/**
 * Checks every key of a history; returns the violations.
 *
 * @example
 * ```ts
 * expect(checkHistory(run.history)).toEqual([]);
 * ```
 */
export function checkHistory(history: History): string[] {
  const out: string[] = [];
  for (const key of history.keys()) {
    const verdict = checkLinearizable(history.of(key));
    if (verdict !== undefined) out.push(`linearizability: ${verdict}`);
  }
  return out;
}
