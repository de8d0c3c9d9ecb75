// Model-based tests of ChannelTables: random command sequences run against the tables and against a
// plain-Map model, checking after every command that the two agree, that the tables satisfy §H.1, and
// that stats are consistent (count = table size, max ≥ count, max never decreases). A second
// property checks cleanup isolation (§H.11): cleaning old pids, in batches run in any order and
// repeated, never removes a newer pid's rows for the same client id.
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { Pid } from '@switchboard/runtime';
import { ChannelTables } from '../src/channel-tables.js';
import type { ChannelStats } from '../src/channel-tables.js';

const CLIENT_IDS = ['a', 'b'];
const PID_IDS = [1, 2, 3, 4];
/** A fresh Pid object each call: the tables must key pids by value, never by identity. */
const pid = (id: number): Pid => new Pid('local', id, 0);

interface Model {
  /** clientId → pid ids in registration order. */
  readonly channel: Map<string, number[]>;
  readonly conn: Map<number, { clientId: string; transport: string }>;
  /** `${clientId}/${pidId}` → info. */
  readonly info: Map<string, string>;
  readonly live: Set<number>;
  /** The stats seen after the previous command, to check maxima never decrease. */
  last: ChannelStats;
}

type Real = ChannelTables<string, number>;
type Cmd = fc.Command<Model, Real>;

const zero = { count: 0, max: 0 };
const emptyStats: ChannelStats = {
  channels: zero,
  sessions: zero,
  connections: zero,
  live_connections: zero,
};

function channelRows(m: Model): number {
  let n = 0;
  for (const ids of m.channel.values()) n += ids.length;
  return n;
}

function modelUnregister(m: Model, clientId: string, id: number): boolean {
  let removed = false;
  const ids = m.channel.get(clientId) ?? [];
  if (ids.includes(id)) {
    removed = true;
    const kept = ids.filter((x) => x !== id);
    if (kept.length === 0) m.channel.delete(clientId);
    else m.channel.set(clientId, kept);
  }
  if (m.conn.get(id)?.clientId === clientId) {
    m.conn.delete(id);
    removed = true;
  }
  if (m.info.delete(`${clientId}/${id}`)) removed = true;
  return removed;
}

/** The full agreement check run after every command. */
function assertAgree(m: Model, r: Real): void {
  for (const clientId of CLIENT_IDS) {
    expect(r.lookup(clientId)).toEqual((m.channel.get(clientId) ?? []).map(pid));
    for (const id of PID_IDS) expect(r.getInfo(clientId, pid(id))).toBe(m.info.get(`${clientId}/${id}`));
  }
  for (const id of PID_IDS) {
    expect(r.connOf(pid(id))).toEqual(m.conn.get(id));
    expect(r.isLive(pid(id))).toBe(m.live.has(id));
  }
  expect(r.allClientIds().sort()).toEqual([...m.channel.keys()].sort());
  expect(r.liveCount).toBe(m.live.size);

  // §H.12: counts equal table sizes, each max ≥ its count and never below the previous max.
  const stats = r.stats();
  expect(stats.channels.count).toBe(channelRows(m));
  expect(stats.sessions).toEqual(stats.channels);
  expect(stats.connections.count).toBe(m.conn.size);
  expect(stats.live_connections.count).toBe(m.live.size);
  for (const name of ['channels', 'sessions', 'connections', 'live_connections'] as const) {
    expect(stats[name].max).toBeGreaterThanOrEqual(stats[name].count);
    expect(stats[name].max).toBeGreaterThanOrEqual(m.last[name].max);
  }
  m.last = stats;

  // §H.1 holds, except that unregister and cleanDown leave the live row to the DOWN path (as EMQX
  // does): until it runs, that pid is live without a conn row, and exactly that is reported.
  const liveWithoutConn = [...m.live].filter((id) => !m.conn.has(id));
  expect(r.invariants()).toEqual(
    liveWithoutConn.map((id) => `H.1: live pid ${String(pid(id))} has no conn row`),
  );
}

