/**
 * Hooks: the channel manager's lifecycle notifications (EMQX's `session.*` and `client.*` hook
 * points). Each carries a timestamp that never goes backwards for one client id, so a consumer
 * can order a client's events even when the clock is adjusted.
 */
import type { Pid } from '@switchboard/runtime';

/** The hook points. */
export type HookName =
  | 'session.created'
  | 'session.resumed'
  | 'session.takenover'
  | 'session.discarded'
  | 'session.kicked'
  | 'session.terminated'
  | 'client.connected'
  | 'client.disconnected';

/** What a hook receives. */
export interface HookEvent {
  readonly hook: HookName;
  readonly clientId: string;
  readonly pid: Pid;
  /** Clock time, never earlier than the previous event's for this client id. */
  readonly at: number;
  /** Why, for `session.terminated` and `client.disconnected` (e.g. `'kicked'`, `'closed'`). */
  readonly reason?: string | undefined;
}

/** Handlers by hook point. A handler that throws is logged and does not affect the channel. */
export type Hooks = Partial<Record<HookName, (event: HookEvent) => void>>;

/**
 * Emits hooks with per-client monotonic timestamps. It keeps one timestamp per client id that
 * has channels; `forget` drops it when the last one is gone.
 */
export class HookEmitter {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly hooks: Hooks,
    private readonly now: () => number,
    private readonly onError: (err: unknown, hook: HookName) => void,
  ) {}

  emit(hook: HookName, clientId: string, pid: Pid, reason?: string): void {
    // Only events someone receives need ordered timestamps: with no handler, nothing to do.
    const handler = this.hooks[hook];
    if (!handler) return;
    const at = Math.max(this.now(), this.last.get(clientId) ?? -Infinity);
    this.last.set(clientId, at);
    try {
      handler({ hook, clientId, pid, at, reason });
    } catch (err) {
      this.onError(err, hook);
    }
  }

  /** Forgets a client id's last timestamp (its last channel is gone). */
  forget(clientId: string): void {
    this.last.delete(clientId);
  }
}
