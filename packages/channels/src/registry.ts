/**
 * The Registry port: the global (cluster-wide) registry of client id → channel pids, EMQX's
 * `emqx_cm_registry`. A bag: one row per (clientId, pid). In-memory implementation in
 * `memory-registry.ts`; the Redis one (with fencing) comes with the cluster backend.
 */
import type { Pid } from '@switchboard/runtime';

/** The Registry port. */
export interface Registry {
  /** Adds the (clientId, pid) row; registering twice keeps one row. */
  register(clientId: string, pid: Pid): Promise<void>;
  /** Deletes exactly the (clientId, pid) row; other pids under clientId are untouched. */
  unregister(clientId: string, pid: Pid): Promise<void>;
  /** The pids registered for clientId, oldest registration first. */
  lookup(clientId: string): Promise<Pid[]>;
  /** Number of rows. */
  size(): number;
}
