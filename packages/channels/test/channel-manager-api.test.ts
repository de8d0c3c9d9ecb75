/**
 * The manager's options at their bounds, and the API's edges: client id limits, local and global
 * lookups, info reads, close and what it owns, deliveries with nowhere to go.
 */
import { describe, expect, it } from 'vitest';
import { Pid, createSupervisor } from '@switchboard/runtime';
import { checkClientId, createChannelManager } from '../src/channel-manager.js';
import type { ChannelManagerOptions } from '../src/channel-manager.js';
import type { HookEvent } from '../src/hooks.js';
import { channelMachine } from '../src/channel.machine.js';
import { createMemoryLocker } from '../src/memory-locker.js';
import { message, open, startChannel, world } from './support/world.js';

const INVALID: unknown = expect.objectContaining({ code: 'CH_ERR_INVALID_OPTION' });

describe('options', () => {
  const make = (options: ChannelManagerOptions) =>
    createChannelManager(world().rt, { name: 'under-test', ...options });

  it('accepts every timeout, size and policy just inside its bound', () => {
    for (const options of [
      { timeouts: { kickMs: 0.5, takeoverMs: 0.5, getInfoMs: 0.5 } },
      { batchSize: 1, poolSize: 1 },
      { duplicateIdPolicy: 'takeover' as const },
      { duplicateIdPolicy: 'discard' as const },
      { duplicateIdPolicy: 'kick-old' as const },
      { duplicateIdPolicy: 'reject-new' as const },
    ]) {
      expect(() => make(options)).not.toThrow();
    }
  });

  it('refuses each timeout at 0, negative or not a number, naming the option and the value', () => {
    for (const key of ['kickMs', 'takeoverMs', 'getInfoMs'] as const) {
      for (const value of [0, -1, Number.NaN]) {
        expect(() => make({ timeouts: { [key]: value } })).toThrow(INVALID);
        expect(() => make({ timeouts: { [key]: value } })).toThrow(
          `timeouts.${key} must be > 0, got ${value}`,
        );
      }
    }
    expect(() => make({ lockLeaseMs: 0 })).toThrow('lockLeaseMs must be > 0, got 0');
  });

  it('refuses a batch or pool size that is not a positive integer', () => {
    for (const value of [0, -1, 1.5]) {
      expect(() => make({ batchSize: value })).toThrow(`batchSize must be a positive integer, got ${value}`);
      expect(() => make({ poolSize: value })).toThrow(`poolSize must be a positive integer, got ${value}`);
    }
    expect(() => make({ duplicateIdPolicy: 'nope' as 'takeover' })).toThrow(
      'duplicateIdPolicy must be one of takeover, discard, kick-old, reject-new',
    );
  });

  it('accepts a lease of exactly 2 × takeoverMs + kickMs and refuses one millisecond less', () => {
    const timeouts = { takeoverMs: 1000, kickMs: 500 };
    expect(make({ timeouts, lockLeaseMs: 2500 }).locker).toMatchObject({ leaseMs: 2500 });
    expect(() => make({ timeouts, lockLeaseMs: 2499 })).toThrow(INVALID);
    expect(() => make({ timeouts, lockLeaseMs: 2499 })).toThrow(
      'lockLeaseMs (2499) must be at least 2 × takeoverMs + kickMs (2500)',
    );
  });

  it('derives the lease: at least 60 s, and twice the minimum when that is longer', () => {
    expect(make({ timeouts: { takeoverMs: 1000, kickMs: 500 } }).locker).toMatchObject({ leaseMs: 60_000 });
    // Defaults: 2 × (2 × 15 000 + 5 000) = 70 000.
    expect(make({}).locker).toMatchObject({ leaseMs: 70_000 });
    expect(make({ timeouts: { takeoverMs: 40_000, kickMs: 5000 } }).locker).toMatchObject({
      leaseMs: 170_000,
    });
  });

  it('registers the manager process under its name, channel-manager by default', () => {
    const w = world();
    expect(w.rt.whereis('channel-manager')).toEqual(w.cm.pid);
    const other = createChannelManager(w.rt, { name: 'cm-2' });
    expect(w.rt.whereis('cm-2')).toEqual(other.pid);
  });

  it('uses the ports it is given', () => {
    const w = world();
    const locker = createMemoryLocker(w.rt, { leaseMs: 90_000 });
    const cm = createChannelManager(w.rt, { name: 'ported', locker });
    expect(cm.locker).toBe(locker);
    expect(cm.host.takeoverMs).toBe(15_000);
    expect(cm.host.trace).toBe(w.rt.trace);
  });
});

