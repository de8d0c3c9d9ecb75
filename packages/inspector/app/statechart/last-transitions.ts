/**
 * Which chart edges the last transitions took. The feed reports events with the active states after
 * each, not the transition itself, so this is a best-effort match: an edge whose source is (an
 * ancestor of) a state active before the event, whose target is (an ancestor of) a state active
 * after it, and whose label names the event.
 */
import type { ActorEvent, ChartEdge, ChartMessage, ChartNode } from '../../src/feed-protocol.js';

/** How many recent transitions are marked. */
export const MARKED_TRANSITIONS = 3;

/** Each state id's parent id, for walking up from active states. */
export function parentsOf(root: ChartNode): Map<string, string> {
  const parents = new Map<string, string>();
  const walk = (node: ChartNode) => {
    for (const child of node.children) {
      parents.set(child.id, node.id);
      walk(child);
    }
  };
  walk(root);
  return parents;
}

function withAncestors(ids: readonly string[], parents: ReadonlyMap<string, string>): Set<string> {
  const all = new Set<string>();
  for (const id of ids) {
    for (
      let current: string | undefined = id;
      current !== undefined && !all.has(current);
      current = parents.get(current)
    ) {
      all.add(current);
    }
  }
  return all;
}

/** The event part of a label: `PING [isAlive]` → `PING`. */
function labelEvent(label: string): string {
  const bracket = label.indexOf(' [');
  return bracket === -1 ? label : label.slice(0, bracket);
}

/** 2: the label names this event, 1: an eventless (`always`) edge that may have followed it, 0: no. */
function eventScore(edge: ChartEdge, eventType: string): number {
  const event = labelEvent(edge.label);
  if (event === eventType) return 2;
  // XState's delayed events are `xstate.after.<delay>.<state id>`; labels say `after <n>ms` for a
  // number and `after <name>` for a named delay.
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (delayed && (event === `after ${delayed[1]}ms` || event === `after ${delayed[1]}`)) return 2;
  if (event === 'always' || event === '') return 1;
  return 0;
}

/** `baseStateIds`: the active states before `events[0]`, when known. */
export function lastTakenEdges(
  chart: ChartMessage,
  events: readonly ActorEvent[],
  baseStateIds?: readonly string[],
): Set<string> {
  const parents = parentsOf(chart.root);
  const taken = new Set<string>();
  let transitions = 0;
  for (let index = events.length - 1; index >= 0 && transitions < MARKED_TRANSITIONS; index--) {
    const event = events[index];
    const before = index > 0 ? events[index - 1]?.stateIds : baseStateIds;
    if (!event || !before || !event.changed) continue;
    transitions++;
    const activeBefore = withAncestors(before, parents);
    const activeAfter = withAncestors(event.stateIds, parents);
    let best: { edge: ChartEdge; score: number } | undefined;
    for (const edge of chart.edges) {
      if (!activeBefore.has(edge.source) || !activeAfter.has(edge.target)) continue;
      let score = eventScore(edge, event.type) * 10;
      if (score === 0) continue;
      // Prefer an edge into a newly entered state over one into a state that stayed active.
      if (!activeBefore.has(edge.target)) score += 1;
      if (!best || score > best.score) best = { edge, score };
    }
    if (best) taken.add(best.edge.id);
  }
  return taken;
}
