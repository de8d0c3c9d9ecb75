import { describe, expect, it } from 'vitest';
import { downsFirst, overlap, pct, portfolio, strategyByName, STRATEGY_NAMES } from '../src/strategies.js';

const always = (n: number): number => n - 1; // never below any threshold: the bias never fires
const never = (): number => 0; // always below: the bias always fires

describe('strategies', () => {
  it('overlap issues the next operation while system work is still runnable', () => {
    const s = overlap({ probability: 0.5 });
    const labels = ['deliver:ext>cm@0', 'op:connect@1'];
    expect(s.choose(labels, 0, never, 0)).toBe(1);
    expect(s.choose(labels, 0, always, 0)).toBe(0);
    // No operation among the candidates: the default.
    expect(s.choose(['deliver:ext>cm@0', 'deliver:ext>c1@0'], 0, never, 0)).toBe(0);
  });

  it('downsFirst lets an exit, a DOWN batch or a DOWN delivery overtake older messages', () => {
    const s = downsFirst();
    expect(s.choose(['deliver:ext>cm@0', 'exit:c1@0'], 0, never, 0)).toBe(1);
    expect(s.choose(['deliver:ext>cm@1', 'deliver:rt>cm@0'], 0, never, 0)).toBe(1);
    expect(s.choose(['deliver:ext>cm@1', 'batch:cm@0'], 0, always, 0)).toBe(0);
  });

  it('pct takes the default order past four horizons, so a polling loop cannot starve a run', () => {
    const s = pct({ depth: 1, horizon: 10 });
    s.begin(0, (n) => n - 1);
    const labels = ['deliver:c2>call:c2@1', 'deliver:ext>cm@7'];
    expect(s.choose(labels, 0, never, 40)).toBe(0);
    expect(s.choose(labels, 1, never, 40)).toBe(1);
  });

  it('the portfolio rotates every strategy, the new ones included', () => {
    const names: string[] = [];
    const inner = ['a', 'b', 'c'].map((name) => ({
      name,
      begin: () => void names.push(name),
      choose: () => 0,
    }));
    const p = portfolio(inner);
    for (let run = 0; run < 4; run++) p.begin(run, never);
    expect(names).toEqual(['a', 'b', 'c', 'a']);
    for (const name of STRATEGY_NAMES) expect(strategyByName(name)?.name).toBe(name);
  });
});
