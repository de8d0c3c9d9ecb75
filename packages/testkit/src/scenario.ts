/**
 * A run of the simulation world is fully described by three lists, and that triple — not a
 * seed — is what a failure prints and what a replay takes: the workload (what clients do), the
 * faults (what goes wrong), and the decisions (where the schedule left its default order).
 * Everything here is plain JSON, so a failure becomes one copy-pasteable line.
 */
import { InvalidReplayLine } from './errors.js';

/**
 * One client operation. Connections are numbered: `conn: 1` is the process named `c1`. The
 * operations are issued in order; by default each once the world has settled, and the schedule
 * may issue the next one early, so that it overlaps the work still going on.
 *
 * @example
 * ```ts
 * const workload: Op[] = [
 *   { kind: 'connect', conn: 1, clientId: 'a', clean: false, socket: true },
 *   { kind: 'publish', clientId: 'a', id: 1 },
 *   { kind: 'connect', conn: 2, clientId: 'a', clean: false, socket: true },
 * ];
 * ```
 */
export type Op =
  /** Spawns connection `c<conn>` and opens its session (clean start or resume). */
  | {
      readonly kind: 'connect';
      readonly conn: number;
      readonly clientId: string;
      readonly clean: boolean;
      /** With a socket the channel sends deliveries out; without, it opens disconnected. */
      readonly socket: boolean;
    }
  /** `cm.deliver(clientId, { id: 'm<id>' })`: a message for the client id's newest channel. */
  | { readonly kind: 'publish'; readonly clientId: string; readonly id: number }
  /** The socket of `c<conn>` closes (`ch.socket.closed`). */
  | { readonly kind: 'disconnect'; readonly conn: number }
  | { readonly kind: 'kick'; readonly clientId: string }
  | { readonly kind: 'discard'; readonly clientId: string }
  /** `cm.lookupChannels(clientId)`: recorded in the history the linearizability check reads. */
  | { readonly kind: 'lookup'; readonly clientId: string };

/**
 * Where a fault fires: the `nth` (from 0) trace point of `point`, optionally only points whose
 * `clientId` field matches.
 *
 * @example
 * ```ts
 * const trigger: Trigger = { point: 'cm.takeover.begin.called', clientId: 'a' };
 * ```
 */
export interface Trigger {
  readonly point: string;
  readonly nth?: number;
  readonly clientId?: string;
}

/**
 * Something going wrong, or extra workload, at a step the schedule chooses (no `at`) or exactly
 * when a trace point is hit (`at`). Targets: `c<n>` (a connection), `cm` (the manager process),
 * or a registered process name.
 *
 * @example
 * ```ts
 * const faults: Fault[] = [
 *   { kind: 'hang', target: 'c1' },                                             // at a scheduled step
 *   { kind: 'publish', clientId: 'a', id: 9, at: { point: 'cm.takeover.begin.called' } }, // extra workload
 * ];
 * ```
 */
export type Fault =
  /** Killed (`'kill'`, untrappable). */
  | { readonly kind: 'kill'; readonly target: string; readonly at?: Trigger }
  /** Stops answering (suspended: alive and monitored, its mailbox fills up). */
  | { readonly kind: 'hang'; readonly target: string; readonly at?: Trigger }
  /** Crashes (exits `{ error }`, as a throw in its handler would). */
  | { readonly kind: 'crash'; readonly target: string; readonly at?: Trigger }
  /** A publish, as the workload's, fired by the fault plan. */
  | { readonly kind: 'publish'; readonly clientId: string; readonly id: number; readonly at?: Trigger };

/**
 * One place where the schedule left its default: at the step whose default candidate is
 * `[0]`, the candidate `[1]` ran instead. Labels carry per-label counts (`deliver:c1>cm@0`), so
 * a decision still names the same step after unrelated operations are removed.
 *
 * @example
 * ```ts
 * const d: Deviation = ['deliver:ext>cm@0', 'op:connect:c2@0']; // the second connect before cm hears of the first
 * ```
 */
export type Deviation = readonly [at: string, take: string];

/**
 * A whole run: replaying it gives the same trace, step for step.
 *
 * @example
 * ```ts
 * const scenario: Scenario = { workload: [{ kind: 'kick', clientId: 'a' }], faults: [], decisions: [] };
 * ```
 */
export interface Scenario {
  readonly workload: readonly Op[];
  readonly faults: readonly Fault[];
  readonly decisions: readonly Deviation[];
}

const PREFIX = 'race-replay ';

/**
 * The label of a workload operation — its kind and what it acts on — as its scheduler unit is
 * named (`op:` + label), so decisions keep naming it when operations before it are removed.
 *
 * @example
 * ```ts
 * opLabel({ kind: 'publish', clientId: 'a', id: 5 }); // 'publish:m5'
 * ```
 */
export function opLabel(op: Op): string {
  switch (op.kind) {
    case 'connect':
    case 'disconnect':
      return `${op.kind}:c${op.conn}`;
    case 'publish':
      return `publish:m${op.id}`;
    case 'kick':
    case 'discard':
    case 'lookup':
      return `${op.kind}:${op.clientId}`;
  }
}

/**
 * The label of a fault scheduled without a trigger (it runs as a unit of the fault lane).
 *
 * @example
 * ```ts
 * faultLaneLabel({ kind: 'kill', target: 'c1' }); // 'kill:c1'
 * ```
 */
export function faultLaneLabel(fault: Fault): string {
  return `${fault.kind}:${fault.kind === 'publish' ? `m${fault.id}` : fault.target}`;
}

/**
 * Formats a scenario as one line that {@link parseReplayLine} reads back.
 *
 * @example
 * ```ts
 * formatReplayLine({ workload: [], faults: [], decisions: [] });
 * // 'race-replay {"workload":[],"faults":[],"decisions":[]}'
 * ```
 */
export function formatReplayLine(scenario: Scenario): string {
  const { workload, faults, decisions } = scenario;
  return PREFIX + JSON.stringify({ workload, faults, decisions });
}

/**
 * Reads a line printed by {@link formatReplayLine} (the `race-replay ` prefix is optional).
 *
 * @example
 * ```ts
 * const scenario = parseReplayLine('race-replay {"workload":[],"faults":[],"decisions":[]}');
 * ```
 * @throws {TypeError} TK_ERR_INVALID_REPLAY when the line is not a scenario.
 */
export function parseReplayLine(line: string): Scenario {
  const text = line.trim().startsWith(PREFIX) ? line.trim().slice(PREFIX.length) : line.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidReplayLine('not JSON', { cause });
  }
  const v = value as Partial<Scenario> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    !Array.isArray(v.workload) ||
    !Array.isArray(v.faults) ||
    !Array.isArray(v.decisions) ||
    !v.decisions.every((d) => Array.isArray(d) && d.length === 2 && d.every((x) => typeof x === 'string'))
  ) {
    throw new InvalidReplayLine('expected { workload: [], faults: [], decisions: [[at, take]] }');
  }
  return { workload: v.workload, faults: v.faults, decisions: v.decisions };
}
