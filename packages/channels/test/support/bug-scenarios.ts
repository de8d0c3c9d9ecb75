/**
 * One deterministic scenario per bug of the catalogue (docs/reference/bug-catalogue.md), each
 * returning what a user could observe. `bugs.test.ts` runs every scenario with its bug off and
 * on: the observation differs exactly by the bug's symptom.
 */
import { expect } from 'vitest';
import { setup } from 'xstate';
import {
  createDeterministicScheduler,
  createRuntime,
  createSeededEntropy,
  createSupervisor,
  reply,
} from '@switchboard/runtime';
import type { Pid, Strategy } from '@switchboard/runtime';
import { createChannelManager } from '../../src/channel-manager.js';
import { channelMachine } from '../../src/channel.machine.js';
import type { ChannelInfo } from '../../src/channel.machine.js';
import { message, misbehaving, open, startChannel, world } from './world.js';
import type { World } from './world.js';

/** Calls `react` at each trace point of `w` (recorded first), as the race kit's fault hooks do. */
export function onTracePoint(
  w: Pick<World, 'rt'>,
  react: (kind: string, fields: Readonly<Record<string, unknown>>) => void,
): void {
  const trace = w.rt.trace;
  const record = trace.tp.bind(trace);
  const collector = trace.collect(); // makes `trace.active` true, so every point is reached
  trace.tp = (kind, fields = {}) => {
    record(kind, fields);
    react(kind, fields);
  };
  void collector;
}

const isAlive = (w: World) => (p: Pid) => w.rt.isAlive(p);

/** B1: two clean starts race for one id; the loser's process is ended, as a connection would. */
export async function liveCountAfterLostRace(): Promise<{
  outcomes: string[];
  live: number;
  violations: string[];
}> {
  const w = world(1);
  const a = startChannel(w, 'c1').pid;
  const b = startChannel(w, 'c1').pid;
  const results = await Promise.allSettled([open(w, 'c1', a, true), open(w, 'c1', b, true)]);
  results.forEach((r, i) => {
    if (r.status === 'rejected') w.rt.exit(i === 0 ? a : b, 'kill');
  });
  await w.cm.sync();
  await w.rt.idle();
  return {
    outcomes: results.map((r) => r.status).sort(),
    live: w.cm.connectedClientCount(),
    violations: w.cm.tables.invariants(isAlive(w)),
  };
}

/**
 * B2: the connection supervisor reports its children's deaths to the manager (`reportDownsTo`), and
 * a channel dies right after registering, so the supervisor's DOWN reaches the manager before the
 * registration's monitor request. The schedule puts exits and DOWN flushes first (a fixed strategy,
 * not a seed). Observed when the manager next takes its monitor requests: is the dead channel still
 * counted live?
 */
export async function liveCountWhenDownBeatsRegistration(): Promise<{
  liveWhenMonitored: number;
  liveAtEnd: number;
  violations: string[];
}> {
  const rank = (label: string): number =>
    label.startsWith('exit:') ? 0 : label.startsWith('batch:') ? 1 : label.startsWith('deliver:rt>') ? 2 : 3;
  const downsFirst: Strategy = (candidates) =>
    candidates.reduce((best, label, i) => (rank(label) < rank(candidates[best] as string) ? i : best), 0);
  const sched = createDeterministicScheduler({ seed: 1, strategy: downsFirst });
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(1) });
  const cm = createChannelManager(rt);
  const conns = createSupervisor(rt, {
    strategy: 'dynamic',
    child: { logic: channelMachine, restart: 'temporary', shutdown: 'brutal_kill' },
    reportDownsTo: cm.pid,
  });
  const pid = await conns.startChild({ clientId: 'c1', host: cm.host, outbound: () => undefined });
  let liveWhenMonitored = -1;
  onTracePoint({ rt }, (kind) => {
    if (kind === 'cm.monitored') liveWhenMonitored = cm.connectedClientCount();
  });
  const registered = cm.registerChannel('c1', pid, { transport: 'test' });
  rt.exit(pid, 'kill');
  await registered;
  await cm.sync();
  await rt.idle();
  return {
    liveWhenMonitored,
    liveAtEnd: cm.connectedClientCount(),
    violations: cm.tables.invariants((p) => rt.isAlive(p)),
  };
}

/** B3: a persistent session without a socket is taken over; a message is published at begin. */
export async function deliveriesAcrossTakeoverOfDisconnectedSession(): Promise<{
  pendings: string[];
  sent: string[];
}> {
  const w = world(3);
  const old = startChannel(w, 'c1', false);
  await open(w, 'c1', old.pid, false);
  await w.cm.sync();
  const taker = startChannel(w, 'c1');
  // Published to the old channel by a router that looked it up before the taker registered (in
  // EMQX both are subscribed then); it arrives after the taker copied the session.
  onTracePoint(w, (kind, fields) => {
    if (kind === 'cm.register' && fields['pid'] === taker.pid)
      w.rt.send(old.pid, { type: 'ch.deliver', message: message(1) });
  });
  const r = await open(w, 'c1', taker.pid, false);
  await w.cm.sync();
  return { pendings: r.pendings.map((m) => m.id), sent: taker.sent.map((m) => m.id) };
}

