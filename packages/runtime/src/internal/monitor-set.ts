/**
 * The monitors on one process (`monitoredBy`). A connection has one (its manager's), a busy server
 * process thousands (every pending call monitors its callee). One is kept bare; up to {@link SMALL}
 * in an exact-size array, copied on change (≈ 64 B for two, against ≈ 184 B for a `Map`); beyond
 * that, a `Map` by ref id. The copies are made with `concat` and `slice`: a spread or `filter`
 * leaves room for growth (≈ 170 B for two).
 */
import type { Monitor } from './process.js';

/** No monitors, one, a few in an array, or many in a Map. */
export type MonitorSet = Monitor | readonly Monitor[] | Map<number, Monitor> | null;

/** The most monitors kept in an array. */
const SMALL = 8;

/** Adds a monitor; returns the new value to store. */
export function addMonitor(set: MonitorSet, monitor: Monitor): MonitorSet {
  if (set === null) return monitor;
  if (set instanceof Map) return set.set(monitor.ref.id, monitor);
  if (!Array.isArray(set)) return [set as Monitor, monitor];
  const list = set as readonly Monitor[];
  if (list.length < SMALL) return list.concat(monitor);
  const map = new Map<number, Monitor>();
  for (const m of list) map.set(m.ref.id, m);
  return map.set(monitor.ref.id, monitor);
}

/** Removes the monitor of ref id `id`; returns the new value to store and whether it was there. */
export function removeMonitor(set: MonitorSet, id: number): { set: MonitorSet; had: boolean } {
  if (set === null) return { set, had: false };
  if (set instanceof Map) return { set, had: set.delete(id) };
  if (!Array.isArray(set))
    return (set as Monitor).ref.id === id ? { set: null, had: true } : { set, had: false };
  const list = set as readonly Monitor[];
  const index = list.findIndex((m) => m.ref.id === id);
  if (index < 0) return { set, had: false };
  if (list.length === 2) return { set: list[1 - index] as Monitor, had: true };
  return { set: list.slice(0, index).concat(list.slice(index + 1)), had: true };
}

/** The monitors, oldest first. */
export function monitorsIn(set: MonitorSet): readonly Monitor[] {
  if (set === null) return [];
  if (set instanceof Map) return [...set.values()];
  return Array.isArray(set) ? (set as readonly Monitor[]) : [set as Monitor];
}
