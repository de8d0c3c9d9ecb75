/**
 * Workload mixes: families of (workload, fault plan) aimed at the classes of race a connection
 * layer has, so that a run budget is not spent on workloads that cannot reach them. A broad random
 * workload rarely lines up one publish with one takeover step, and its random clean starts make a
 * client id lossy, which switches the conservation check off; each mix here keeps the shape of
 * one class and leaves the details (how many connections, sockets, publishes, which trace point,
 * which fault) to fast-check. `findRace` draws one mix per run (see `mixArb`).
 *
 * - `handover`: resumes only (the conservation check stays on), publishes between them, and at a
 *   takeover step a publish, or the taker or the old channel killed, hung or crashed;
 * - `contention`: several opens of one client id, clean or not, meant to overlap (the `overlap`
 *   strategy issues them while the previous one is still running), an opener killed on the way;
 * - `stuck`: an open whose old channel hangs when its stepdown is requested, the opener killed
 *   while it waits, and the client reconnecting at once;
 * - `deaths`: connections killed at registration, monitoring or stepdown steps, next to kicks,
 *   discards and socket closes (the `downsFirst` strategy lets the DOWNs overtake);
 * - `broad`: any operation on any client id, with any fault (`workloadArb`, `faultsArb`).
 */
import fc from 'fast-check';
import { workloadArb, FAULT_POINTS } from './arbitraries.js';
import type { FaultOptions, WorkloadOptions } from './arbitraries.js';
import type { Fault, Op, Trigger } from './scenario.js';

/** A workload and its fault plan: a scenario without decisions. */
export interface Plan {
  readonly workload: Op[];
  readonly faults: Fault[];
}

/** The names of the built-in mixes, in the order `mixArb` weighs them. */
export const MIX_NAMES = ['handover', 'contention', 'stuck', 'deaths', 'broad'] as const;

/** A mix's name. */
export type MixName = (typeof MIX_NAMES)[number];

/** What every mix reads from the user's options (the same options as `workloadArb` and `faultsArb`). */
export interface MixOptions {
  readonly workload?: WorkloadOptions;
  readonly faults?: FaultOptions;
}

/** The trace points of a takeover, in the order one passes them. */
const TAKEOVER_POINTS = [
  'cm.takeover.begin.called',
  'ch.takeover.begin.received',
  'cm.takeover.begin.answered',
  'cm.register',
  'cm.takeover.end.called',
] as const;

/** Where a channel can die next to its registration, its monitor or a stepdown. */
const DEATH_POINTS = [
  'cm.open.begin',
  'cm.register',
  'cm.live.incremented',
  'cm.monitored',
  'cm.kick.called',
  'cm.discard.called',
  'cm.takeover.end.called',
] as const;

const killKinds = fc.constantFrom('kill' as const, 'crash' as const);
const anyKind = fc.constantFrom('kill' as const, 'hang' as const, 'crash' as const);
/** Mostly the first occurrence of a point: the step a race needs is usually the first of its kind. */
const nth = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) });

/**
 * One mix's arbitrary.
 *
 * @example
 * ```ts
 * fc.sample(mixPlanArb('handover'), 1); // [{ workload: [connect c1, publish, connect c2], faults: [...] }]
 * ```
 */
export function mixPlanArb(name: MixName, options: MixOptions = {}): fc.Arbitrary<Plan> {
  const arb = build(name, options);
  return arb.map((plan) => restrict(plan, options));
}

/** How often each mix is drawn: a handover has the most steps to race on. */
const WEIGHTS: Readonly<Record<MixName, number>> = {
  handover: 3,
  contention: 1,
  stuck: 1,
  deaths: 2,
  broad: 1,
};

/**
 * A plan from one of the mixes, weighted towards the handover (3 in 8) and deaths (2 in 8).
 *
 * @example
 * ```ts
 * const plans = mixArb(['handover', 'broad'], { workload: { clientIds: ['a', 'b'] } });
 * ```
 */
export function mixArb(names: readonly MixName[] = MIX_NAMES, options: MixOptions = {}): fc.Arbitrary<Plan> {
  return fc.oneof(...names.map((name) => ({ weight: WEIGHTS[name], arbitrary: mixPlanArb(name, options) })));
}

