/**
 * The channel manager process (EMQX's `emqx_cm` gen_server): it owns the pmon, learns of new
 * channels from `ch.registered` (the monitor request a registration sends before it inserts any
 * row), and of dead ones from `rt.down.batch` events. For each batch it erases the pids from the
 * pmon, marks EVERY drained pid disconnected (also those the pmon did not know: the second half
 * of EMQX's live-count fix), and hands ONE cleanup task for the whole batch to the pool.
 */
import { PMon, reply } from '@switchboard/runtime';
import type { DownReason, Pid, Ref, Runtime } from '@switchboard/runtime';
import { setup } from 'xstate';
import { pidKey } from '../channel-tables.js';
import { bugs } from '#bugs';

/** One death as the manager handles it. */
export interface Death {
  readonly pid: Pid;
  readonly reason: DownReason;
}

/** What the manager process does with what it hears; supplied by `createChannelManager`. */
export interface ManagerBehaviour {
  readonly runtime: Runtime;
  /** Marks a dead pid disconnected (synchronously, before the async cleanup: the count falls first). */
  markDead(death: Death, knownClientId: string | undefined): void;
  /** Queues the cleanup of one batch on the pool. */
  submitCleanup(deaths: readonly Death[]): void;
  /** Takes every monitor request queued since the last wake-up. */
  takeRegistrations(): readonly { readonly clientId: string; readonly pid: Pid }[];
}

/** Messages the manager process handles. */
export type ManagerEvent =
  /** Wake-up: monitor requests are queued (see `takeRegistrations`). */
  | { readonly type: 'ch.registered' }
  | { readonly type: 'rt.down.batch'; readonly downs: readonly Death[] }
  | { readonly type: 'ch.sync'; readonly from: unknown }
  | { readonly type: 'ch.pmon.size'; readonly from: unknown };

/** The manager's context: its pmon (pid → client id) and what to do with deaths. */
export interface ManagerContext {
  readonly pmon: PMon<Pid, string, Ref>;
  readonly behaviour: ManagerBehaviour;
}

/** The manager machine. Its input is the behaviour; it keeps the pmon in its context. */
export const managerMachine = setup({
  types: {
    context: {} as ManagerContext,
    events: {} as ManagerEvent,
    input: {} as ManagerBehaviour,
  },
}).createMachine({
  id: 'channel-manager',
  context: ({ input, self }) => {
    const owner = (self as unknown as { pid: Pid }).pid;
    const runtime = input.runtime;
    // Batched monitors: deaths come back as `rt.down.batch`, at most `batchSize` per event.
    const pmon = new PMon<Pid, string, Ref>({
      key: pidKey,
      monitor: (pid) => runtime.monitor(owner, pid, { batch: true }),
      demonitor: (ref) => void runtime.demonitor(ref, { flush: true }),
    });
    return { pmon, behaviour: input };
  },
  on: {
    'ch.registered': {
      actions: ({ context }) => {
        const trace = context.behaviour.runtime.trace;
        for (const { clientId, pid } of context.behaviour.takeRegistrations()) {
          context.pmon.monitor(pid, clientId);
          if (trace.active) trace.tp('cm.monitored', { clientId, pid });
        }
      },
    },
    'rt.down.batch': {
      actions: ({ context, event }) => handleDeaths(context, event.downs),
    },
    'ch.sync': { actions: reply(() => 'ok') },
    'ch.pmon.size': { actions: reply(({ context }) => context.pmon.count) },
  },
});

function handleDeaths({ pmon, behaviour }: ManagerContext, downs: readonly Death[]): void {
  const known = new Map<string, string>();
  for (const [pid, clientId] of pmon.eraseAll(downs.map((d) => d.pid))) known.set(pidKey(pid), clientId);
  const trace = behaviour.runtime.trace;
  if (trace.active) {
    const pids = downs.map((d) => d.pid);
    trace.tp('cm.down.batch', { pids, known: pids.filter((p) => known.has(pidKey(p))) });
  }
  // B2 (EMQX 4.3, before PR #6404): only the pmon's own pids are marked dead and cleaned.
  // Stryker disable next-line all: bug catalogue (docs/reference/bug-catalogue.md)
  const deaths = bugs.B2 ? downs.filter((d) => known.has(pidKey(d.pid))) : downs;
  for (const death of deaths) behaviour.markDead(death, known.get(pidKey(death.pid)));
  if (deaths.length > 0) behaviour.submitCleanup(deaths);
}
