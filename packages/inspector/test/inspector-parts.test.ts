/**
 * The inspector's small parts: charts from machines (the channel machine's included), active
 * state ids, state labels, making contexts serialisable, the fuzzy filter, the limits, the token
 * comparison, and the DOWN-batch timeline.
 */
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { channelMachine } from '@switchboard/channels';
import { DEFAULT_LIMITS, InvalidInspectorOption } from '@switchboard/inspector';
import { createRuntime } from '@switchboard/runtime';
import { activeStateIds, chartOf, chartOfConfig, stateLabel } from '../src/chart-definition.js';
import { DownTimeline } from '../src/down-timeline.js';
import { fuzzyMatcher } from '../src/fuzzy.js';
import { resolveLimits } from '../src/options.js';
import { toSerializable } from '../src/serializable.js';
import { tokenMatches } from '../src/token.js';

const nested = createMachine({
  id: 'door',
  initial: 'closed',
  states: {
    closed: {
      initial: 'locked',
      states: { locked: { on: { unlock: 'unlocked' } }, unlocked: { on: { lock: 'locked' } } },
      on: { open: { target: 'opened', guard: 'isUnlocked' } },
    },
    opened: { after: { 5000: 'closed' }, on: { slam: 'broken' } },
    broken: { type: 'final' },
    both: { type: 'parallel', states: { a: {}, b: {} } },
  },
});

describe('charts', () => {
  it('lays out the node tree with types, initial children and labelled edges', () => {
    const chart = chartOf(nested as never);
    expect(chart.machine).toMatch(/^door#\d+$/);
    expect(chart.root.initial).toBe('door.closed');
    const closed = chart.root.children.find((c) => c.key === 'closed');
    expect(closed).toMatchObject({ type: 'compound', initial: 'door.closed.locked' });
    expect(closed?.children.map((c) => c.id)).toEqual(['door.closed.locked', 'door.closed.unlocked']);
    expect(chart.root.children.find((c) => c.key === 'broken')?.type).toBe('final');
    expect(chart.root.children.find((c) => c.key === 'both')?.type).toBe('parallel');
    const labels = chart.edges.map((e) => `${e.source} -${e.label}-> ${e.target}`);
    expect(labels).toEqual(
      expect.arrayContaining([
        'door.closed.locked -unlock-> door.closed.unlocked',
        'door.closed -open [isUnlocked]-> door.opened',
        'door.opened -after 5000ms-> door.closed',
        'door.opened -slam-> door.broken',
      ]),
    );
    expect(new Set(chart.edges.map((e) => e.id)).size).toBe(chart.edges.length);
  });

  it('builds one chart per machine object and reuses it', () => {
    expect(chartOf(nested as never)).toBe(chartOf(nested as never));
    const twin = createMachine({ id: 'door', initial: 'x', states: { x: {} } });
    expect(chartOf(twin as never).machine).not.toBe(chartOf(nested as never).machine);
  });

  it("draws the channel machine's states", () => {
    const chart = chartOf(channelMachine as never);
    const keys = chart.root.children.map((c) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['opening', 'connected', 'disconnected']));
    expect(chart.edges.length).toBeGreaterThan(5);
  });

  it('names the active states of a value, ancestors included', () => {
    expect(activeStateIds(nested as never, { closed: 'unlocked' })).toEqual([
      'door',
      'door.closed',
      'door.closed.unlocked',
    ]);
    expect(activeStateIds(nested as never, { both: { a: {}, b: {} } })).toEqual([
      'door',
      'door.both',
      'door.both.a',
      'door.both.b',
    ]);
    expect(activeStateIds(nested as never, 'nowhere')).toEqual(['door']);
  });

  it('writes a state value on one line', () => {
    expect(stateLabel('idle')).toBe('idle');
    expect(stateLabel({ closed: 'locked' })).toBe('closed.locked');
    expect(stateLabel({ p: 'x', q: { r: 's' } })).toBe('p.x,q.r.s');
    expect(stateLabel(undefined)).toBe('');
    expect(stateLabel('active')).toBe('active');
  });

  it('resolves a config sent as JSON, and refuses what is not a machine config', () => {
    const resolved = chartOfConfig(
      JSON.stringify({ id: 'm', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } }),
    );
    expect(resolved?.chart.edges).toEqual([{ id: 'e0', source: 'm.a', target: 'm.b', label: 'go' }]);
    expect(chartOfConfig('not json')).toBeUndefined();
    expect(chartOfConfig(JSON.stringify({ id: 'no-states' }))).toBeUndefined();
    expect(
      chartOfConfig(JSON.stringify({ id: 'bad', initial: 'missing', states: { a: {} } })),
    ).toBeUndefined();
  });
});

