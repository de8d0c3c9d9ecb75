// Unit tests of ChannelTables: each method, exact-pair deletion, and maxima that never decrease.
import { describe, expect, it } from 'vitest';
import { Pid } from '@switchboard/runtime';
import { ChannelTables } from '../src/channel-tables.js';

/** A fresh Pid object each call, as after a round trip: the tables must compare by value. */
const pid = (id: number): Pid => new Pid('local', id, 0);

describe('ChannelTables', () => {
  describe('registration', () => {
    it('registers a channel in every table and marks it live', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      expect(t.lookup('c1')).toEqual([pid(1)]);
      expect(t.connOf(pid(1))).toEqual({ clientId: 'c1', transport: 'tcp' });
      expect(t.isLive(pid(1))).toBe(true);
      expect(t.liveCount).toBe(1);
      expect(t.invariants()).toEqual([]);
    });

    it('keeps one row per pair when a channel registers twice', () => {
      const t = new ChannelTables();
      expect(t.insertChannel('c1', pid(1))).toBe(true);
      t.insertChannel('c1', pid(2));
      expect(t.insertChannel('c1', pid(1))).toBe(false);
      // EMQX's test_stepdown_session: Pid1 registered twice, lookup gives exactly [Pid1, Pid2].
      expect(t.lookup('c1')).toEqual([pid(1), pid(2)]);
      expect(t.stats().channels.count).toBe(2);
    });

    it('lists pids in registration order, a re-registered pair going to the end after a delete', () => {
      const t = new ChannelTables();
      for (const id of [3, 1, 2]) t.register('c1', pid(id), 'tcp');
      expect(t.lookup('c1')).toEqual([pid(3), pid(1), pid(2)]);
      t.unregister('c1', pid(3));
      t.register('c1', pid(3), 'tcp');
      expect(t.lookup('c1')).toEqual([pid(1), pid(2), pid(3)]);
    });

    it('replaces the conn row of a pid on a second insertConn (one row per pid)', () => {
      const t = new ChannelTables();
      t.insertConn('c1', pid(1), 'tcp');
      t.insertConn('c1', pid(1), 'ws');
      expect(t.connOf(pid(1))).toEqual({ clientId: 'c1', transport: 'ws' });
      expect(t.stats().connections.count).toBe(1);
    });

    it('reports whether markLive and markDisconnected changed the live set', () => {
      const t = new ChannelTables();
      expect(t.markLive(pid(1))).toBe(true);
      expect(t.markLive(pid(1))).toBe(false);
      expect(t.markDisconnected(pid(1))).toBe(true);
      expect(t.markDisconnected(pid(1))).toBe(false);
      expect(t.isLive(pid(1))).toBe(false);
    });

    it('returns empty answers for unknown client ids and pids', () => {
      const t = new ChannelTables();
      expect(t.lookup('nobody')).toEqual([]);
      expect(t.connOf(pid(9))).toBeUndefined();
      expect(t.isLive(pid(9))).toBe(false);
      expect(t.getInfo('nobody', pid(9))).toBeUndefined();
      expect(t.getStats('nobody', pid(9))).toBeUndefined();
    });
  });

  describe('unregister', () => {
    it('deletes exactly the named pair from channel, conn and info, and leaves live alone', () => {
      const t = new ChannelTables<string, number>();
      t.register('c1', pid(1), 'tcp');
      t.register('c1', pid(2), 'tcp');
      t.insertInfo('c1', pid(1), 'one', 1);
      t.insertInfo('c1', pid(2), 'two', 2);
      expect(t.unregister('c1', pid(1))).toBe(true);
      expect(t.lookup('c1')).toEqual([pid(2)]);
      expect(t.connOf(pid(1))).toBeUndefined();
      expect(t.connOf(pid(2))).toEqual({ clientId: 'c1', transport: 'tcp' });
      expect(t.getInfo('c1', pid(1))).toBeUndefined();
      expect(t.getInfo('c1', pid(2))).toBe('two');
      // EMQX's unregister_channel does not touch the live table; the DOWN path does.
      expect(t.isLive(pid(1))).toBe(true);
    });

    it('is a no-op returning false for an unknown pair', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      expect(t.unregister('c1', pid(2))).toBe(false);
      expect(t.unregister('c2', pid(1))).toBe(false);
      expect(t.lookup('c1')).toEqual([pid(1)]);
    });

    it("keeps a pid's conn row when it belongs to another client id", () => {
      const t = new ChannelTables();
      t.insertChannel('c1', pid(1));
      t.insertConn('c2', pid(1), 'tcp');
      expect(t.unregister('c1', pid(1))).toBe(true);
      expect(t.connOf(pid(1))).toEqual({ clientId: 'c2', transport: 'tcp' });
    });

    it('forgets a client id once its last channel is gone', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      t.unregister('c1', pid(1));
      expect(t.allClientIds()).toEqual([]);
      expect(t.allChannels()).toEqual([]);
    });
  });

  describe('cleanDown', () => {
    it("cleans an old pid's rows and returns its client id, leaving the newer pid's rows", () => {
      const t = new ChannelTables<string, number>();
      t.register('c1', pid(1), 'tcp');
      t.register('c1', pid(2), 'ws');
      t.insertInfo('c1', pid(1), 'old', 0);
      t.insertInfo('c1', pid(2), 'new', 0);
      expect(t.cleanDown(pid(1))).toBe('c1');
      expect(t.lookup('c1')).toEqual([pid(2)]);
      expect(t.connOf(pid(2))).toEqual({ clientId: 'c1', transport: 'ws' });
      expect(t.getInfo('c1', pid(2))).toBe('new');
    });

    it('is a no-op returning undefined for a pid without a conn row, and when repeated', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      expect(t.cleanDown(pid(7))).toBeUndefined();
      expect(t.cleanDown(pid(1))).toBe('c1');
      expect(t.cleanDown(pid(1))).toBeUndefined();
    });

    it('gives the same tables whichever of two pids is cleaned first', () => {
      const run = (order: number[]): unknown => {
        const t = new ChannelTables();
        for (const id of [1, 2, 3]) t.register('c1', pid(id), 'tcp');
        for (const id of order) t.cleanDown(pid(id));
        return t.snapshot();
      };
      expect(run([1, 2])).toEqual(run([2, 1]));
      expect(run([1, 2])).toMatchObject({ channel: [{ clientId: 'c1', pid: pid(3) }] });
    });
  });

  describe('info and stats', () => {
    it('upserts info rows and updates each column on its own', () => {
      const t = new ChannelTables<{ state: string }, { recv: number }>();
      t.insertInfo('c1', pid(1), { state: 'connected' }, { recv: 0 });
      expect(t.setInfo('c1', pid(1), { state: 'disconnected' })).toBe(true);
      expect(t.setStats('c1', pid(1), { recv: 5 })).toBe(true);
      expect(t.getInfo('c1', pid(1))).toEqual({ state: 'disconnected' });
      expect(t.getStats('c1', pid(1))).toEqual({ recv: 5 });
      t.insertInfo('c1', pid(1), { state: 'connected' }, { recv: 9 });
      expect(t.getStats('c1', pid(1))).toEqual({ recv: 9 });
      expect(t.snapshot().info).toHaveLength(1);
    });

    it('answers false from setInfo and setStats when the row is missing', () => {
      const t = new ChannelTables();
      expect(t.setInfo('c1', pid(1), {})).toBe(false);
      expect(t.setStats('c1', pid(1), {})).toBe(false);
      t.insertInfo('c1', pid(1), {}, {});
      expect(t.setInfo('c2', pid(1), {})).toBe(false);
    });
  });

  describe('stats', () => {
    it('counts every table and keeps maxima that never decrease', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      t.register('c2', pid(2), 'tcp');
      t.register('c2', pid(3), 'tcp');
      t.markDisconnected(pid(3));
      expect(t.stats()).toEqual({
        channels: { count: 3, max: 3 },
        sessions: { count: 3, max: 3 },
        connections: { count: 3, max: 3 },
        live_connections: { count: 2, max: 3 },
      });
      t.cleanDown(pid(1));
      t.cleanDown(pid(2));
      t.markDisconnected(pid(1));
      t.markDisconnected(pid(2));
      expect(t.stats()).toEqual({
        channels: { count: 1, max: 3 },
        sessions: { count: 1, max: 3 },
        connections: { count: 1, max: 3 },
        live_connections: { count: 0, max: 3 },
      });
      t.register('c4', pid(4), 'tcp');
      expect(t.stats().channels).toEqual({ count: 2, max: 3 });
    });

    it('counts disconnected sessions whose process lives in connections, not live_connections', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      t.markDisconnected(pid(1));
      expect(t.stats().connections.count).toBe(1);
      expect(t.stats().live_connections.count).toBe(0);
    });
  });

  describe('listing', () => {
    it('lists every channel and client id', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      t.register('c2', pid(2), 'tcp');
      t.register('c1', pid(3), 'tcp');
      expect(t.allClientIds()).toEqual(['c1', 'c2']);
      expect(t.allChannels().map(String).sort()).toEqual(['<local.1.0>', '<local.2.0>', '<local.3.0>']);
    });

    it('snapshots plain rows of every table', () => {
      const t = new ChannelTables<string, number>();
      t.register('c1', pid(1), 'tcp');
      t.insertInfo('c1', pid(1), 'i', 7);
      expect(t.snapshot()).toEqual({
        channel: [{ clientId: 'c1', pid: pid(1) }],
        conn: [{ pid: pid(1), clientId: 'c1', transport: 'tcp' }],
        info: [{ clientId: 'c1', pid: pid(1), info: 'i', stats: 7 }],
        live: [pid(1)],
      });
    });
  });

  describe('invariants', () => {
    it('reports a channel row without a conn row, and the reverse', () => {
      const t = new ChannelTables();
      t.insertChannel('c1', pid(1));
      t.insertConn('c2', pid(2), 'tcp');
      expect(t.invariants()).toEqual([
        'H.1: channel row (c1, <local.1.0>) has no conn row',
        'H.1: conn row (c2, <local.2.0>) has no channel row',
      ]);
    });

    it('reports a conn row naming another client id, an orphan info row and a live pid without conn', () => {
      const t = new ChannelTables();
      t.insertChannel('c1', pid(1));
      t.insertConn('c9', pid(1), 'tcp');
      t.insertInfo('c3', pid(3), {}, {});
      t.markLive(pid(4));
      expect(t.invariants()).toEqual([
        'H.1: channel row (c1, <local.1.0>) but conn row says c9',
        'H.1: conn row (c9, <local.1.0>) has no channel row',
        'H.1: info row (c3, <local.3.0>) has no channel row',
        'H.1: live pid <local.4.0> has no conn row',
      ]);
    });

    it('reports rows of dead pids only when given isAlive', () => {
      const t = new ChannelTables();
      t.register('c1', pid(1), 'tcp');
      t.insertInfo('c1', pid(1), {}, {});
      expect(t.invariants()).toEqual([]);
      expect(t.invariants(() => false)).toEqual([
        'H.2: channel row (c1, <local.1.0>) for a dead pid',
        'H.2: conn row (c1, <local.1.0>) for a dead pid',
        'H.2: info row (c1, <local.1.0>) for a dead pid',
        'H.3: live pid <local.1.0> is dead',
      ]);
      t.cleanDown(pid(1));
      t.markDisconnected(pid(1));
      expect(t.invariants(() => false)).toEqual([]);
    });
  });
});