describe('client ids', () => {
  it('accepts 1 to 65,535 characters and refuses an empty, longer or non-string id', () => {
    expect(() => checkClientId('c')).not.toThrow();
    expect(() => checkClientId('x'.repeat(65_535))).not.toThrow();
    expect(() => checkClientId('x'.repeat(65_536))).toThrow('longer than 65535 characters');
    expect(() => checkClientId('')).toThrow('must be a non-empty string');
    expect(() => checkClientId(42)).toThrow(expect.objectContaining({ code: 'CH_ERR_INVALID_CLIENT_ID' }));
  });

  it('refuses channel info under an invalid client id', () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    expect(() => w.cm.insertChannelInfo('', pid, {}, {})).toThrow(
      expect.objectContaining({ code: 'CH_ERR_INVALID_CLIENT_ID' }),
    );
  });
});

describe('lookups and reads', () => {
  it('global lookups keep remote pids and drop dead local ones; local lookups read the table', async () => {
    const w = world();
    const local = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', local, { transport: 'test' });
    const remote = new Pid('elsewhere', 7, 0);
    const deadLocal = startChannel(w, 'c1').pid;
    await w.cm.registry.register('c1', remote);
    await w.cm.registry.register('c1', deadLocal);
    w.rt.exit(deadLocal, 'kill');
    expect(await w.cm.lookupChannels('c1')).toEqual([local, remote]);
    expect(await w.cm.lookupChannels('c1', 'global')).toEqual([local, remote]);
    expect(await w.cm.lookupChannels('c1', 'local')).toEqual([local]);
  });

  it('reads info and stats of a given pid, or of the last live channel, or nothing', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    const b = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'test' });
    await w.cm.registerChannel('c1', b, { transport: 'test' });
    const c = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', c, { transport: 'test' });
    w.cm.insertChannelInfo('c1', a, { who: 'a' }, { n: 1 });
    w.cm.insertChannelInfo('c1', b, { who: 'b' }, { n: 2 });
    w.cm.insertChannelInfo('c1', c, { who: 'c' }, { n: 3 });
    expect(await w.cm.getChanInfo('c1')).toEqual({ who: 'c' });
    expect(await w.cm.getChanStats('c1')).toEqual({ n: 3 });
    expect(await w.cm.getChanInfo('c1', a)).toEqual({ who: 'a' });
    expect(await w.cm.getChanStats('c1', a)).toEqual({ n: 1 });
    expect(w.cm.setChanStats('c1', a, { n: 5 })).toBe(true);
    expect(w.cm.setChanStats('nobody', a, { n: 5 })).toBe(false);
    expect(await w.cm.getChanStats('c1', a)).toEqual({ n: 5 });
    expect(await w.cm.getChanInfo('nobody')).toBeUndefined();
    expect(await w.cm.getChanStats('nobody')).toBeUndefined();
  });

  it('deliver returns false when the id has no live channel, and counts what it reaches', async () => {
    const w = world();
    expect(w.cm.deliver('c1', message(1))).toBe(false);
    const a = startChannel(w, 'c1');
    await open(w, 'c1', a.pid, true);
    expect(w.cm.deliver('c1', message(2))).toBe(true);
    await w.rt.idle();
    expect(a.sent.map((m) => m.id)).toEqual(['m2']);
    expect(w.cm.allChannels()).toEqual([a.pid]);
    expect(w.cm.connectedClientCount()).toBe(1);
    expect(w.cm.stats().channels).toEqual({ count: 1, max: 1 });
    w.rt.exit(a.pid, 'kill');
    expect(w.cm.deliver('c1', message(3))).toBe(false);
  });

  it('reports the pmon size through the manager process', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'test' });
    await w.cm.sync();
    expect(await w.rt.call(w.cm.pid, { type: 'ch.pmon.size' })).toBe(1);
  });
});