/** B4: the taker dies right after takeover begin was answered; time passes well beyond 2 × takeoverMs. */
export async function oldChannelAfterTakerDies(): Promise<{
  alive: boolean;
  state: string | undefined;
  exit: unknown;
}> {
  const w = world(4, { timeouts: { takeoverMs: 1000 } });
  const old = startChannel(w, 'c1');
  await open(w, 'c1', old.pid, false);
  await w.cm.sync();
  const taker = startChannel(w, 'c1');
  onTracePoint(w, (kind) => {
    if (kind === 'cm.takeover.begin.answered') w.rt.exit(taker.pid, 'kill');
  });
  await expect(open(w, 'c1', taker.pid, false)).rejects.toMatchObject({
    code: 'CH_ERR_CLIENT_ID_UNAVAILABLE',
  });
  await w.cm.sync();
  const started = w.sched.now();
  w.sched.advance(10_000);
  await w.rt.idle();
  expect(w.sched.now() - started).toBe(10_000);
  const alive = w.rt.isAlive(old.pid);
  const state = alive ? (await w.rt.call<ChannelInfo>(old.pid, { type: 'ch.info' })).state : undefined;
  return { alive, state, exit: w.exits.get(String(old.pid)) };
}

/** B5: the old session holds two queued messages; the old channel answers begin, then never end. */
export async function queuedMessagesWhenEndTimesOut(): Promise<{ present: boolean; sent: string[] }> {
  const w = world(5, { timeouts: { takeoverMs: 1000 } });
  let session = w.cm.sessions.create({ clientId: 'c1' }, { transport: 'test' }, 0);
  session = w.cm.sessions.enqueue(session, message(1));
  session = w.cm.sessions.enqueue(session, message(2));
  const beginsThenHangs = setup({}).createMachine({
    on: { 'ch.takeover.begin': { actions: reply(() => ({ session })) } },
  });
  const old = w.rt.spawn(beginsThenHangs);
  await w.cm.registerChannel('c1', old, { transport: 'test' });
  const taker = startChannel(w, 'c1');
  const r = await open(w, 'c1', taker.pid, false);
  await w.cm.sync();
  return { present: r.present, sent: taker.sent.map((m) => m.id) };
}

/** B6: begin, a delivery into the pendings, a second (retried) begin, then end. */
export async function pendingsAfterSecondBegin(): Promise<string[] | undefined> {
  const w = world(6);
  const old = startChannel(w, 'c1');
  await open(w, 'c1', old.pid, false);
  expect((await w.cm.takeoverSession('c1'))?.pid).toEqual(old.pid);
  w.cm.deliver('c1', message(1));
  expect((await w.cm.takeoverSession('c1'))?.pid).toEqual(old.pid);
  return (await w.cm.takeoverEnd(old.pid))?.map((m) => m.id);
}

/** B7: an ordinary resume; the old channel's DOWN is cleaned up after the taker registered. */
export async function registrationAfterTakeover(): Promise<{
  lookup: Pid[];
  delivered: boolean;
  taker: Pid;
}> {
  const w = world(7);
  const old = startChannel(w, 'c1');
  await open(w, 'c1', old.pid, false);
  const taker = startChannel(w, 'c1');
  await open(w, 'c1', taker.pid, false);
  await w.cm.sync();
  expect(w.rt.isAlive(taker.pid)).toBe(true);
  return {
    lookup: await w.cm.lookupChannels('c1'),
    delivered: w.cm.deliver('c1', message(1)),
    taker: taker.pid,
  };
}

/**
 * B8: an open waits on a stuck old channel (its discard hangs for kickMs) and its channel is
 * killed meanwhile; the client reconnects at once with a new channel.
 */
export async function reconnectWhileDeadOpenerWaits(): Promise<{ first: string; second: string }> {
  const w = world(8);
  const stuck = w.rt.spawn(misbehaving.hangs);
  await w.cm.registerChannel('c1', stuck, { transport: 'test' });
  const first = startChannel(w, 'c1').pid;
  let killed!: () => void;
  const firstKilled = new Promise<void>((resolve) => (killed = resolve));
  onTracePoint(w, (kind, fields) => {
    if (kind !== 'cm.discard.called' || fields['pid'] !== stuck) return;
    w.rt.exit(first, 'kill');
    killed();
  });
  const firstOpen = open(w, 'c1', first, true);
  await firstKilled;
  await w.rt.idle(); // the kill and its DOWN are handled; the discard still waits for kickMs
  const second = startChannel(w, 'c1').pid;
  const outcomes = await Promise.allSettled([firstOpen, open(w, 'c1', second, true)]);
  const describe = (r: PromiseSettledResult<unknown>): string =>
    r.status === 'fulfilled' ? 'opened' : String((r.reason as { message?: unknown }).message);
  return { first: describe(outcomes[0]), second: describe(outcomes[1]) };
}

/** B9: an ordinary resume; the old channel counted itself out at end, then its DOWN arrives. */
export async function liveCountAfterTakeover(): Promise<{ live: number; takerLive: boolean }> {
  const w = world(9);
  const old = startChannel(w, 'c1');
  await open(w, 'c1', old.pid, false);
  const taker = startChannel(w, 'c1');
  await open(w, 'c1', taker.pid, false);
  await w.cm.sync();
  return { live: w.cm.connectedClientCount(), takerLive: w.cm.tables.isLive(taker.pid) };
}
