/**
 * The inspection stream: XState-compatible events (`@xstate.event`, `@xstate.snapshot`,
 * `@xstate.microstep`, `@xstate.action`, `@xstate.actor`) for what happens inside processes, and
 * `rt.*` events for what only the runtime sees (spawn, exit, DOWN, links, overflow, restarts).
 * Nothing is built while no one subscribes.
 */
import type { DownReason, ExitReason } from './exit-reason.js';
import type { Pid, Ref } from './pid.js';

/**
 * The view of a process that XState-shaped inspection events carry as `actorRef` / `sourceRef`:
 * what XState tools read (`sessionId`, `id`, `getSnapshot`) plus the pid.
 */
export interface ProcessRef {
  readonly pid: Pid;
  readonly sessionId: string;
  readonly id: string;
  getSnapshot(): unknown;
}

/** An XState inspection event as the runtime forwards it (`rootId` is the process's sessionId). */
export interface XStateInspectionEvent {
  readonly type:
    '@xstate.event' | '@xstate.snapshot' | '@xstate.microstep' | '@xstate.action' | '@xstate.actor';
  readonly rootId: string;
  readonly actorRef: ProcessRef | { readonly sessionId: string; readonly id: string };
  readonly sourceRef?: ProcessRef | { readonly sessionId: string; readonly id: string } | undefined;
  readonly event?: { readonly type: string };
  readonly snapshot?: unknown;
  readonly action?: { readonly type: string; readonly params: unknown };
  readonly [key: string]: unknown;
}

/** Events only the runtime can see. */
export type RuntimeInspectionEvent =
  | {
      readonly type: 'rt.spawn';
      readonly pid: Pid;
      readonly name: string | undefined;
      readonly parent: Pid | undefined;
    }
  | { readonly type: 'rt.exit'; readonly pid: Pid; readonly reason: ExitReason }
  | {
      readonly type: 'rt.down';
      readonly ref: Ref;
      readonly pid: Pid;
      readonly watcher: Pid | undefined;
      readonly reason: DownReason;
    }
  | { readonly type: 'rt.down.batch'; readonly watcher: Pid; readonly size: number }
  | {
      readonly type: 'rt.monitor';
      readonly ref: Ref;
      readonly watcher: Pid | undefined;
      readonly target: Pid;
    }
  | { readonly type: 'rt.link' | 'rt.unlink'; readonly a: Pid; readonly b: Pid }
  | {
      readonly type: 'rt.mailbox.overflow';
      readonly pid: Pid;
      readonly policy: string;
      readonly length: number;
      readonly dropped: number;
    }
  | {
      readonly type: 'rt.restart';
      readonly supervisor: Pid;
      readonly childId: string;
      readonly old: Pid | undefined;
      readonly pid: Pid | undefined;
      readonly reason: DownReason;
    };

/** Everything the inspection stream carries. */
export type InspectionEvent = XStateInspectionEvent | RuntimeInspectionEvent;

/** A subscriber of the inspection stream. */
export type InspectionObserver = (event: InspectionEvent) => void;

/** Options of `runtime.inspect`. */
export interface InspectOptions {
  /**
   * Which processes' XState events (`@xstate.*`) this observer needs: `'all'` (the default), or
   * `'watched'` — only those of processes someone holds with `runtime.watch(pid)`. With only
   * `'watched'` observers, unwatched processes build no XState events at all (an inspector that
   * shows one connection's events costs the other processes nothing). `rt.*` events always flow.
   * Observers still receive every event emitted, so a `'watched'` observer filters by pid itself.
   */
  readonly xstate?: 'all' | 'watched';
}

/** Returned by `runtime.inspect`. */
export interface Subscription {
  unsubscribe(): void;
}