function build(name: MixName, options: MixOptions): fc.Arbitrary<Plan> {
  const ids = options.workload?.clientIds ?? ['a', 'b'];
  const id = ids[0] as string;
  const socket = options.workload?.socket === undefined ? fc.boolean() : fc.constant(options.workload.socket);
  switch (name) {
    case 'handover':
      return handover(id, socket);
    case 'contention':
      return contention(id, socket);
    case 'stuck':
      return stuck(id, socket);
    case 'deaths':
      return deaths(ids, socket);
    case 'broad':
      return broad(options);
  }
}

/** Resumes of one client id with publishes between them; a publish or a fault at a takeover step. */
function handover(id: string, socket: fc.Arbitrary<boolean>): fc.Arbitrary<Plan> {
  const point = fc.constantFrom(...TAKEOVER_POINTS);
  const fault = fc.oneof(
    { weight: 2, arbitrary: fc.record({ t: fc.constant('publish' as const), point, nth }) },
    // A taker that dies mid-takeover is the commonest fault of a handover: weighed up.
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('fault' as const),
        who: fc.constant('taker' as const),
        kind: killKinds,
        point,
        nth,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('fault' as const),
        who: fc.constantFrom('taker' as const, 'old' as const),
        kind: anyKind,
        point,
        nth,
      }),
    },
  );
  return fc
    .record({
      conns: fc.array(fc.record({ socket, publishes: fc.nat(2) }), { minLength: 2, maxLength: 3 }),
      fault: fc.option(fault, { freq: 4, nil: undefined }),
    })
    .map(({ conns, fault: f }) => {
      const workload: Op[] = [];
      let messages = 0;
      conns.forEach((c, i) => {
        workload.push({ kind: 'connect', conn: i + 1, clientId: id, clean: false, socket: c.socket });
        for (let k = 0; k < c.publishes; k++)
          workload.push({ kind: 'publish', clientId: id, id: ++messages });
      });
      const faults: Fault[] = [];
      if (f) {
        // The nth takeover of a resume-only sequence is c<nth+2> taking over from c<nth+1>.
        const n = Math.min(f.nth, conns.length - 2);
        const at: Trigger = { point: f.point, clientId: id, nth: n };
        if (f.t === 'publish') faults.push({ kind: 'publish', clientId: id, id: 100 + n, at });
        else faults.push({ kind: f.kind, target: `c${n + (f.who === 'taker' ? 2 : 1)}`, at });
      }
      return { workload, faults };
    });
}

/** Several opens of one client id, an opener possibly killed on the way. */
function contention(id: string, socket: fc.Arbitrary<boolean>): fc.Arbitrary<Plan> {
  return fc
    .record({
      conns: fc.array(fc.record({ clean: fc.boolean(), socket }), { minLength: 2, maxLength: 3 }),
      publish: fc.boolean(),
      lookup: fc.boolean(),
      fault: fc.option(
        fc.record({
          kind: killKinds,
          who: fc.nat(2),
          point: fc.constantFrom('cm.open.begin', 'locker.acquired', 'cm.register'),
        }),
        { nil: undefined },
      ),
    })
    .map(({ conns, publish, lookup, fault }) => {
      const workload: Op[] = conns.map((c, i) => ({
        kind: 'connect' as const,
        conn: i + 1,
        clientId: id,
        clean: c.clean,
        socket: c.socket,
      }));
      if (publish) workload.push({ kind: 'publish', clientId: id, id: 1 });
      if (lookup) workload.push({ kind: 'lookup', clientId: id });
      const faults: Fault[] = [];
      if (fault) {
        const who = fault.who % conns.length;
        faults.push({
          kind: fault.kind,
          target: `c${who + 1}`,
          at: { point: fault.point, clientId: id, nth: who },
        });
      }
      return { workload, faults };
    });
}