describe('close', () => {
  it('stops the manager, its pool and its own locker; later calls fail with CH_ERR_MANAGER_DOWN', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    await w.cm.close();
    await w.rt.idle();
    expect(w.rt.isAlive(w.cm.pid)).toBe(false);
    expect(await w.cm.locker.acquire('c1', a)).toBe(false);
    const down: unknown = expect.objectContaining({ code: 'CH_ERR_MANAGER_DOWN' });
    await expect(w.cm.registerChannel('c1', a, { transport: 'test' })).rejects.toThrow(down);
    await expect(w.cm.sync()).rejects.toThrow(down);
  });

  it('leaves a locker it was given running', async () => {
    const w = world();
    const locker = createMemoryLocker(w.rt);
    const cm = createChannelManager(w.rt, { name: 'borrower', locker });
    await cm.close();
    await w.rt.idle();
    expect(await locker.acquire('c1', startChannel(w, 'c1').pid)).toBe(true);
    await locker.close();
  });
});

describe('hooks around a death', () => {
  it('fires client.disconnected with the formatted reason and session.terminated, except after a takeover', async () => {
    const events: HookEvent[] = [];
    const record = (e: HookEvent) => void events.push(e);
    const w = world(1, {
      name: 'hooked',
      hooks: { 'client.disconnected': record, 'session.terminated': record, 'session.resumed': record },
    });
    const a = startChannel(w, 'c1');
    await open(w, 'c1', a.pid, false);
    const b = startChannel(w, 'c1');
    await open(w, 'c1', b.pid, false);
    await w.cm.sync();
    w.rt.exit(b.pid, 'kill');
    await w.cm.sync();
    // A crash (an `{ error }` reason) ends the session too.
    const crashing = w.rt.spawn(channelMachine, {
      input: {
        clientId: 'c2',
        host: w.cm.host,
        outbound: () => undefined,
        inbound: () => {
          throw new Error('bad frame');
        },
      },
    });
    await open(w, 'c2', crashing, true);
    w.rt.send(crashing, { type: 'ch.inbound', data: 'x' });
    await w.cm.sync();
    await w.rt.idle();
    await w.cm.sync();
    expect(events.filter((e) => e.clientId === 'c2').map((e) => e.hook)).toEqual([
      'client.disconnected',
      'session.terminated',
    ]);
    events.splice(events.findIndex((e) => e.clientId === 'c2'));
    const seen = events.map((e) => [e.hook, e.pid === a.pid ? 'a' : 'b', e.reason]);
    expect(seen).toEqual([
      ['client.disconnected', 'a', 'takenover'],
      ['session.resumed', 'b', undefined],
      ['client.disconnected', 'b', 'killed'],
      ['session.terminated', 'b', 'killed'],
    ]);
  });

  it('ends a session once when two DOWN sources report the death (a supervisor with reportDownsTo)', async () => {
    const terminated: string[] = [];
    const w = world(1, {
      name: 'two-sources',
      hooks: { 'session.terminated': (e) => void terminated.push(`${e.clientId}:${e.reason ?? ''}`) },
    });
    const conns = createSupervisor(w.rt, {
      strategy: 'dynamic',
      child: { logic: channelMachine, restart: 'temporary', shutdown: 'brutal_kill' },
      reportDownsTo: w.cm.pid,
    });
    const trace = w.rt.trace.collect();
    const pid = await conns.startChild({ clientId: 'c1', host: w.cm.host, outbound: () => undefined });
    await open(w, 'c1', pid, true);
    await w.cm.sync();
    w.rt.exit(pid, 'kill');
    await w.cm.sync();
    await w.rt.idle();
    expect(terminated).toEqual(['c1:killed']);
    // Two batches name the pid; the one from the supervisor's monitor is not the pmon's.
    const batches = trace.ofKind('cm.down.batch').map((p) => p.fields);
    expect(batches).toHaveLength(2);
    expect(batches.map((b) => (b['known'] as unknown[]).length).sort()).toEqual([0, 1]);
    expect(trace.ofKind('cm.cleanup.end').map((p) => p.fields['clientId'])).toEqual(
      expect.arrayContaining(['c1', undefined]),
    );
    expect(w.cm.tables.invariants((p) => w.rt.isAlive(p))).toEqual([]);
  });
});
