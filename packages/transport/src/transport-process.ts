/**
 * The transport's own process: the connection supervisor reports every connection process's
 * death to it in DOWN batches, and it hands each batch to the server, which closes the socket
 * with the matching reason, removes room memberships and fires `onConnStop`.
 */
import { setup } from 'xstate';
import type { DownReason, Pid } from '@switchboard/runtime';

/** One death of a connection process. */
export interface ConnectionDeath {
  readonly pid: Pid;
  readonly reason: DownReason;
}

/** What the process does with a batch; supplied by the server. */
export interface TransportBehaviour {
  onDeaths(deaths: readonly ConnectionDeath[]): void;
}

/** The events the transport process handles. */
export type TransportEvent = { readonly type: 'rt.down.batch'; readonly downs: readonly ConnectionDeath[] };

/** The transport process's machine (input: the behaviour). */
export const transportMachine = setup({
  types: {
    context: {} as { readonly behaviour: TransportBehaviour },
    events: {} as TransportEvent,
    input: {} as TransportBehaviour,
  },
}).createMachine({
  id: 'transport',
  context: ({ input }) => ({ behaviour: input }),
  on: {
    'rt.down.batch': { actions: ({ context, event }) => context.behaviour.onDeaths(event.downs) },
  },
});
