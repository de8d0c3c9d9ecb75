/**
 * `createMemoryRegistry`: the in-memory implementation of the {@link Registry} port, EMQX's
 * `emqx_cm_registry` for a single node. It owns one bag of (clientId, pid) rows. The promises
 * it returns are already settled: the port is async only so that a cluster backend (Redis) can
 * implement it too.
 */
import type { Pid } from '@switchboard/runtime';
import { pidKey } from './channel-tables.js';
import { Bag } from './internal/bag.js';
import type { Registry } from './registry.js';

/** The in-memory registry: the {@link Registry} port plus a synchronous listing for tests and the inspector. */
export interface MemoryRegistry extends Registry {
  /** Every (clientId, pid) row, grouped by client id, each group in registration order. */
  rows(): { readonly clientId: string; readonly pid: Pid }[];
}

/**
 * Creates an empty in-memory registry: a bag clientId → pid where registering a row twice keeps
 * one, unregister deletes exactly one (clientId, pid) row, and lookups list pids oldest
 * registration first.
 *
 * @example
 * ```ts
 * const registry = createMemoryRegistry();
 * await registry.register('c1', oldPid);
 * await registry.register('c1', newPid);
 * await registry.unregister('c1', oldPid); // newPid's row stays
 * await registry.lookup('c1'); // [newPid]
 * ```
 */
export function createMemoryRegistry(): MemoryRegistry {
  // clientId → (String(pid) → pid): pids are objects, so they key by their (cached) text; the bag
  // keeps insertion order, which is registration order (a re-registered pair keeps its first place).
  const bag = new Bag<Pid>(pidKey);

  return {
    register(clientId, pid) {
      bag.add(clientId, pidKey(pid), pid);
      return Promise.resolve();
    },
    unregister(clientId, pid) {
      bag.delete(clientId, pidKey(pid));
      return Promise.resolve();
    },
    lookup(clientId) {
      return Promise.resolve(bag.values(clientId));
    },
    size: () => bag.rows,
    rows() {
      const out: { clientId: string; pid: Pid }[] = [];
      for (const [clientId, , pid] of bag.entries()) out.push({ clientId, pid });
      return out;
    },
  };
}
