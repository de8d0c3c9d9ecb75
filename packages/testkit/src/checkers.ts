/**
 * Checkers over a finished run, in the spirit of snabbkaffe: `always` (a property of every run),
 * `sometimes` (a property that must hold in at least one run of a suite — proof that a rare
 * state was actually reached), and `causality` / `strictCausality` between trace points. Each
 * returns a check for `WorldOptions.checks`: a function from the run to its violations.
 */
import type { TracePoint } from '@switchboard/runtime';
import type { RunView } from './world.js';

/** A check: the violations it finds in one run. */
export type Check = (run: RunView) => readonly string[];

/**
 * A property every run must have.
 *
 * @example
 * ```ts
 * const noCrash = always('no channel crashes', (run) => !run.trace.some((p) => p.kind === 'ch.exit' && p.fields['reason'] === 'error'));
 * ```
 */
export function always(name: string, holds: (run: RunView) => boolean): Check {
  return (run) => (holds(run) ? [] : [`always: ${name}`]);
}

/** A `sometimes` property and how often it held. */
export interface Sometimes {
  readonly name: string;
  /** Runs in which it held. */
  readonly hits: number;
  /** Runs checked. */
  readonly runs: number;
  /** The check to put in `WorldOptions.checks` (it never fails a run; it counts). */
  readonly check: Check;
  /** Throws unless it held in at least one run (call it after the suite, e.g. in `afterAll`). */
  assertReached(): void;
}

/**
 * A property that must hold in at least one run of a suite: it counts, and `assertReached()`
 * fails the suite if the state was never reached (so a race test cannot pass by never getting
 * near the race).
 *
 * @example
 * ```ts
 * const takeoverWithPendings = sometimes('a takeover carried pendings', (run) =>
 *   run.trace.some((p) => p.kind === 'ch.deliver' && p.fields['into'] === 'pendings'));
 * afterAll(() => takeoverWithPendings.assertReached());
 * ```
 */
export function sometimes(name: string, holds: (run: RunView) => boolean): Sometimes {
  const state = { hits: 0, runs: 0 };
  return {
    name,
    get hits() {
      return state.hits;
    },
    get runs() {
      return state.runs;
    },
    check: (run) => {
      state.runs++;
      if (holds(run)) state.hits++;
      return [];
    },
    assertReached() {
      if (state.hits === 0) throw new Error(`sometimes: "${name}" never held in ${state.runs} runs`);
    },
  };
}

type Related = (cause: TracePoint['fields'], effect: TracePoint['fields']) => boolean;

/**
 * Every `effect` point is preceded by a `cause` point related to it (snabbkaffe's
 * `causality`): e.g. every `cm.takeover.end.called` follows a `cm.takeover.begin.answered` for
 * the same pid.
 *
 * @example
 * ```ts
 * const check = causality('cm.takeover.begin.answered', 'cm.takeover.end.called', (c, e) => String(c.pid) === String(e.pid));
 * ```
 */
export function causality(cause: string, effect: string, related: Related = () => true): Check {
  return (run) => {
    const out: string[] = [];
    run.trace.forEach((e, i) => {
      if (e.kind !== effect) return;
      for (let j = 0; j < i; j++) {
        const c = run.trace[j] as TracePoint;
        if (c.kind === cause && related(c.fields, e.fields)) return;
      }
      out.push(`causality: ${effect} #${e.seq} has no earlier ${cause}`);
    });
    return out;
  };
}

/**
 * `causality`, and also: every `cause` is followed by its own `effect`, each effect consuming one
 * cause (snabbkaffe's `strict_causality`): e.g. every lock acquired is released.
 *
 * @example
 * ```ts
 * const check = strictCausality('locker.acquired', 'locker.released', (c, e) => c.clientId === e.clientId);
 * ```
 */
export function strictCausality(cause: string, effect: string, related: Related = () => true): Check {
  return (run) => {
    const out: string[] = [];
    const pending: TracePoint[] = [];
    for (const p of run.trace) {
      if (p.kind === cause) pending.push(p);
      else if (p.kind === effect) {
        const i = pending.findIndex((c) => related(c.fields, p.fields));
        if (i < 0) out.push(`strictCausality: ${effect} #${p.seq} has no unmatched ${cause} before it`);
        else pending.splice(i, 1);
      }
    }
    for (const c of pending) out.push(`strictCausality: ${cause} #${c.seq} has no ${effect} after it`);
    return out;
  };
}
