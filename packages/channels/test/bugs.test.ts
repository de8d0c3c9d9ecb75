/**
 * The bug catalogue (docs/reference/bug-catalogue.md): off by default, switchable only under the
 * `source` condition, and each bug real and reachable: one deterministic scenario per bug shows
 * its symptom with the bug on and the correct behaviour with it off.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BUG_DESCRIPTIONS, BUG_IDS, enableBugs, enabledBugs } from '../src/bugs.js';
import type { BugId } from '../src/bugs.js';
import * as productionSwitch from '../src/internal/bugs-off.js';
import {
  deliveriesAcrossTakeoverOfDisconnectedSession,
  liveCountAfterLostRace,
  liveCountAfterTakeover,
  liveCountWhenDownBeatsRegistration,
  oldChannelAfterTakerDies,
  pendingsAfterSecondBegin,
  queuedMessagesWhenEndTimesOut,
  reconnectWhileDeadOpenerWaits,
  registrationAfterTakeover,
} from './support/bug-scenarios.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGE = fileURLToPath(new URL('../', import.meta.url));

/** Runs `scenario` with exactly `ids` switched on, and switches them off again. */
async function withBugs<T>(ids: readonly BugId[], scenario: () => Promise<T>): Promise<T> {
  const restore = enableBugs(ids);
  try {
    return await scenario();
  } finally {
    restore();
  }
}

afterEach(() => {
  enableBugs([]);
});

describe('the switch', () => {
  it('has every bug off by default', () => {
    expect(enabledBugs()).toEqual([]);
  });

  it('lists nine bugs, each with a description', () => {
    expect(BUG_IDS).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9']);
    for (const id of BUG_IDS) expect(BUG_DESCRIPTIONS[id].length).toBeGreaterThan(20);
  });

  it('turns exactly the given bugs on, and restores the previous set', () => {
    const restoreFirst = enableBugs(['B3', 'B1']);
    expect(enabledBugs()).toEqual(['B1', 'B3']);
    const restoreSecond = enableBugs(['B9']);
    expect(enabledBugs()).toEqual(['B9']);
    restoreSecond();
    expect(enabledBugs()).toEqual(['B1', 'B3']);
    restoreFirst();
    expect(enabledBugs()).toEqual([]);
  });

  it('refuses an unknown bug id with CH_ERR_INVALID_OPTION and changes nothing', () => {
    enableBugs(['B2']);
    expect(() => enableBugs(['B2', 'B10' as BugId])).toThrow(
      expect.objectContaining({ code: 'CH_ERR_INVALID_OPTION' }),
    );
    expect(enabledBugs()).toEqual(['B2']);
  });
});

describe('production builds', () => {
  it('map the switch to the constant-off module under every condition but source', () => {
    const pkg = JSON.parse(readFileSync(`${PACKAGE}package.json`, 'utf8')) as {
      exports: Record<string, unknown>;
      imports: Record<string, Record<string, string>>;
    };
    expect(pkg.imports['#bugs']).toEqual({
      source: './src/internal/bugs-switchable.ts',
      types: './dist/internal/bugs-off.d.ts',
      default: './dist/internal/bugs-off.js',
    });
    expect(pkg.exports['./bugs']).toMatchObject({ source: './src/bugs.ts', default: './dist/bugs.js' });
  });

  it('compile every bug to a frozen false that nothing can turn on', () => {
    expect(Object.isFrozen(productionSwitch.bugs)).toBe(true);
    expect(BUG_IDS.filter((id) => productionSwitch.bugs[id])).toEqual([]);
    expect(() => productionSwitch.switchBugs(['B1'])).toThrow(
      expect.objectContaining({ code: 'CH_ERR_INVALID_OPTION' }),
    );
    expect(() => productionSwitch.switchBugs([])).not.toThrow();
  });

  it('refuse enableBugs when the package is loaded from dist without the source condition', () => {
    // CI builds before testing; build here only if dist is missing (a fresh checkout).
    const built = ['packages/runtime/dist/index.js', 'packages/channels/dist/bugs.js'].every((f) =>
      existsSync(`${REPO}${f}`),
    );
    if (!built) {
      execFileSync('npx', ['tsc', '-p', 'packages/runtime/tsconfig.build.json'], { cwd: REPO });
      execFileSync('npx', ['tsc', '-p', 'packages/channels/tsconfig.build.json'], { cwd: REPO });
    }
    const script = `
      const m = await import('@switchboard/channels/bugs');
      let refused = '';
      try { m.enableBugs(['B1']); } catch (err) { refused = err.code; }
      console.log(JSON.stringify({ url: import.meta.resolve('@switchboard/channels/bugs'), refused, on: m.enabledBugs() }));
    `;
    // A clean environment: no NODE_OPTIONS carrying vitest's --conditions=source.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO,
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { url: string; refused: string; on: string[] };
    expect(result.url).toMatch(/packages\/channels\/dist\/bugs\.js$/);
    expect(result.refused).toBe('CH_ERR_INVALID_OPTION');
    expect(result.on).toEqual([]);
  });
});

