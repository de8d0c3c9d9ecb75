/**
 * The inspector's core on a real runtime, with a fake page socket and a hand-fired ticker:
 * nothing attached without a page, list views coalesced per tick and built once for all pages,
 * events only of opened actors, backpressure by `bufferedAmount`, bad frames, commands.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMachine } from 'xstate';
import { channelMachine, createChannelManager } from '@switchboard/channels';
import type { ChannelManager } from '@switchboard/channels';
import { InspectorHub, DEFAULT_LIMITS } from '@switchboard/inspector';
import type { InspectorLimits, PageMessage } from '@switchboard/inspector';
import { createRuntime } from '@switchboard/runtime';
import type { Pid, Runtime } from '@switchboard/runtime';
import { FakeSink, ManualTicker } from './support/fake-feed.js';

const toggle = createMachine({
  id: 'toggle',
  initial: 'off',
  context: { flips: 0 },
  states: {
    off: { on: { flip: 'on' } },
    on: { on: { flip: 'off' } },
  },
});

const LIST = DEFAULT_LIMITS.listIntervalMs;
const ACTOR = DEFAULT_LIMITS.actorIntervalMs;

interface Setup {
  readonly rt: Runtime;
  readonly hub: InspectorHub;
  readonly ticker: ManualTicker;
  readonly channels?: ChannelManager;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function setup(
  options: { limits?: InspectorLimits; channels?: boolean; allowCommands?: boolean; now?: () => number } = {},
): Setup {
  const rt = createRuntime();
  const ticker = new ManualTicker();
  const channels = options.channels ? createChannelManager(rt) : undefined;
  const hub = new InspectorHub(rt, {
    channels,
    transport: undefined,
    allowCommands: options.allowCommands ?? false,
    sanitize: undefined,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ticker,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(async () => {
    hub.close();
    await channels?.close();
    await rt.shutdown();
  });
  return { rt, hub, ticker, ...(channels ? { channels } : {}) };
}

function say(hub: InspectorHub, feed: ReturnType<InspectorHub['connect']>, message: PageMessage): void {
  hub.receive(feed, JSON.stringify(message));
}

describe('attaching', () => {
  it('attaches nothing while no page is connected, and detaches when the last page leaves', () => {
    const { rt, hub, ticker } = setup({ channels: true });
    const inspect = vi.spyOn(rt, 'inspect');
    expect(hub.attached).toBe(false);
    expect(ticker.running).toBe(0);
    expect(rt.trace.active).toBe(false);

    const a = hub.connect(new FakeSink(), 'json');
    const b = hub.connect(new FakeSink(), 'json');
    expect(inspect).toHaveBeenCalledTimes(1); // one observer for all pages
    expect(inspect.mock.calls[0]?.[1]).toEqual({ xstate: 'watched' });
    expect(hub.attached).toBe(true);
    expect(ticker.running).toBe(2); // the list interval and the actor interval
    expect(rt.trace.active).toBe(true); // the DOWN-batch listener

    hub.disconnect(a);
    expect(hub.attached).toBe(true);
    hub.disconnect(b);
    expect(hub.attached).toBe(false);
    expect(ticker.running).toBe(0);
    expect(rt.trace.active).toBe(false);
  });

  it('greets every page with hello: version, node, commands, what is attached, interval', () => {
    const { hub } = setup({ channels: true, allowCommands: true });
    const sink = new FakeSink();
    hub.connect(sink, 'msgpack');
    expect(sink.messages).toEqual([
      {
        t: 'hello',
        version: 1,
        node: 'local',
        allowCommands: true,
        has: { channels: true, transport: false },
        listIntervalMs: LIST,
      },
    ]);
  });
});

describe('list views', () => {
  it('sends a view at once when subscribed, then once per tick however much happened in between', async () => {
    const { rt, hub, ticker } = setup();
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'subscribe', views: ['overview'] });
    await vi.waitFor(() => expect(sink.of('overview')).toHaveLength(1));
    const pid = rt.spawn(toggle);
    for (let i = 0; i < 50; i++) rt.send(pid, { type: 'flip' });
    await rt.idle();
    expect(sink.of('overview')).toHaveLength(1); // nothing more before the tick
    ticker.fire(LIST);
    await vi.waitFor(() => expect(sink.of('overview')).toHaveLength(2));
    expect(sink.of('overview')[1]?.processes).toBe(rt.processCount);
    expect(sink.of('tree')).toHaveLength(0);
    expect(sink.of('processes')).toHaveLength(0);

    say(hub, feed, { t: 'subscribe', views: ['tree', 'downs'] });
    await vi.waitFor(() => expect(sink.of('tree')).toHaveLength(1));
    ticker.fire(LIST);
    await vi.waitFor(() => expect(sink.of('tree')).toHaveLength(2));
    expect(sink.of('downs')).toHaveLength(2);
    expect(sink.of('overview')).toHaveLength(2); // no longer subscribed
  });

  it('builds the process rows once per tick for all pages, and pages each query on the server', async () => {
    const { rt, hub, ticker } = setup();
    for (let i = 0; i < 30; i++) rt.spawn(toggle, { name: `p${i}` });
    const a = new FakeSink();
    const b = new FakeSink();
    const fa = hub.connect(a, 'json');
    const fb = hub.connect(b, 'json');
    say(hub, fa, { t: 'processes', sort: 'pid', dir: 'asc', filter: '', offset: 0, limit: 10 });
    say(hub, fb, { t: 'processes', sort: 'pid', dir: 'desc', filter: 'p2', offset: 0, limit: 100 });
    // Each query is answered at once.
    expect(a.of('processes')[0]?.rows).toHaveLength(10);
    expect(a.of('processes')[0]?.total).toBe(30);
    const filtered = b.of('processes')[0];
    // Fuzzy: the query's characters in order, so p12 matches p2 too.
    expect(filtered?.rows.map((r) => r.name)).toEqual([
      'p29',
      'p28',
      'p27',
      'p26',
      'p25',
      'p24',
      'p23',
      'p22',
      'p21',
      'p20',
      'p12',
      'p2',
    ]);
    expect(filtered?.matched).toBe(12);

    const processes = vi.spyOn(rt, 'processes');
    ticker.fire(LIST);
    await vi.waitFor(() => expect(b.of('processes')).toHaveLength(2));
    expect(a.of('processes')).toHaveLength(2);
    expect(processes).toHaveBeenCalledTimes(1);
  });

  it('stops building process rows for a page that left the processes view', async () => {
    const { rt, hub, ticker } = setup();
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'processes', sort: 'pid', dir: 'asc', filter: '', offset: 0, limit: 10 });
    expect(sink.of('processes')).toHaveLength(1);
    say(hub, feed, { t: 'subscribe', views: ['overview'] });
    const processes = vi.spyOn(rt, 'processes');
    ticker.fire(LIST);
    await vi.waitFor(() => expect(sink.of('overview')).toHaveLength(2));
    expect(sink.of('processes')).toHaveLength(1);
    expect(processes).not.toHaveBeenCalled();
  });

  it('sorts by mailbox length and reports handled messages per second', async () => {
    let wall = 0;
    const { rt, hub, ticker } = setup({ now: () => wall });
    const busy = rt.spawn(toggle, { name: 'busy' });
    const stuck = rt.spawn(toggle, { name: 'stuck' });
    rt.suspend(stuck);
    for (let i = 0; i < 7; i++) rt.send(stuck, { type: 'flip' });
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'processes', sort: 'mailbox', dir: 'desc', filter: '', offset: 0, limit: 5 });
    expect(sink.of('processes')[0]?.rows[0]).toMatchObject({ name: 'stuck', mailbox: 7 });
    for (let i = 0; i < 20; i++) rt.send(busy, { type: 'flip' });
    await rt.idle();
    wall += 1000;
    ticker.fire(LIST);
    await vi.waitFor(() => expect(sink.of('processes')).toHaveLength(2));
    const rate = sink.of('processes')[1]?.rows.find((r) => r.name === 'busy')?.rate ?? 0;
    expect(rate).toBeGreaterThan(0);
  });

  it('skips list updates while the socket is backed up, then sends the current state', async () => {
    const { rt, hub, ticker } = setup({ limits: { maxBufferedBytes: 1000 } });
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    sink.bufferedAmount = 5000;
    say(hub, feed, { t: 'subscribe', views: ['overview'] });
    for (let i = 0; i < 5; i++) {
      ticker.fire(LIST);
      await Promise.resolve();
    }
    expect(sink.of('overview')).toHaveLength(0);
    expect(feed.skipped).toBeGreaterThan(0);
    rt.spawn(toggle);
    sink.bufferedAmount = 0;
    ticker.fire(LIST);
    await vi.waitFor(() => expect(sink.of('overview')).toHaveLength(1));
    expect(sink.of('overview')[0]?.processes).toBe(rt.processCount);
  });
});

describe('opened actors', () => {
  it('streams events only of opened actors, with the state after each, and only while open', async () => {
    const { rt, hub, ticker } = setup();
    const opened = rt.spawn(toggle);
    const other = rt.spawn(toggle);
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: String(opened) });
    expect(hub.watchedCount).toBe(1);
    const chart = sink.of('chart')[0];
    expect(chart?.root.children.map((c) => c.key)).toEqual(['off', 'on']);
    const actor = sink.of('actor')[0];
    expect(actor).toMatchObject({
      id: String(opened),
      status: 'running',
      state: 'off',
      machine: chart?.machine,
    });
    expect(actor?.stateIds).toEqual(['toggle', 'toggle.off']);

    rt.send(opened, { type: 'flip' });
    rt.send(other, { type: 'flip' });
    rt.send(opened, { type: 'flip' });
    await rt.idle();
    ticker.fire(ACTOR);
    const events = sink.of('actorEvents');
    expect(events).toHaveLength(1);
    expect(events[0]?.id).toBe(String(opened));
    expect(events[0]?.events.map((e) => [e.type, e.stateIds.at(-1), e.changed])).toEqual([
      ['flip', 'toggle.on', true],
      ['flip', 'toggle.off', true],
    ]);
    ticker.fire(ACTOR);
    expect(sink.of('actorEvents')).toHaveLength(1); // nothing new, nothing sent

    say(hub, feed, { t: 'close', id: String(opened) });
    expect(hub.watchedCount).toBe(0);
    rt.send(opened, { type: 'flip' });
    await rt.idle();
    ticker.fire(ACTOR);
    expect(sink.of('actorEvents')).toHaveLength(1);
  });

  it('sends a chart once per machine per page', () => {
    const { rt, hub } = setup();
    const a = rt.spawn(toggle);
    const b = rt.spawn(toggle);
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: String(a) });
    say(hub, feed, { t: 'open', id: String(b) });
    expect(sink.of('chart')).toHaveLength(1);
    expect(sink.of('actor')).toHaveLength(2);
  });

  it('names the sender of an event when it is a process', async () => {
    const { rt, hub, ticker } = setup();
    const target = rt.spawn(toggle);
    const sender = rt.spawn(
      createMachine({
        on: { poke: { actions: () => void rt.send(target, { type: 'flip' }) } },
      }),
    );
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: String(target) });
    rt.send(sender, { type: 'poke' });
    await rt.idle();
    ticker.fire(ACTOR);
    // rt.send from inside an action is sent from outside any process; a sendTo would name it.
    expect(sink.of('actorEvents')[0]?.events[0]?.type).toBe('flip');
  });

  it('tells the page when an opened actor ends, with the exit reason', async () => {
    const { rt, hub, ticker } = setup();
    const pid = rt.spawn(toggle);
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: String(pid) });
    rt.exit(pid, { shutdown: 'kicked' });
    await rt.idle();
    ticker.fire(ACTOR);
    expect(sink.of('actorEnded')).toEqual([
      { t: 'actorEnded', id: String(pid), exitReason: 'shutdown:kicked' },
    ]);
    ticker.fire(ACTOR);
    expect(sink.of('actorEnded')).toHaveLength(1);
  });

  it('answers actorUnknown for a dead or malformed id', () => {
    const { hub } = setup();
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: '<local.999.0>' });
    say(hub, feed, { t: 'open', id: 'nonsense' });
    expect(sink.of('actorUnknown').map((m) => m.id)).toEqual(['<local.999.0>', 'nonsense']);
  });

  it('sends a whole actor snapshot instead of a gap when the page fell behind the ring', async () => {
    const { rt, hub, ticker } = setup({ limits: { eventsPerActor: 5, maxBufferedBytes: 1000 } });
    const pid = rt.spawn(toggle);
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'open', id: String(pid) });
    sink.bufferedAmount = 10_000;
    for (let i = 0; i < 12; i++) rt.send(pid, { type: 'flip' });
    await rt.idle();
    ticker.fire(ACTOR);
    expect(sink.of('actorEvents')).toHaveLength(0);
    expect(feed.skipped).toBe(1);
    sink.bufferedAmount = 0;
    sink.clear();
    ticker.fire(ACTOR);
    expect(sink.of('actorEvents')).toHaveLength(0);
    const actor = sink.of('actor');
    expect(actor).toHaveLength(1);
    expect(actor[0]?.events).toHaveLength(5); // the ring's capacity, newest kept
    expect(actor[0]?.events.at(-1)?.seq).toBe(12);
    expect(actor[0]?.state).toBe('off');
  });

  it('limits how many actors one page may open', () => {
    const { rt, hub } = setup({ limits: { maxOpenActors: 2 } });
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    for (let i = 0; i < 3; i++) say(hub, feed, { t: 'open', id: String(rt.spawn(toggle)) });
    expect(sink.of('actor')).toHaveLength(2);
    expect(sink.of('error')[0]?.message).toMatch(/maxOpenActors/);
  });

  it('releases a page’s watches when it disconnects, and keeps a watch another page still holds', () => {
    const { rt, hub } = setup();
    const pid = rt.spawn(toggle);
    const a = hub.connect(new FakeSink(), 'json');
    const b = hub.connect(new FakeSink(), 'json');
    say(hub, a, { t: 'open', id: String(pid) });
    say(hub, b, { t: 'open', id: String(pid) });
    hub.disconnect(a);
    expect(hub.watchedCount).toBe(1);
    hub.disconnect(b);
    expect(hub.watchedCount).toBe(0);
  });
});

describe('bad frames and commands', () => {
  it('answers a bad frame with a typed error and keeps the feed', () => {
    const { hub } = setup({ limits: { maxFrameBytes: 100 } });
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'msgpack');
    hub.receive(feed, Buffer.from([0xc1])); // never valid msgpack
    hub.receive(feed, JSON.stringify({ t: 'launch' }));
    hub.receive(
      feed,
      JSON.stringify({ t: 'processes', sort: 'pid', dir: 'up', filter: '', offset: 0, limit: 1 }),
    );
    hub.receive(feed, 'x'.repeat(101));
    const errors = sink.of('error');
    expect(errors.map((e) => e.code)).toEqual([
      'INSPECTOR_ERR_BAD_MESSAGE',
      'INSPECTOR_ERR_BAD_MESSAGE',
      'INSPECTOR_ERR_BAD_MESSAGE',
      'INSPECTOR_ERR_BAD_MESSAGE',
    ]);
    expect(errors[3]?.message).toMatch(/maxFrameBytes/);
    say(hub, feed, { t: 'subscribe', views: ['overview'] });
    expect(feed.views.has('overview')).toBe(true);
  });

  it('refuses commands unless allowed', async () => {
    const { hub } = setup({ channels: true });
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'command', requestId: 7, command: 'kick', clientId: 'c1' });
    await vi.waitFor(() => expect(sink.of('commandResult')).toHaveLength(1));
    expect(sink.of('commandResult')[0]).toMatchObject({
      requestId: 7,
      ok: false,
      error: { code: 'INSPECTOR_ERR_COMMANDS_DISABLED' },
    });
  });

  it('kicks a session when commands are allowed', async () => {
    const { rt, hub, channels } = setup({ channels: true, allowCommands: true });
    const cm = channels as ChannelManager;
    const pid = rt.spawn(channelMachine, {
      input: { clientId: 'c1', host: cm.host, outbound: () => undefined },
    });
    const result = await cm.openSession({
      cleanStart: true,
      clientInfo: { clientId: 'c1' },
      connInfo: { transport: 'test' },
      pid,
    });
    rt.send(pid, { type: 'ch.opened', ...result });
    await rt.idle();
    expect(cm.tables.connOf(pid)?.clientId).toBe('c1');
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'command', requestId: 1, command: 'kick', clientId: 'c1' });
    await vi.waitFor(() => expect(sink.of('commandResult')).toHaveLength(1));
    expect(sink.of('commandResult')[0]).toEqual({ t: 'commandResult', requestId: 1, ok: true });
    await vi.waitFor(() => expect(rt.isAlive(pid)).toBe(false));
  });
});

describe('registry tables, DOWN batches and scale', () => {
  /** A registered, connected channel for `clientId`, as the transport would open it. */
  async function openChannel(rt: Runtime, cm: ChannelManager, clientId: string): Promise<Pid> {
    const pid = rt.spawn(channelMachine, { input: { clientId, host: cm.host, outbound: () => undefined } });
    const result = await cm.openSession({
      cleanStart: true,
      clientInfo: { clientId },
      connInfo: { transport: 'test' },
      pid,
    });
    rt.send(pid, { type: 'ch.opened', ...result });
    await rt.idle();
    return pid;
  }

  it('shows the tables with counts, locks and the pmon size, and flags dead rows and two live owners', async () => {
    const { rt, hub, channels } = setup({ channels: true });
    const cm = channels as ChannelManager;
    const a = await openChannel(rt, cm, 'a');
    await openChannel(rt, cm, 'b');
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    say(hub, feed, { t: 'subscribe', views: ['tables'] });
    await vi.waitFor(() => expect(sink.of('tables')).toHaveLength(1));
    const clean = sink.of('tables')[0];
    expect(clean?.counts).toEqual({ channel: 2, conn: 2, info: 0, live: 2, locks: 0, pmon: 2 });
    expect(clean?.anomalies).toEqual([]);
    expect(clean?.live.map((r) => r.clientId).sort()).toEqual(['a', 'b']);

    // The manager is hung, so a death is not cleaned: the row stays with a dead pid.
    rt.suspend(cm.pid);
    rt.exit(a, 'kill');
    await vi.waitFor(() => expect(rt.isAlive(a)).toBe(false));
    // And a second live pid under one client id, written straight into the tables.
    const intruder = rt.spawn(createMachine({}));
    cm.tables.register('b', intruder, 'test');
    sink.clear();
    say(hub, feed, { t: 'subscribe', views: [] });
    say(hub, feed, { t: 'subscribe', views: ['tables'] });
    // The pmon size is asked of the hung manager: the call times out after a second.
    await vi.waitFor(() => expect(sink.of('tables')).toHaveLength(1), { timeout: 10_000 });
    const bad = sink.of('tables')[0];
    expect(bad?.counts.pmon).toBe(-1); // the hung manager does not answer
    expect(bad?.anomalies).toEqual(
      expect.arrayContaining([
        { kind: 'dead-pid', table: 'channel', clientId: 'a', pid: String(a) },
        { kind: 'dead-pid', table: 'live', clientId: 'a', pid: String(a) },
        {
          kind: 'two-live-owners',
          clientId: 'b',
          pids: expect.arrayContaining([String(intruder)]) as string[],
        },
      ]),
    );
    expect(bad?.channel.find((r) => r.pid === String(a))?.alive).toBe(false);
    rt.resume(cm.pid);
  }, 20_000);

  it('records the DOWN batches the channel manager handles, with their cleanup latency', async () => {
    const { rt, hub, channels } = setup({ channels: true });
    const cm = channels as ChannelManager;
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'json');
    const pids = [];
    for (let i = 0; i < 5; i++) pids.push(await openChannel(rt, cm, `c${i}`));
    for (const pid of pids) rt.exit(pid, 'kill');
    await vi.waitFor(() => expect(cm.tables.snapshot().conn).toHaveLength(0));
    await cm.sync();
    say(hub, feed, { t: 'subscribe', views: ['downs'] });
    await vi.waitFor(() => expect(sink.of('downs')).toHaveLength(1));
    const downs = sink.of('downs')[0];
    expect(downs?.totalDowns).toBe(5);
    expect(downs?.batches.reduce((n, b) => n + b.size, 0)).toBe(5);
    for (const batch of downs?.batches ?? []) {
      expect(batch.known).toBe(batch.size);
      expect(batch.cleanupMs).toBeGreaterThanOrEqual(0);
    }
  }, 20_000);

  it('pages 100,000 processes on the server: the page gets one page of rows', () => {
    const { rt, hub } = setup();
    const idle = createMachine({ id: 'idle' });
    for (let i = 0; i < 100_000; i++) rt.spawn(idle);
    const sink = new FakeSink();
    const feed = hub.connect(sink, 'msgpack');
    say(hub, feed, { t: 'processes', sort: 'pid', dir: 'desc', filter: '', offset: 100, limit: 100 });
    const page = sink.of('processes')[0];
    expect(page?.total).toBe(100_000);
    expect(page?.rows).toHaveLength(100);
    expect(page?.rows[0]?.id).toBe(`<local.${100_000 - 100}.0>`);
    say(hub, feed, { t: 'processes', sort: 'pid', dir: 'asc', filter: '99999', offset: 0, limit: 10 });
    expect(sink.of('processes')[1]?.rows.map((r) => r.id)).toContain('<local.99999.0>');
  }, 60_000);
});