describe('toSerializable', () => {
  it('turns pids, functions, Maps, Sets, bytes, bigints, dates and errors into plain stand-ins', async () => {
    const rt = createRuntime();
    const pid = rt.spawn(createMachine({}));
    const value = toSerializable(
      {
        pid,
        fn: function handler() {},
        map: new Map([['k', 1]]),
        set: new Set([1, 2]),
        bytes: Buffer.from('abc'),
        big: 10n,
        at: new Date(0),
        err: new TypeError('boom'),
        missing: undefined,
      },
      6,
    );
    expect(value).toEqual({
      pid: String(pid),
      fn: '[Function handler]',
      map: { '[type]': 'Map', k: 1 },
      set: [1, 2],
      bytes: '[3 bytes]',
      big: '10n',
      at: '1970-01-01T00:00:00.000Z',
      err: '[TypeError: boom]',
      missing: null,
    });
    await rt.shutdown();
  });

  it('shows a monitor ref as the ref alone, not the processes its record holds', async () => {
    const rt = createRuntime();
    const watcher = rt.spawn(createMachine({}));
    const target = rt.spawn(createMachine({}));
    const ref = rt.monitor(watcher, target);
    expect(toSerializable({ ref }, 6)).toEqual({ ref: String(ref) });
    expect(String(ref)).toMatch(/^#Ref<.+\.\d+>$/);
    await rt.shutdown();
  });

  it('cuts cycles, depth, long strings, wide objects and the total size', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic['self'] = cyclic;
    expect(toSerializable(cyclic, 6)).toEqual({ name: 'a', self: '[Circular]' });
    expect(toSerializable({ a: { b: { c: {} } } }, 2)).toEqual({ a: { b: '[Object]' } });
    expect(String(toSerializable('x'.repeat(5000), 6))).toMatch(/… \(5000 chars\)$/);
    const wide = toSerializable(
      Array.from({ length: 150 }, (_, i) => i),
      6,
    ) as unknown[];
    expect(wide).toHaveLength(101);
    expect(wide[100]).toBe('… 50 more');
    // 100 × 100 × 100 values would be a million: the budget stops it.
    const huge = Array.from({ length: 100 }, () =>
      Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => 1)),
    );
    expect(JSON.stringify(toSerializable(huge, 6)).length).toBeLessThan(20_000);
  });

  it('keeps a __proto__ key from becoming a prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const out = toSerializable(hostile, 6) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out['[__proto__]']).toEqual({ polluted: true });
  });
});

describe('fuzzy filter', () => {
  it('matches characters in order, case-insensitively, every term', () => {
    const m = fuzzyMatcher('C42 conn');
    expect(m('client-42 connected')).toBe(true);
    expect(m('client-24 connected')).toBe(false);
    expect(m('client-42 idle')).toBe(false);
    expect(fuzzyMatcher('  ')('anything')).toBe(true);
  });
});

describe('limits', () => {
  it('has a default for every limit and refuses unknown or non-positive ones', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toEqual({
      listIntervalMs: 1000,
      actorIntervalMs: 100,
      eventsPerActor: 200,
      maxBufferedBytes: 1048576,
      maxPageSize: 500,
      maxOpenActors: 8,
      maxFrameBytes: 1048576,
      maxFeeds: 16,
      historySamples: 300,
      downBatches: 300,
      tableRows: 200,
      treeChildren: 100,
      externalActors: 1000,
      contextDepth: 6,
    });
    expect(resolveLimits({ maxFeeds: 2 }).maxFeeds).toBe(2);
    for (const bad of [{ maxFeeds: 0 }, { listIntervalMs: 1.5 }, { nope: 1 }]) {
      let thrown: unknown;
      try {
        resolveLimits(bad);
      } catch (error) {
        thrown = error;
      }
      expect(InvalidInspectorOption.is(thrown)).toBe(true);
    }
  });
});

describe('token', () => {
  it('compares in constant time and refuses other lengths', () => {
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnop')).toBe(true);
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnoq')).toBe(false);
    expect(tokenMatches('abcdefghijklmnop', 'abc')).toBe(false);
  });
});

describe('DOWN-batch timeline', () => {
  it('measures cleanup latency from the batch to the last pid cleaned, and keeps a bounded window', () => {
    const timeline = new DownTimeline(2);
    timeline.batch(['a', 'b'], 2, 1000, 10, true);
    timeline.cleaned('a', 12);
    expect(timeline.message().batches[0]?.cleanupMs).toBeUndefined();
    timeline.cleaned('b', 15);
    expect(timeline.message().batches[0]).toEqual({ at: 1000, size: 2, known: 2, cleanupMs: 5 });
    timeline.batch(['c'], 1, 2000, 20, true);
    timeline.batch(['d'], 0, 3000, 30, true);
    const message = timeline.message();
    expect(message.batches.map((b) => b.at)).toEqual([2000, 3000]);
    expect(message.totalBatches).toBe(3);
    expect(message.totalDowns).toBe(4);
    timeline.cleaned('unknown', 40);
    expect(timeline.message().batches[1]?.cleanupMs).toBeUndefined();
  });
});
