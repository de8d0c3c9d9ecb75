/**
 * The machine every runtime benchmark runs: the "5-state connection machine, 7-field context" of
 * `../shared/reference/xstate-notes.md` (its measured baselines are what the runtime is compared to).
 *
 *   connecting ──conn.open──▶ connected ◀──conn.toggle──▶ takingOver ──conn.takenOver──▶ terminated
 *       │  after(connectTimeout)   │ conn.close                 │ conn.close
 *       └──────────────▶ disconnected ◀──────────────────────────┘ ──conn.close──▶ terminated (final)
 *
 * Every transition that changes state also assigns to the context, so a benchmark event is a
 * state-changing transition with an assign (the costly kind: a new snapshot, a new context).
 *
 * Two builds of the same chart: `connectionMachine` starts from a constant context (the client id
 * arrives with `conn.open`, as with MQTT's CONNECT), and `connectionMachineFromInput` builds its
 * context from `input` with a context factory. The runtime shares one initial snapshot between
 * processes of the first kind; for the second it shares everything but the context, which the
 * factory builds per process (both skip XState's initial macrostep).
 */
import { assign, setup } from 'xstate';

/** The connection's context: 7 fields. */
export interface ConnectionContext {
  readonly clientId: string;
  readonly peer: string | null;
  readonly connectedAt: number;
  readonly lastSeen: number;
  readonly messagesIn: number;
  readonly takeovers: number;
  readonly reason: string | null;
}

export type ConnectionEvent =
  | { readonly type: 'conn.open'; readonly clientId: string; readonly peer: string; readonly at: number }
  | { readonly type: 'conn.toggle'; readonly at: number }
  | { readonly type: 'conn.takenOver' }
  | { readonly type: 'conn.close'; readonly reason: string }
  | { readonly type: 'conn.ping'; readonly from?: unknown };

export interface ConnectionInput {
  readonly clientId?: string;
}

/** Long enough never to fire while a benchmark runs; every fresh process holds one pending timer. */
export const CONNECT_TIMEOUT_MS = 60_000;

const INITIAL_CONTEXT: ConnectionContext = {
  clientId: '',
  peer: null,
  connectedAt: 0,
  lastSeen: 0,
  messagesIn: 0,
  takeovers: 0,
  reason: null,
};

const fromInput = ({ input }: { input: ConnectionInput | undefined }): ConnectionContext => ({
  ...INITIAL_CONTEXT,
  clientId: input?.clientId ?? '',
});

const build = (context: ConnectionContext | typeof fromInput) =>
  setup({
    types: {
      context: {} as ConnectionContext,
      events: {} as ConnectionEvent,
      input: undefined as ConnectionInput | undefined,
    },
    actions: {
      /** Answers a `conn.ping` call. A no-op here; the call benchmark provides the runtime's `reply`. */
      pong: () => undefined,
    },
  }).createMachine({
    id: 'connection',
    initial: 'connecting',
    context,
    states: {
      connecting: {
        after: {
          [CONNECT_TIMEOUT_MS]: { target: 'disconnected', actions: assign({ reason: 'connect-timeout' }) },
        },
        on: {
          'conn.open': {
            target: 'connected',
            actions: assign({
              clientId: ({ context, event }) => event.clientId || context.clientId,
              peer: ({ event }) => event.peer,
              connectedAt: ({ event }) => event.at,
            }),
          },
          'conn.close': { target: 'disconnected', actions: assign({ reason: ({ event }) => event.reason }) },
        },
      },
      connected: {
        on: {
          'conn.toggle': {
            target: 'takingOver',
            actions: assign({
              lastSeen: ({ event }) => event.at,
              messagesIn: ({ context }) => context.messagesIn + 1,
            }),
          },
          'conn.close': { target: 'disconnected', actions: assign({ reason: ({ event }) => event.reason }) },
          'conn.ping': { actions: 'pong' },
        },
      },
      takingOver: {
        on: {
          'conn.toggle': {
            target: 'connected',
            actions: assign({
              lastSeen: ({ event }) => event.at,
              takeovers: ({ context }) => context.takeovers + 1,
            }),
          },
          'conn.takenOver': { target: 'terminated', actions: assign({ reason: 'taken-over' }) },
          'conn.close': { target: 'disconnected', actions: assign({ reason: ({ event }) => event.reason }) },
        },
      },
      disconnected: {
        on: {
          'conn.close': { target: 'terminated', actions: assign({ reason: ({ event }) => event.reason }) },
        },
      },
      terminated: { type: 'final' },
    },
  });

/** The connection machine with a constant initial context. */
export const connectionMachine = build(INITIAL_CONTEXT);

/** The same chart, its context built from `input` (`{ clientId }`) by a context factory. */
export const connectionMachineFromInput = build(fromInput);
