/**
 * A deterministic world for channel manager tests: the real runtime on the seeded scheduler in
 * auto mode (calls resolve and virtual time jumps by themselves, deterministically), a manager,
 * and helpers to start channel processes and observe how they end.
 */
import { createMachine } from 'xstate';
import {
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  exitSelf,
} from '@switchboard/runtime';
import type { DeterministicScheduler, ExitReason, InspectionEvent, Pid, Runtime } from '@switchboard/runtime';
import { createChannelManager } from '../../src/channel-manager.js';
import type { ChannelManager, ChannelManagerOptions } from '../../src/channel-manager.js';
import { channelMachine } from '../../src/channel.machine.js';
import type { ChannelMessage } from '../../src/session.js';

export interface World {
  readonly sched: DeterministicScheduler;
  readonly rt: Runtime;
  readonly cm: ChannelManager;
  /** Exit reasons by pid string, from the inspection stream. */
  readonly exits: Map<string, ExitReason>;
  readonly events: InspectionEvent[];
}

export function world(seed = 1, options: ChannelManagerOptions = {}): World {
  const sched = createDeterministicScheduler({ seed });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed) });
  const exits = new Map<string, ExitReason>();
  const events: InspectionEvent[] = [];
  rt.inspect((e) => {
    if (e.type === 'rt.exit') exits.set(String(e.pid), e.reason);
  });
  const cm = createChannelManager(rt, options);
  return { sched, rt, cm, exits, events };
}

/** Starts a channel process running the channel behaviour; `outbound` collects what it would send. */
export function startChannel(
  w: World,
  clientId: string,
  connected = true,
): { pid: Pid; sent: ChannelMessage[] } {
  const sent: ChannelMessage[] = [];
  const pid = w.rt.spawn(channelMachine, {
    input: {
      clientId,
      host: w.cm.host,
      outbound: connected ? (m: ChannelMessage) => sent.push(m) : undefined,
    },
  });
  return { pid, sent };
}

/** Opens a session for a channel process and tells it the result, as a connection process would. */
export async function open(
  w: World,
  clientId: string,
  pid: Pid,
  cleanStart: boolean,
  sessionExpiryMs = Infinity,
): Promise<{ present: boolean; pendings: readonly ChannelMessage[] }> {
  const result = await w.cm.openSession({
    cleanStart,
    clientInfo: { clientId, sessionExpiryMs },
    connInfo: { transport: 'test' },
    pid,
  });
  w.rt.send(pid, { type: 'ch.opened', ...result });
  return result;
}

/** Old channels that misbehave in the ways a stepdown must survive. */
export const misbehaving = {
  /** Exits `normal` on any request, without replying. */
  exitsNormal: createMachine({
    on: { '*': '.done' },
    initial: 'up',
    states: { up: {}, done: { type: 'final' } },
  }),
  /** Exits `shutdown` on any request, without replying. */
  exitsShutdown: createMachine({ on: { '*': { actions: exitSelf('shutdown') } } }),
  /** Never replies. */
  hangs: createMachine({}),
} as const;

export function message(n: number): ChannelMessage {
  return { id: `m${n}`, payload: n };
}
