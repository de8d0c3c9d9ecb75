import { afterEach, describe, expect, it } from 'vitest';
import { enableBugs } from '@switchboard/channels/bugs';
import { DecisionSource } from '../src/decision-source.js';
import { parseReplayLine } from '../src/scenario.js';
import { shrinkScenario } from '../src/shrink.js';
import { runScenario } from '../src/world.js';

afterEach(() => {
  enableBugs([]);
});

/** Runs a replay line (B2 on) and checks it fails as recorded, so it can be shrunk. */
async function failing(
  line: string,
): Promise<{ result: Awaited<ReturnType<typeof runScenario>>; seed: number }> {
  const [body, seedPart] = line.split(' seed=') as [string, string];
  const seed = Number(seedPart);
  const result = await runScenario(parseReplayLine(body), { seed });
  expect(result.violations.map((v) => v.slice(0, 4))).toContain('H.3:');
  return { result, seed };
}

describe('the decision source', () => {
  it('drops a decision whose unit is gone when its step comes, and applies the ones after it', () => {
    const source = new DecisionSource(
      [
        ['deliver:ext>cm@0', 'op:connect:c9@0'], // shrinking removed c9
        ['deliver:ext>cm@0', 'op:publish:m1@0'],
      ],
      undefined,
    );
    const pick = source.strategy(['deliver:ext>cm@0', 'op:publish:m1@0'], () => 0, 0);
    expect(pick).toBe(1);
    expect(source.applied).toBe(1);
    expect(source.deviations).toEqual([['deliver:ext>cm@0', 'op:publish:m1@0']]);
  });

  it('keeps a decision pending while its step has not come', () => {
    const source = new DecisionSource([['deliver:c1>cm@0', 'exit:c2@0']], undefined);
    expect(source.strategy(['deliver:ext>cm@0', 'exit:c2@0'], () => 0, 0)).toBe(0);
    expect(source.strategy(['deliver:c1>cm@0', 'exit:c2@0'], () => 0, 1)).toBe(1);
    expect(source.applied).toBe(1);
  });
});

describe('shrinkScenario', () => {
  it('removes an operation together with the decisions that name it', async () => {
    enableBugs(['B2']);
    // Found by the portfolio (seed 53 of race:power); the first connect only anchors the decisions.
    const { result, seed } = await failing(
      'race-replay {"workload":[{"kind":"connect","conn":1,"clientId":"b","clean":true,"socket":true},{"kind":"connect","conn":2,"clientId":"a","clean":false,"socket":true},{"kind":"discard","clientId":"a"}],"faults":[{"kind":"crash","target":"c2","at":{"point":"cm.discard.called","clientId":"a","nth":0}}],"decisions":[["deliver:ext>cm@0","op:connect:c2@0"],["deliver:ext>cm@0","op:discard:a@0"],["deliver:ext>cm@0","exit:c2@0"],["deliver:ext>cm@0","deliver:rt>cm@0"]]} seed=1300533722',
    );
    const { result: shrunk } = await shrinkScenario(result, { seed, research: 0 });
    expect(shrunk.scenario.workload).not.toContainEqual(expect.objectContaining({ clientId: 'b' }));
    expect(shrunk.scenario.decisions.length).toBeLessThanOrEqual(3);
    const again = await runScenario(shrunk.scenario, { seed });
    expect(again.traceHash).toBe(shrunk.traceHash);
  });

  it('searches for a simpler schedule until the failure reads in readableDecisions', async () => {
    enableBugs(['B2']);
    // Found by the portfolio (seed 96 of race:power): every one of its 4 decisions is needed.
    const line =
      'race-replay {"workload":[{"kind":"connect","conn":1,"clientId":"a","clean":true,"socket":false},{"kind":"connect","conn":2,"clientId":"a","clean":true,"socket":false}],"faults":[{"kind":"crash","target":"c2","at":{"point":"cm.register","clientId":"a","nth":1}}],"decisions":[["deliver:c1>call:c1@0","batch:cm@0"],["deliver:c1>call:c1@0","deliver:rt>cm@0"],["deliver:cm>2@0","exit:c2@0"],["deliver:ext>cm@1","deliver:rt>cm@1"]]} seed=16';
    const { result, seed } = await failing(line);
    const pinned = await shrinkScenario(result, { seed, research: 0, maxResearch: 0 });
    expect(pinned.result.scenario.decisions).toHaveLength(4);
    const satisfied = await shrinkScenario(result, { seed, research: 0, readableDecisions: 4 });
    expect(satisfied.result.scenario.decisions).toHaveLength(4);
    const readable = await shrinkScenario(result, { seed, research: 0 });
    expect(readable.result.scenario.decisions.length).toBeLessThanOrEqual(3);
    expect(readable.result.violations.map((v) => v.slice(0, 4))).toContain('H.3:');
  });
});