class RegisterCommand implements Cmd {
  constructor(
    readonly clientId: string,
    readonly id: number,
    readonly transport: string,
  ) {}
  // A pid registers under one client id at a time, as a channel process does.
  check(m: Readonly<Model>): boolean {
    const conn = m.conn.get(this.id);
    return conn === undefined || conn.clientId === this.clientId;
  }
  run(m: Model, r: Real): void {
    r.register(this.clientId, pid(this.id), this.transport);
    m.conn.set(this.id, { clientId: this.clientId, transport: this.transport });
    const ids = m.channel.get(this.clientId) ?? [];
    if (!ids.includes(this.id)) m.channel.set(this.clientId, [...ids, this.id]);
    m.live.add(this.id);
    assertAgree(m, r);
  }
  toString(): string {
    return `register(${this.clientId}, ${this.id}, ${this.transport})`;
  }
}

class UnregisterCommand implements Cmd {
  constructor(
    readonly clientId: string,
    readonly id: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    expect(r.unregister(this.clientId, pid(this.id))).toBe(modelUnregister(m, this.clientId, this.id));
    assertAgree(m, r);
  }
  toString(): string {
    return `unregister(${this.clientId}, ${this.id})`;
  }
}

class CleanDownCommand implements Cmd {
  constructor(readonly id: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const clientId = m.conn.get(this.id)?.clientId;
    // The other pids of that client id, with everything they hold, before the cleanup.
    const others = (id: number): unknown => [r.connOf(pid(id)), clientId && r.getInfo(clientId, pid(id))];
    const siblings =
      clientId === undefined ? [] : (m.channel.get(clientId) ?? []).filter((x) => x !== this.id);
    const before = siblings.map(others);
    expect(r.cleanDown(pid(this.id))).toBe(clientId);
    if (clientId !== undefined) modelUnregister(m, clientId, this.id);
    expect(siblings.map(others)).toEqual(before);
    assertAgree(m, r);
  }
  toString(): string {
    return `cleanDown(${this.id})`;
  }
}

class MarkLiveCommand implements Cmd {
  constructor(readonly id: number) {}
  // Only registered pids are marked live (live ⊆ conn pids, §H.1): the channel marks itself on connect.
  check(m: Readonly<Model>): boolean {
    return m.conn.has(this.id);
  }
  run(m: Model, r: Real): void {
    const added = !m.live.has(this.id);
    expect(r.markLive(pid(this.id))).toBe(added);
    m.live.add(this.id);
    assertAgree(m, r);
  }
  toString(): string {
    return `markLive(${this.id})`;
  }
}

class MarkDisconnectedCommand implements Cmd {
  constructor(readonly id: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    expect(r.markDisconnected(pid(this.id))).toBe(m.live.delete(this.id));
    assertAgree(m, r);
  }
  toString(): string {
    return `markDisconnected(${this.id})`;
  }
}

/** Unregister and cleanDown leave the live row for the DOWN path; this pairs cleanDown with it. */
class DownCommand implements Cmd {
  constructor(readonly id: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    expect(r.markDisconnected(pid(this.id))).toBe(m.live.delete(this.id));
    const clientId = m.conn.get(this.id)?.clientId;
    expect(r.cleanDown(pid(this.id))).toBe(clientId);
    if (clientId !== undefined) modelUnregister(m, clientId, this.id);
    assertAgree(m, r);
  }
  toString(): string {
    return `down(${this.id})`;
  }
}

class InsertInfoCommand implements Cmd {
  constructor(
    readonly clientId: string,
    readonly id: number,
    readonly info: string,
  ) {}
  // Info rows belong to registered channels (info keys ⊆ channel pairs, §H.1).
  check(m: Readonly<Model>): boolean {
    return (m.channel.get(this.clientId) ?? []).includes(this.id);
  }
  run(m: Model, r: Real): void {
    r.insertInfo(this.clientId, pid(this.id), this.info, 0);
    m.info.set(`${this.clientId}/${this.id}`, this.info);
    assertAgree(m, r);
  }
  toString(): string {
    return `insertInfo(${this.clientId}, ${this.id}, ${this.info})`;
  }
}

const clientIdArb = fc.constantFrom(...CLIENT_IDS);
const pidArb = fc.constantFrom(...PID_IDS);
const registerArb = fc
  .tuple(clientIdArb, pidArb, fc.constantFrom('tcp', 'ws'))
  .map(([c, p, t]) => new RegisterCommand(c, p, t));

