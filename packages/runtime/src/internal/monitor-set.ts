/**
 * The monitors on one process (`monitoredBy`). A connection has two (its manager's and its
 * supervisor's report to the manager), a busy server process thousands (every pending call
 * monitors its callee). Up to {@link SMALL} are kept in an exact-size array, copied on change
 * (≈ 64 B for two, against ≈ 184 B for a `Map`); beyond that, a `Map` by ref id. The copies are
 * made with `concat` and `slice`: a spread or `filter` leaves room for growth (≈ 170 B for two).
 */
import type { Monitor } from './process.js';

/** No monitors, a few in an array, or many in a Map. */
export type MonitorSet = readonly Monitor[] | Map<number, Monitor> | null;

/** The most monitors kept in an array. */
const SMALL = 8;

/** Adds a monitor; returns the new value to store. */
export function addMonitor(set: MonitorSet, monitor: Monitor): MonitorSet {
  if (set === null) return [monitor];
  if (set instanceof Map) return set.set(monitor.ref.id, monitor);
  if (set.length < SMALL) return set.concat(monitor);
  const map = new Map<number, Monitor>();
  for (const m of set) map.set(m.ref.id, m);
  return map.set(monitor.ref.id, monitor);
}

/** Removes the monitor of ref id `id`; returns the new value to store and whether it was there. */
export function removeMonitor(set: MonitorSet, id: number): { set: MonitorSet; had: boolean } {
  if (set === null) return { set, had: false };
  if (set instanceof Map) return { set, had: set.delete(id) };
  const index = set.findIndex((m) => m.ref.id === id);
  if (index < 0) return { set, had: false };
  if (set.length === 1) return { set: null, had: true };
  return { set: set.slice(0, index).concat(set.slice(index + 1)), had: true };
}

/** The monitors, oldest first. */
export function monitorsIn(set: MonitorSet): readonly Monitor[] {
  if (set === null) return [];
  return set instanceof Map ? [...set.values()] : set;
}
