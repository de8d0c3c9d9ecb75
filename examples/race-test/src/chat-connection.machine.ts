/**
 * A chat connection, written by a user of Switchboard: its own machine (not the library's
 * channel behaviour), speaking the channel manager's protocol — it is told `ch.opened`, gets
 * `ch.deliver`, and answers kick, discard and takeover begin/end. `handOverLeaks: true` builds
 * the version with the classic bug: while handing its session over it still writes deliveries
 * to its socket instead of keeping them for the taker.
 */
import { exitSelf, reply } from '@switchboard/runtime';
import type { CallRequest, Pid } from '@switchboard/runtime';
import type { ChannelHost, ChannelMessage } from '@switchboard/channels';
import { assign, setup } from 'xstate';

/** What the connection handles. */
export type ChatEvent =
  | { readonly type: 'ch.opened'; readonly session: unknown; readonly pendings: readonly ChannelMessage[] }
  | { readonly type: 'ch.deliver'; readonly message: ChannelMessage }
  | { readonly type: 'ch.socket.closed' }
  | CallRequest<{ readonly type: 'ch.kick' | 'ch.discard' | 'ch.takeover.begin' | 'ch.takeover.end' }>;

/** Its input: the client id, the manager's host, and the socket. */
export interface ChatInput {
  readonly clientId: string;
  readonly host: ChannelHost;
  readonly outbound: ((message: ChannelMessage) => void) | undefined;
}

interface ChatContext extends ChatInput {
  session: unknown;
  /** Deliveries kept for the taker while handing over. */
  readonly pendings: ChannelMessage[];
  /** Deliveries that arrived before the session was known. */
  readonly early: ChannelMessage[];
}

const pidOf = (self: unknown): Pid => (self as { readonly pid: Pid }).pid;

/**
 * Builds the chat connection machine.
 *
 * @example
 * ```ts
 * const pid = rt.spawn(createChatConnection(), { input: { clientId: 'a', host: cm.host, outbound: send } });
 * ```
 */
export function createChatConnection(options: { readonly handOverLeaks?: boolean } = {}) {
  return setup({
    types: { context: {} as ChatContext, events: {} as ChatEvent, input: {} as ChatInput },
    actions: {
      send: ({ context, event }) => {
        if (event.type === 'ch.deliver') context.outbound?.(event.message);
      },
      keep: ({ context, event }) => {
        if (event.type === 'ch.deliver') context.pendings.push(event.message);
      },
      bufferEarly: ({ context, event }) => {
        if (event.type === 'ch.deliver') context.early.push(event.message);
      },
      // The taker's pendings first, then what came here early.
      open: assign(({ context, event }) => {
        if (event.type !== 'ch.opened') return {};
        for (const m of [...event.pendings, ...context.early]) context.outbound?.(m);
        return { session: event.session };
      }),
      leave: ({ context, self }, params: { reason: string }) =>
        context.host.markDisconnected(context.clientId, pidOf(self), params.reason),
    },
  }).createMachine({
    id: 'chat',
    context: ({ input }) => ({ ...input, session: undefined, pendings: [], early: [] }),
    initial: 'opening',
    on: {
      'ch.kick': {
        actions: [
          { type: 'leave', params: { reason: 'kicked' } },
          reply('ok'),
          exitSelf({ shutdown: 'kicked' }),
        ],
      },
      'ch.discard': {
        actions: [
          { type: 'leave', params: { reason: 'discarded' } },
          reply('ok'),
          exitSelf({ shutdown: 'discarded' }),
        ],
      },
    },
    states: {
      opening: {
        on: {
          'ch.deliver': { actions: 'bufferEarly' },
          'ch.opened': { target: 'connected', actions: 'open' },
        },
      },
      connected: {
        on: {
          'ch.deliver': { actions: 'send' },
          'ch.takeover.begin': {
            target: 'handingOver',
            actions: reply(({ context }: { context: ChatContext }) => ({ session: context.session })),
          },
        },
      },
      handingOver: {
        // The taker died before end: do not hold the session for ever.
        after: {
          30_000: {
            actions: [
              { type: 'leave', params: { reason: 'takeover_timeout' } },
              exitSelf({ shutdown: 'takeover_timeout' }),
            ],
          },
        },
        on: {
          // The bug: the socket still gets deliveries, so the taker never sees them (and a resend duplicates them).
          'ch.deliver': { actions: options.handOverLeaks ? 'send' : 'keep' },
          // A retried begin (the first taker died before end, and the client came back): the
          // same session again, and the pendings kept so far stay for the end. Found by the race
          // kit: ignoring it left the new taker waiting 15 s and then losing what was pending.
          'ch.takeover.begin': {
            actions: reply(({ context }: { context: ChatContext }) => ({ session: context.session })),
          },
          'ch.takeover.end': {
            actions: [
              { type: 'leave', params: { reason: 'takenover' } },
              reply(({ context }: { context: ChatContext }) => ({ pendings: context.pendings })),
              exitSelf({ shutdown: 'takenover' }),
            ],
          },
        },
      },
    },
  });
}
