import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { enableBugs } from '@switchboard/channels/bugs';
import { channelConnection } from '../src/connection.js';
import type { ConnectionAdapter } from '../src/connection.js';
import { formatReplayLine, parseReplayLine } from '../src/scenario.js';
import type { Op, Scenario } from '../src/scenario.js';
import { uniform } from '../src/strategies.js';
import { runScenario } from '../src/world.js';

const takeover: Op[] = [
  { kind: 'connect', conn: 1, clientId: 'a', clean: false, socket: true },
  { kind: 'publish', clientId: 'a', id: 1 },
  { kind: 'connect', conn: 2, clientId: 'a', clean: false, socket: true },
  { kind: 'publish', clientId: 'a', id: 2 },
  { kind: 'lookup', clientId: 'a' },
];
const scenario = (workload: Op[], rest: Partial<Scenario> = {}): Scenario => ({
  workload,
  faults: [],
  decisions: [],
  ...rest,
});

afterEach(() => {
  enableBugs([]);
});

describe('runScenario', () => {
  it('runs the real manager: a resume takes the session over and every message arrives once', async () => {
    const result = await runScenario(scenario(takeover), { seed: 1 });
    expect(result.violations).toEqual([]);
    const opened = result.trace.filter((p) => p.kind === 'sim.opened').map((p) => p.fields['present']);
    expect(opened.slice(0, 2)).toEqual([false, true]);
    const out = result.trace.filter((p) => p.kind === 'sim.out').map((p) => p.fields['id']);
    expect(out).toEqual(['m1', 'm2']);
    // The default order makes no deviation to record.
    expect(result.scenario.decisions).toEqual([]);
  });

  it('replays a run exactly from its scenario (workload, faults, decisions)', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const first = await runScenario(scenario(takeover), { seed, strategy: uniform() });
      const line = formatReplayLine(first.scenario);
      const again = await runScenario(parseReplayLine(line), { seed: 12345 });
      expect(again.traceHash).toBe(first.traceHash);
      expect(again.decisions).toEqual(first.decisions);
    }
  });

  it('gives the trace hash as an ordinary field: read twice, spread, as JSON, frozen', async () => {
    const first = await runScenario(scenario(takeover), { seed: 3, strategy: uniform() });
    // Hashed when first read: a run that nobody asks for it never hashes its trace.
    expect(first.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.traceHash).toBe(first.traceHash);
    expect(Object.keys(first)).toContain('traceHash');
    expect({ ...first }.traceHash).toBe(first.traceHash);
    expect((JSON.parse(JSON.stringify(first)) as { traceHash: string }).traceHash).toBe(first.traceHash);
    const again = await runScenario(first.scenario, { seed: 3 });
    expect(again.traceHash).toBe(first.traceHash);
    // Two results never share a hash by accident: each reads its own run's trace.
    const other = await runScenario(scenario(takeover.slice(0, 2)), { seed: 3 });
    expect(other.traceHash).not.toBe(first.traceHash);
    expect(Object.isFrozen(Object.freeze(other)) && other.traceHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fires a fault exactly at a trace point', async () => {
    const result = await runScenario(
      scenario(takeover, {
        faults: [{ kind: 'kill', target: 'c1', at: { point: 'cm.takeover.begin.called' } }],
      }),
      { seed: 1 },
    );
    const kinds = result.trace.map((p) => p.kind);
    const at = kinds.indexOf('cm.takeover.begin.called');
    expect(at).toBeGreaterThan(0);
    expect(kinds[at + 1]).toBe('sim.fault');
    expect(result.violations).toEqual([]);
  });

  it('fires every fault planted on the same trigger', async () => {
    const at = { point: 'cm.takeover.begin.called', clientId: 'a' };
    const result = await runScenario(
      scenario(takeover.slice(0, 3), {
        faults: [
          { kind: 'hang', target: 'c1', at },
          { kind: 'kill', target: 'c2', at },
        ],
      }),
      { seed: 1 },
    );
    const fired = result.trace.filter((p) => p.kind === 'sim.fault').map((p) => p.fields);
    expect(fired).toEqual([
      { fault: 'hang', target: 'c1', hit: true },
      { fault: 'kill', target: 'c2', hit: true },
    ]);
    expect(result.violations).toEqual([]);
  });

  it('counts no loss when a hung taker ends up the only holder of the session', async () => {
    // The taker hangs, its open still completes, and the next resume kills it on timeout:
    // the session dies with it, which is not a handover losing messages.
    const result = await runScenario(
      scenario(
        [
          { kind: 'connect', conn: 1, clientId: 'a', clean: false, socket: false },
          { kind: 'publish', clientId: 'a', id: 1 },
          { kind: 'connect', conn: 2, clientId: 'a', clean: false, socket: false },
        ],
        { faults: [{ kind: 'hang', target: 'c2', at: { point: 'ch.takeover.begin.received' } }] },
      ),
      { seed: 1 },
    );
    expect(result.violations).toEqual([]);
  });

  it('finds a duplicate delivery in a connection that sends every message twice', async () => {
    const doubling: ConnectionAdapter = {
      ...channelConnection,
      input: (start) =>
        channelConnection.input({
          ...start,
          outbound: start.outbound && ((m) => (start.outbound?.(m), start.outbound?.(m))),
        }),
    };
    const result = await runScenario(scenario(takeover), { seed: 1 }, { connection: doubling });
    expect(result.violations).toContain('H.8: m1 sent to a twice');
  });

  it('in strict mode, fails a run whose code reads Math.random', async () => {
    const random: ConnectionAdapter = {
      ...channelConnection,
      logic: createMachine({ entry: () => void Math.random() }),
    };
    const result = await runScenario(
      scenario(takeover.slice(0, 1)),
      { seed: 1 },
      { connection: random, strict: true },
    );
    expect(result.violations.join()).toContain('RT_ERR_NONDETERMINISM');
    expect(() => Math.random()).not.toThrow();
  });

  it('returns when a violation stops the run while the manager is still syncing', async () => {
    enableBugs(['B7']); // the old channel's cleanup deletes the taker's rows: caught mid-drain
    const result = await runScenario(scenario(takeover.slice(0, 3)), { seed: 1 });
    expect(result.violations.length).toBeGreaterThan(0);
  });
});
