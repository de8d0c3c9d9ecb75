/**
 * fast-check arbitraries for the three parts of a scenario: workloads, fault plans and decision
 * tapes. fast-check generates them and shrinks them (a decision tape shrinks towards zeros: the
 * default order), and `raceTest.prop` reports them.
 */
import fc from 'fast-check';
import type { Fault, Op, Trigger } from './scenario.js';

/** Trace points of the channel manager that faults are planted on (docs/reference/trace-points.md). */
export const FAULT_POINTS: readonly string[] = [
  'cm.open.begin',
  'locker.acquired',
  'cm.register',
  'cm.takeover.begin.called',
  'ch.takeover.begin.received',
  'cm.takeover.begin.answered',
  'cm.takeover.end.called',
  'cm.kick.called',
  'cm.discard.called',
  'cm.down.batch',
  'cm.cleanup.begin',
];

/** Options of {@link workloadArb}. */
export interface WorkloadOptions {
  /** Client ids the operations use. Default `['a', 'b']`. */
  readonly clientIds?: readonly string[];
  /** Most operations. Default 6. */
  readonly maxOps?: number;
  /** Which operations may appear. Default all. */
  readonly kinds?: readonly Op['kind'][];
  /** Every connect with a socket (`true`) or without (`false`). Default: either. */
  readonly socket?: boolean;
}

type Template =
  | { t: 'connect'; c: number; clean: boolean; socket: boolean }
  | { t: 'publish'; c: number }
  | { t: 'disconnect'; n: number }
  | { t: 'kick' | 'discard' | 'lookup'; c: number };

/**
 * Workloads: connects (clean or resume, with or without a socket), publishes, socket closes,
 * kicks, discards and lookups over a few client ids. Connections are numbered in order; a
 * disconnect names one that exists.
 *
 * @example
 * ```ts
 * fc.sample(workloadArb({ clientIds: ['a'], maxOps: 4 }), 1);
 * ```
 */
export function workloadArb(options: WorkloadOptions = {}): fc.Arbitrary<Op[]> {
  const ids = options.clientIds ?? ['a', 'b'];
  const kinds = new Set(options.kinds ?? ['connect', 'publish', 'disconnect', 'kick', 'discard', 'lookup']);
  const client = fc.nat(ids.length - 1);
  const choices: fc.WeightedArbitrary<Template>[] = [];
  if (kinds.has('connect'))
    choices.push({
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant('connect' as const),
        c: client,
        clean: fc.boolean(),
        socket: options.socket === undefined ? fc.boolean() : fc.constant(options.socket),
      }),
    });
  if (kinds.has('publish'))
    choices.push({ weight: 3, arbitrary: fc.record({ t: fc.constant('publish' as const), c: client }) });
  if (kinds.has('disconnect'))
    choices.push({
      weight: 1,
      arbitrary: fc.record({ t: fc.constant('disconnect' as const), n: fc.nat(7) }),
    });
  for (const t of ['kick', 'discard', 'lookup'] as const) {
    if (kinds.has(t)) choices.push({ weight: 1, arbitrary: fc.record({ t: fc.constant(t), c: client }) });
  }
  return fc
    .array(fc.oneof(...choices), { minLength: 1, maxLength: options.maxOps ?? 6 })
    .map((templates) => toOps(templates, ids));
}

function toOps(templates: readonly Template[], ids: readonly string[]): Op[] {
  const ops: Op[] = [];
  let conns = 0;
  let messages = 0;
  for (const t of templates) {
    const clientId = 'c' in t ? (ids[t.c % ids.length] as string) : '';
    switch (t.t) {
      case 'connect':
        ops.push({ kind: 'connect', conn: ++conns, clientId, clean: t.clean, socket: t.socket });
        break;
      case 'publish':
        ops.push({ kind: 'publish', clientId, id: ++messages });
        break;
      case 'disconnect':
        if (conns > 0) ops.push({ kind: 'disconnect', conn: 1 + (t.n % conns) });
        break;
      case 'kick':
      case 'discard':
      case 'lookup':
        ops.push({ kind: t.t, clientId });
    }
  }
  return ops;
}

/** Options of {@link faultsArb}. */
export interface FaultOptions {
  /** Most faults. Default 1. */
  readonly maxFaults?: number;
  /** Connections the targets are drawn from (`c1` … `c<n>`). Default 4. */
  readonly connections?: number;
  /** Trace points faults may be planted on. Default {@link FAULT_POINTS}. */
  readonly points?: readonly string[];
}

/**
 * Fault plans: kills, hangs and crashes of connections, each at a scheduled step or at a trace
 * point.
 *
 * @example
 * ```ts
 * fc.sample(faultsArb({ maxFaults: 2 }), 1);
 * ```
 */
export function faultsArb(options: FaultOptions = {}): fc.Arbitrary<Fault[]> {
  const points = options.points ?? FAULT_POINTS;
  const trigger: fc.Arbitrary<Trigger | undefined> = fc.option(
    fc.record({ point: fc.constantFrom(...points), nth: fc.nat(1) }),
    { nil: undefined },
  );
  const fault = fc
    .record({
      kind: fc.constantFrom('kill' as const, 'hang' as const, 'crash' as const),
      n: fc.integer({ min: 1, max: options.connections ?? 4 }),
      at: trigger,
    })
    .map(({ kind, n, at }): Fault => (at ? { kind, target: `c${n}`, at } : { kind, target: `c${n}` }));
  return fc.array(fault, { maxLength: options.maxFaults ?? 1 });
}

/**
 * A decision tape: at each choice, the next number picks a candidate — 0 the default, k the
 * k-th other one. It shrinks towards zeros, i.e. towards the default order.
 *
 * @example
 * ```ts
 * fc.sample(decisionTapeArb(), 1); // e.g. [[0, 0, 2, 0]]
 * ```
 */
export function decisionTapeArb(maxLength = 40): fc.Arbitrary<number[]> {
  return fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(4) }), {
    maxLength,
  });
}
