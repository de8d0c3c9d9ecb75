/**
 * The race kit's CI slice on the fixed build: with every bug of the catalogue off, a few hundred
 * runs of each exploration strategy over the default mixes find no violation. A false positive
 * here is a bug in the kit's model of the channel manager (or a real one in the manager).
 */
import { describe, expect, it } from 'vitest';
import { enabledBugs } from '@switchboard/channels/bugs';
import { STRATEGY_NAMES, findRace, formatRace, strategyByName } from '@switchboard/testkit';

/** Runs per strategy. */
const RUNS = 300;

describe('the fixed build is clean under every strategy', () => {
  it('has no bug switched on', () => {
    expect(enabledBugs()).toEqual([]);
  });

  for (const name of STRATEGY_NAMES) {
    it(`${name}: ${RUNS} runs without a violation`, async () => {
      const strategy = strategyByName(name);
      expect(strategy).toBeDefined();
      if (!strategy) return;
      let runs = 0;
      const { race } = await findRace({
        seed: 7,
        runs: RUNS,
        strategy,
        quick: true,
        noShrink: true,
        onRun: () => void runs++,
      });
      expect(race ? formatRace(race) : 'clean').toBe('clean');
      expect(runs).toBe(RUNS);
    });
  }
});
