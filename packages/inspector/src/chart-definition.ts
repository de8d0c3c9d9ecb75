/**
 * A state machine's chart, as the page lays it out: the state node tree and one edge per
 * transition target, built once per machine object (a WeakMap) from XState's resolved state nodes.
 */
import { createMachine } from 'xstate';
import type { ChartEdge, ChartMessage, ChartNode } from './feed-protocol.js';

/** The parts of XState's `StateNode` a chart reads (structural: any v5 machine has them). */
interface StateNodeLike {
  readonly id: string;
  readonly key: string;
  readonly type: ChartNode['type'];
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly initial?: { readonly target?: readonly StateNodeLike[] } | undefined;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly after?: readonly { readonly eventType: string; readonly delay: number | string }[];
}

interface TransitionLike {
  readonly target?: readonly StateNodeLike[] | undefined;
  readonly guard?: unknown;
}

/** What a machine snapshot carries (`snapshot.machine`). */
export interface MachineLike {
  readonly id: string;
  readonly root: StateNodeLike;
}

export function isMachine(value: unknown): value is MachineLike {
  const root = (value as { root?: { states?: unknown; id?: unknown } } | null)?.root;
  return (
    typeof (value as { id?: unknown } | null)?.id === 'string' &&
    typeof root?.id === 'string' &&
    typeof root.states === 'object'
  );
}

const charts = new WeakMap<object, ChartMessage>();
let nextMachine = 0;

/** The chart of `machine`, keyed `<machine id>#<n>` so two machines with one id stay apart. */
export function chartOf(machine: MachineLike): ChartMessage {
  const cached = charts.get(machine);
  if (cached) return cached;
  const edges: ChartEdge[] = [];
  const chart: ChartMessage = {
    t: 'chart',
    machine: `${machine.id}#${nextMachine++}`,
    root: toNode(machine.root, edges),
    edges,
  };
  charts.set(machine, chart);
  return chart;
}

/**
 * The chart of a machine config received as JSON from an XState app (`@statelyai/inspect`'s
 * `definition`). Actions and guards named there need no implementation to be resolved; a config
 * XState refuses yields undefined (the actor is shown without a chart).
 */
export function chartOfConfig(definition: string): { chart: ChartMessage; machine: MachineLike } | undefined {
  try {
    const config = JSON.parse(definition) as Record<string, unknown>;
    if (typeof config !== 'object' || config === null || typeof config['states'] !== 'object')
      return undefined;
    const machine = createMachine(config as Parameters<typeof createMachine>[0]) as unknown as MachineLike;
    return { chart: chartOf(machine), machine };
  } catch {
    return undefined;
  }
}

function toNode(node: StateNodeLike, edges: ChartEdge[]): ChartNode {
  const delays = new Map((node.after ?? []).map((a) => [a.eventType, a.delay]));
  for (const [eventType, transitions] of node.transitions) {
    const delay = delays.get(eventType);
    addEdges(
      node,
      delay === undefined ? eventType : `after ${String(delay)}${typeof delay === 'number' ? 'ms' : ''}`,
      transitions,
      edges,
    );
  }
  if (node.always) addEdges(node, 'always', node.always, edges);
  const initial = node.type === 'compound' ? node.initial?.target?.[0]?.id : undefined;
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    ...(initial !== undefined ? { initial } : {}),
    children: Object.values(node.states).map((child) => toNode(child, edges)),
  };
}

function addEdges(
  source: StateNodeLike,
  event: string,
  transitions: readonly TransitionLike[],
  edges: ChartEdge[],
): void {
  for (const transition of transitions) {
    const guard = guardName(transition.guard);
    const label = guard ? `${event} [${guard}]` : event;
    for (const target of transition.target ?? []) {
      edges.push({ id: `e${edges.length}`, source: source.id, target: target.id, label });
    }
  }
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'guard';
}

/**
 * The ids of the active state nodes for a state value: the root, and every node on the path to
 * each active leaf (`{ a: { b: 'c' } }` → root, a, a.b, a.b.c).
 */
export function activeStateIds(machine: MachineLike, value: unknown): string[] {
  const ids = [machine.root.id];
  walk(machine.root, value, ids);
  return ids;
}

function walk(node: StateNodeLike, value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    const child = node.states[value];
    if (child) out.push(child.id);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, sub] of Object.entries(value as Record<string, unknown>)) {
    const child = node.states[key];
    if (!child) continue;
    out.push(child.id);
    walk(child, sub, out);
  }
}

/** A state value as one line: `a`, `a.b`, `{p: x, q: {r: s}}` → `p.x,q.r.s`. */
export function stateLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return JSON.stringify(value) ?? '';
  return Object.entries(value as Record<string, unknown>)
    .map(([key, sub]) => {
      const rest = stateLabel(sub);
      return rest.includes(',') ? `${key}.{${rest}}` : rest ? `${key}.${rest}` : key;
    })
    .join(',');
}