/** An open whose old channel hangs at its stepdown; the opener killed while it waits; a reconnect. */
function stuck(id: string, socket: fc.Arbitrary<boolean>): fc.Arbitrary<Plan> {
  return fc
    .record({
      first: fc.record({ clean: fc.boolean(), socket }),
      second: fc.record({ clean: fc.boolean(), socket }),
      reconnect: fc.option(fc.record({ clean: fc.boolean(), socket }), { nil: undefined }),
      publish: fc.boolean(),
      killOpener: fc.option(killKinds, { nil: undefined }),
    })
    .map(({ first, second, reconnect, publish, killOpener }) => {
      const workload: Op[] = [{ kind: 'connect', conn: 1, clientId: id, ...first }];
      if (publish) workload.push({ kind: 'publish', clientId: id, id: 1 });
      workload.push({ kind: 'connect', conn: 2, clientId: id, ...second });
      if (reconnect) workload.push({ kind: 'connect', conn: 3, clientId: id, ...reconnect });
      // The second open asks the first channel to step down: discard for a clean start, takeover otherwise.
      const at: Trigger = {
        point: second.clean ? 'cm.discard.called' : 'cm.takeover.begin.called',
        clientId: id,
        nth: 0,
      };
      const faults: Fault[] = [{ kind: 'hang', target: 'c1', at }];
      if (killOpener) faults.push({ kind: killOpener, target: 'c2', at });
      return { workload, faults };
    });
}

/** Connections of one or two client ids dying next to registrations, monitors and stepdowns. */
function deaths(ids: readonly string[], socket: fc.Arbitrary<boolean>): fc.Arbitrary<Plan> {
  const two = ids.slice(0, 2);
  const step = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ t: fc.constant('connect' as const), c: fc.nat(1), clean: fc.boolean(), socket }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constantFrom('kick' as const, 'discard' as const, 'disconnect' as const),
        c: fc.nat(1),
      }),
    },
  );
  return fc
    .record({
      steps: fc.array(step, { minLength: 1, maxLength: 4 }),
      fault: fc.record({ kind: killKinds, victim: fc.nat(3), point: fc.constantFrom(...DEATH_POINTS) }),
    })
    .map(({ steps, fault }) => {
      const workload: Op[] = [];
      const connects: { conn: number; clientId: string; nth: number }[] = [];
      const perId = new Map<string, number>();
      for (const s of steps) {
        const clientId = two[s.c % two.length] as string;
        if (s.t === 'connect') {
          const nthOfId = perId.get(clientId) ?? 0;
          perId.set(clientId, nthOfId + 1);
          connects.push({ conn: connects.length + 1, clientId, nth: nthOfId });
          workload.push({
            kind: 'connect',
            conn: connects.length,
            clientId,
            clean: s.clean,
            socket: s.socket,
          });
        } else if (s.t === 'disconnect') {
          if (connects.length > 0) workload.push({ kind: 'disconnect', conn: connects.length });
        } else {
          workload.push({ kind: s.t, clientId });
        }
      }
      const faults: Fault[] = [];
      const victim = connects[fault.victim % Math.max(1, connects.length)];
      if (victim) {
        // Its own open's points are the nth of its client id (the earlier connects of the id came first).
        const at: Trigger = { point: fault.point, clientId: victim.clientId, nth: victim.nth };
        faults.push({ kind: fault.kind, target: `c${victim.conn}`, at });
      }
      return { workload, faults };
    });
}

/** Any operation, any fault: `workloadArb` and a fault plan over the connections it made. */
function broad(options: MixOptions): fc.Arbitrary<Plan> {
  return workloadArb(options.workload).chain((workload) => {
    const conns = workload.filter((op) => op.kind === 'connect').length;
    const maxFaults = options.faults?.maxFaults ?? 1;
    if (conns === 0 || maxFaults === 0) return fc.constant({ workload, faults: [] });
    const points = options.faults?.points ?? FAULT_POINTS;
    const fault = fc
      .record({
        kind: anyKind,
        n: fc.integer({ min: 1, max: conns }),
        at: fc.option(fc.record({ point: fc.constantFrom(...points), nth }), { nil: undefined }),
      })
      .map(({ kind, n, at }): Fault => (at ? { kind, target: `c${n}`, at } : { kind, target: `c${n}` }));
    return fc.array(fault, { maxLength: maxFaults }).map((faults) => ({ workload, faults }));
  });
}

/** Applies the user's limits to a plan: allowed operation kinds, at most `maxFaults` faults. */
function restrict(plan: Plan, options: MixOptions): Plan {
  const kinds = options.workload?.kinds;
  const maxFaults = options.faults?.maxFaults;
  let { workload, faults } = plan;
  if (kinds) workload = workload.filter((op) => kinds.includes(op.kind));
  if (maxFaults !== undefined && faults.length > maxFaults) faults = faults.slice(0, maxFaults);
  return { workload, faults };
}