describe('each bug shows its symptom when on, and only then', () => {
  it('B1: a lock loser that counted itself live before the lock leaks a live count', async () => {
    const fixed = await withBugs([], liveCountAfterLostRace);
    expect(fixed).toEqual({ outcomes: ['fulfilled', 'rejected'], live: 1, violations: [] });
    const buggy = await withBugs(['B1'], liveCountAfterLostRace);
    expect(buggy.outcomes).toEqual(['fulfilled', 'rejected']);
    expect(buggy.live).toBe(2);
    expect(buggy.violations.some((v) => v.startsWith('H.3: live pid'))).toBe(true);
  });

  it('B2: a DOWN from the supervisor, ahead of the registration, leaves the dead channel counted live', async () => {
    const fixed = await withBugs([], liveCountWhenDownBeatsRegistration);
    expect(fixed).toEqual({ liveWhenMonitored: 0, liveAtEnd: 0, violations: [] });
    const buggy = await withBugs(['B2'], liveCountWhenDownBeatsRegistration);
    // Until the manager's own (late, noproc) DOWN arrives, the dead channel still counts live.
    expect(buggy.liveWhenMonitored).toBe(1);
    expect(buggy).toMatchObject({ liveAtEnd: 0, violations: [] });
  });

  it('B3: a delivery after takeover begin goes into the handed-over session and is lost', async () => {
    expect(await withBugs([], deliveriesAcrossTakeoverOfDisconnectedSession)).toEqual({
      pendings: ['m1'],
      sent: ['m1'],
    });
    expect(await withBugs(['B3'], deliveriesAcrossTakeoverOfDisconnectedSession)).toEqual({
      pendings: [],
      sent: [],
    });
  });

  it('B4: an old channel whose taker died stays in takingOver for good', async () => {
    expect(await withBugs([], oldChannelAfterTakerDies)).toEqual({
      alive: false,
      state: undefined,
      exit: { shutdown: 'takeover_timeout' },
    });
    expect(await withBugs(['B4'], oldChannelAfterTakerDies)).toEqual({
      alive: true,
      state: 'takingOver',
      exit: undefined,
    });
  });

  it('B5: when takeover end times out, the queue of the session taken at begin is lost', async () => {
    expect(await withBugs([], queuedMessagesWhenEndTimesOut)).toEqual({ present: false, sent: ['m1', 'm2'] });
    expect(await withBugs(['B5'], queuedMessagesWhenEndTimesOut)).toEqual({ present: false, sent: [] });
  });

  it('B6: a second takeover begin drops the pendings gathered since the first', async () => {
    expect(await withBugs([], pendingsAfterSecondBegin)).toEqual(['m1']);
    expect(await withBugs(['B6'], pendingsAfterSecondBegin)).toEqual([]);
  });

  it("B7: cleaning up the taken-over channel deletes the taker's registration", async () => {
    const fixed = await withBugs([], registrationAfterTakeover);
    expect(fixed).toEqual({ lookup: [fixed.taker], delivered: true, taker: fixed.taker });
    const buggy = await withBugs(['B7'], registrationAfterTakeover);
    expect(buggy).toEqual({ lookup: [], delivered: false, taker: buggy.taker });
  });

  it('B8: the lock of a killed opener is not released, so the reconnect is refused', async () => {
    expect(await withBugs([], reconnectWhileDeadOpenerWaits)).toEqual({
      first: 'client id c1 is unavailable: the opening channel died',
      second: 'opened',
    });
    expect(await withBugs(['B8'], reconnectWhileDeadOpenerWaits)).toEqual({
      first: 'client id c1 is unavailable: the opening channel died',
      second: 'client id c1 is unavailable: locked by another open',
    });
  });

  it("B9: the old channel's DOWN after takeover counts the taker out", async () => {
    expect(await withBugs([], liveCountAfterTakeover)).toEqual({ live: 1, takerLive: true });
    expect(await withBugs(['B9'], liveCountAfterTakeover)).toEqual({ live: 0, takerLive: false });
  });
});