const commandsArb = fc.commands(
  [
    // Registrations twice over: the tables need several pids per client id before deletes get interesting.
    registerArb,
    registerArb,
    fc.tuple(clientIdArb, pidArb).map(([c, p]) => new UnregisterCommand(c, p)),
    pidArb.map((p) => new CleanDownCommand(p)),
    pidArb.map((p) => new MarkLiveCommand(p)),
    pidArb.map((p) => new MarkDisconnectedCommand(p)),
    pidArb.map((p) => new DownCommand(p)),
    fc
      .tuple(clientIdArb, pidArb, fc.constantFrom('x', 'y'))
      .map(([c, p, i]) => new InsertInfoCommand(c, p, i)),
  ],
  // size 'max': without it fast-check caps sequences at about ten commands despite maxCommands.
  { maxCommands: 80, size: 'max' },
);

describe('ChannelTables (model-based)', () => {
  test.prop([commandsArb], { numRuns: 300 })(
    'agrees with a Map model, keeps §H.1 and consistent stats after every command',
    (cmds) => {
      const setup = (): { model: Model; real: Real } => ({
        model: { channel: new Map(), conn: new Map(), info: new Map(), live: new Set(), last: emptyStats },
        real: new ChannelTables<string, number>(),
      });
      fc.modelRun(setup, cmds);
    },
  );

  // Generations of one client id: pid 1 is the oldest. The dead ones are cleaned in batches that
  // run in any order, some more than once (a late duplicate batch); the survivors must be untouched.
  const isolationArb = fc.integer({ min: 2, max: 8 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      dead: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i + 1),
        { minLength: 1 },
      ),
      splits: fc.array(fc.nat(), { maxLength: 4 }),
      repeats: fc.array(fc.nat({ max: 7 }), { maxLength: 3 }),
      other: fc.boolean(),
    }),
  );

  test.prop([isolationArb], { numRuns: 300 })(
    "cleanDown of an old pid never removes a newer pid's rows for the same client id, in any order",
    ({ n, dead, splits, repeats, other }) => {
      const t = new ChannelTables<string, number>();
      for (let id = 1; id <= n; id++) {
        t.register('c', pid(id), 'tcp');
        t.insertInfo('c', pid(id), `info-${id}`, id);
      }
      // A pid of another client id with the same pid ids' neighbours, which no cleanup may touch.
      if (other) t.register('d', pid(100), 'ws');

      // Arrange: cut the (already shuffled) dead pids into batches at the given points.
      const cuts = [...new Set(splits.map((s) => s % dead.length))].sort((x, y) => x - y);
      const batches: number[][] = [];
      let from = 0;
      for (const cut of [...cuts, dead.length]) {
        if (cut > from) batches.push(dead.slice(from, cut));
        from = Math.max(from, cut);
      }
      for (const r of repeats) batches.push(batches[r % batches.length] ?? []);

      // Act and assert after every batch.
      const cleaned = new Set<number>();
      for (const batch of batches) {
        for (const id of batch) {
          t.markDisconnected(pid(id));
          const result = t.cleanDown(pid(id));
          expect(result).toBe(cleaned.has(id) ? undefined : 'c');
          cleaned.add(id);
        }
        const survivors = Array.from({ length: n }, (_, i) => i + 1).filter((id) => !cleaned.has(id));
        expect(t.lookup('c')).toEqual(survivors.map(pid));
        for (const id of survivors) {
          expect(t.connOf(pid(id))).toEqual({ clientId: 'c', transport: 'tcp' });
          expect(t.getInfo('c', pid(id))).toBe(`info-${id}`);
          expect(t.isLive(pid(id))).toBe(true);
        }
        for (const id of cleaned) {
          expect(t.connOf(pid(id))).toBeUndefined();
          expect(t.getInfo('c', pid(id))).toBeUndefined();
        }
        if (other) expect(t.lookup('d')).toEqual([pid(100)]);
        expect(t.invariants()).toEqual([]);
      }
      expect(t.stats().channels.max).toBe(n + (other ? 1 : 0));
    },
  );
});
