import { describe, expect, it } from 'vitest';
import { channelConnection } from '../src/connection.js';
import type { ConnectionAdapter } from '../src/connection.js';
import { findRace } from '../src/find-race.js';
import type { MixName } from '../src/mixes.js';
import { sparse } from '../src/strategies.js';
import { runScenario } from '../src/world.js';

describe('findRace', () => {
  it('refuses options out of range at once, with TK_ERR_INVALID_OPTION', () => {
    const invalid: unknown = expect.objectContaining({ code: 'TK_ERR_INVALID_OPTION' });
    expect(() => findRace({ runs: 0 })).toThrow(invalid);
    expect(() => findRace({ runs: 1.5 })).toThrow(invalid);
    expect(() => findRace({ recheckEvery: -1 })).toThrow(invalid);
    expect(() => findRace({ mixes: ['handover', 'nope' as MixName] })).toThrow(invalid);
    expect(() => findRace({ mixes: [] })).toThrow(invalid);
    const empty = { workload: [], faults: [], decisions: [] };
    expect(() => runScenario(empty, { seed: 1 }, { maxSteps: 0 })).toThrow(invalid);
    expect(() => runScenario(empty, { seed: 1 }, { maxTimeMs: Number.NaN })).toThrow(invalid);
  });

  it('re-runs every n-th passing run from its recorded scenario (the determinism guard)', async () => {
    // Count the connections spawned: a re-run spawns its run's connections again.
    const spawnsWith = async (recheckEvery: number): Promise<{ spawns: number; runs: number }> => {
      let spawns = 0;
      let runs = 0;
      const counting: ConnectionAdapter = {
        ...channelConnection,
        input: (start) => (spawns++, channelConnection.input(start)),
      };
      const { race } = await findRace({
        seed: 3,
        runs: 20,
        recheckEvery,
        world: { connection: counting },
        onRun: () => void runs++,
      });
      expect(race).toBeUndefined();
      return { spawns, runs };
    };
    const unchecked = await spawnsWith(0);
    const checked = await spawnsWith(5);
    expect(checked.runs).toBe(20);
    expect(unchecked.runs).toBe(20);
    expect(checked.spawns).toBeGreaterThan(unchecked.spawns);
  });

  it('rejects with TK_ERR_REPLAY_NOT_EXACT when a run does not replay from its own scenario', async () => {
    // A connection that leaks state across runs: every other open gets an extra message, so
    // the same scenario takes different steps the second time.
    let opens = 0;
    const leaky: ConnectionAdapter = {
      ...channelConnection,
      opened: (rt, pid, result) => {
        channelConnection.opened(rt, pid, result);
        if (opens++ % 2 === 1) rt.send(pid, { type: 'ch.info.noise' });
      },
    };
    await expect(
      findRace({
        seed: 1,
        runs: 10,
        recheckEvery: 1,
        strategy: sparse(),
        mixes: ['handover'],
        world: { connection: leaky },
      }),
    ).rejects.toMatchObject({ code: 'TK_ERR_REPLAY_NOT_EXACT' });
  });
});
