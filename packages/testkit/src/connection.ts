/**
 * How the world runs a connection: which logic the connection process runs and how it is told
 * the outcome of its open and the loss of its socket. The default is the channel behaviour of
 * `@switchboard/channels`; a user plugs in their own connection machine the same way.
 */
import { channelMachine } from '@switchboard/channels';
import type { ChannelHost, ChannelMessage, OpenSessionResult } from '@switchboard/channels';
import type { AnyProcessLogic, Pid, Runtime } from '@switchboard/runtime';

/** What the world gives a connection it starts. */
export interface ConnectionStart {
  readonly clientId: string;
  /** The channel manager's view for channel processes (`cm.host`). */
  readonly host: ChannelHost;
  /** The simulated socket: what the connection sends to its client. Undefined: no socket. */
  readonly outbound: ((message: ChannelMessage) => void) | undefined;
}

/**
 * A connection process as the world drives it.
 *
 * @example
 * ```ts
 * const myConnection: ConnectionAdapter = {
 *   logic: myConnectionMachine,
 *   input: ({ clientId, host, outbound }) => ({ clientId, host, outbound }),
 *   opened: (rt, pid, result) => void rt.send(pid, { type: 'ch.opened', ...result }),
 *   socketClosed: (rt, pid) => void rt.send(pid, { type: 'ch.socket.closed' }),
 * };
 * ```
 */
export interface ConnectionAdapter {
  /** The logic the connection process runs (it must answer the channel manager's stepdown calls). */
  readonly logic: AnyProcessLogic;
  /** Its spawn input. */
  input(start: ConnectionStart): unknown;
  /** `openSession` succeeded for it. */
  opened(rt: Runtime, pid: Pid, result: OpenSessionResult): void;
  /** Its socket closed. */
  socketClosed(rt: Runtime, pid: Pid): void;
}

/**
 * The default: `channelMachine` from `@switchboard/channels`.
 *
 * @example
 * ```ts
 * const world = { connection: channelConnection };
 * ```
 */
export const channelConnection: ConnectionAdapter = {
  logic: channelMachine,
  input: ({ clientId, host, outbound }) => ({ clientId, host, outbound }),
  opened: (rt, pid, result) => void rt.send(pid, { type: 'ch.opened', ...result }),
  socketClosed: (rt, pid) => void rt.send(pid, { type: 'ch.socket.closed', reason: 'sim_closed' }),
};
