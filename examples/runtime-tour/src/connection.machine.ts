/**
 * A toy connection: it waits for `conn.open`, then serves `conn.ping` calls until it is closed.
 * The tour spawns a thousand of them under a dynamic supervisor.
 */
import { reply } from '@switchboard/runtime';
import { assign, setup } from 'xstate';

export const connectionMachine = setup({
  types: {
    context: {} as { clientId: string; pings: number },
    input: {} as { clientId: string },
    events: {} as { type: 'conn.open' } | { type: 'conn.ping'; from: unknown } | { type: 'conn.close' },
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ clientId: input.clientId, pings: 0 }),
  initial: 'connecting',
  states: {
    connecting: { on: { 'conn.open': 'connected' }, after: { 5000: 'closed' } },
    connected: {
      on: {
        'conn.ping': {
          actions: [assign({ pings: ({ context }) => context.pings + 1 }), reply(() => 'pong')],
        },
        'conn.close': 'closed',
      },
    },
    closed: { type: 'final' },
  },
});
