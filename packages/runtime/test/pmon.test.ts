import { describe, it, expect } from 'vitest';
import { InvalidOption } from '../src/errors.js';
import { PMon } from '../src/pmon.js';

/** A pid-like object: distinct instances with the same id are the same process. */
class FakePid {
  constructor(readonly id: number) {}
  toString(): string {
    return `<0.${this.id}.0>`;
  }
}

interface Ref {
  readonly n: number;
  readonly pid: FakePid;
}

/** A PMon whose callbacks record every call, with refs numbered from 1. */
function recordingPMon(): { pmon: PMon<FakePid, string, Ref>; monitored: FakePid[]; demonitored: Ref[] } {
  const monitored: FakePid[] = [];
  const demonitored: Ref[] = [];
  const pmon = new PMon<FakePid, string, Ref>({
    monitor: (pid) => {
      monitored.push(pid);
      return { n: monitored.length, pid };
    },
    demonitor: (ref) => void demonitored.push(ref),
  });
  return { pmon, monitored, demonitored };
}

const p1 = new FakePid(1);
const p2 = new FakePid(2);
const p3 = new FakePid(3);

describe('PMon', () => {
  describe('constructor', () => {
    it('starts empty', () => {
      const { pmon } = recordingPMon();
      expect(pmon.count).toBe(0);
      expect([...pmon.entries()]).toEqual([]);
    });

    it('throws RT_ERR_INVALID_OPTION when a callback is not a function', () => {
      const bad = { monitor: 1, demonitor: () => {} } as unknown as ConstructorParameters<typeof PMon>[0];
      expect(() => new PMon(bad)).toThrow(TypeError);
      try {
        new PMon(bad);
      } catch (err) {
        expect(InvalidOption.is(err)).toBe(true);
      }
      const noDemonitor = { monitor: () => 1 } as unknown as ConstructorParameters<typeof PMon>[0];
      expect(() => new PMon(noDemonitor)).toThrow(/demonitor/);
      const badKey = { monitor: () => 1, demonitor: () => {}, key: 'id' } as unknown as ConstructorParameters<
        typeof PMon
      >[0];
      expect(() => new PMon(badKey)).toThrow(/key/);
    });
  });

  describe('monitor', () => {
    it('calls the monitor callback once and stores the value', () => {
      const { pmon, monitored } = recordingPMon();
      expect(pmon.monitor(p1, 'client-a')).toBe(true);
      expect(monitored).toEqual([p1]);
      expect(pmon.find(p1)).toBe('client-a');
      expect(pmon.ref(p1)).toEqual({ n: 1, pid: p1 });
      expect(pmon.count).toBe(1);
    });

    it('never monitors a pid twice and keeps the first value and ref (5.x semantics)', () => {
      const { pmon, monitored } = recordingPMon();
      pmon.monitor(p1, 'client-a');
      expect(pmon.monitor(p1, 'client-b')).toBe(false);
      expect(monitored).toHaveLength(1);
      expect(pmon.find(p1)).toBe('client-a');
      expect(pmon.ref(p1)?.n).toBe(1);
      expect(pmon.count).toBe(1);
    });

    it('treats distinct pid objects with the same key as one pid', () => {
      const { pmon, monitored } = recordingPMon();
      pmon.monitor(new FakePid(7), 'x');
      expect(pmon.monitor(new FakePid(7), 'y')).toBe(false);
      expect(monitored).toHaveLength(1);
      expect(pmon.has(new FakePid(7))).toBe(true);
    });

    it('stores undefined when no value is given', () => {
      const pmon = new PMon<FakePid>({ monitor: () => 1, demonitor: () => {} });
      pmon.monitor(p1);
      expect(pmon.has(p1)).toBe(true);
      expect(pmon.find(p1)).toBeUndefined();
    });

    it('stores nothing when the monitor callback throws', () => {
      const pmon = new PMon<FakePid, string>({
        monitor: () => {
          throw new Error('boom');
        },
        demonitor: () => {},
      });
      expect(() => pmon.monitor(p1, 'a')).toThrow('boom');
      expect(pmon.has(p1)).toBe(false);
      expect(pmon.count).toBe(0);
    });

    it('uses the key option to identify pids', () => {
      const pmon = new PMon<{ node: string; n: number }, number>({
        monitor: () => 1,
        demonitor: () => {},
        key: (pid) => `${pid.node}/${pid.n}`,
      });
      pmon.monitor({ node: 'a', n: 1 }, 10);
      pmon.monitor({ node: 'b', n: 1 }, 20);
      expect(pmon.count).toBe(2);
      expect(pmon.find({ node: 'b', n: 1 })).toBe(20);
    });
  });

  describe('demonitor', () => {
    it('calls the demonitor callback with the stored ref and removes the entry', () => {
      const { pmon, demonitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.monitor(p2, 'b');
      expect(pmon.demonitor(p1)).toBe(true);
      expect(demonitored).toEqual([{ n: 1, pid: p1 }]);
      expect(pmon.has(p1)).toBe(false);
      expect(pmon.has(p2)).toBe(true);
      expect(pmon.count).toBe(1);
    });

    it('is a no-op for an unknown pid', () => {
      const { pmon, demonitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      expect(pmon.demonitor(p2)).toBe(false);
      expect(demonitored).toEqual([]);
      expect(pmon.count).toBe(1);
    });

    it('calls the callback only once when demonitoring twice', () => {
      const { pmon, demonitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.demonitor(p1);
      pmon.demonitor(p1);
      expect(demonitored).toHaveLength(1);
    });

    it('removes the entry even when the demonitor callback throws', () => {
      const pmon = new PMon<FakePid, string>({
        monitor: () => 1,
        demonitor: () => {
          throw new Error('boom');
        },
      });
      pmon.monitor(p1, 'a');
      expect(() => pmon.demonitor(p1)).toThrow('boom');
      expect(pmon.has(p1)).toBe(false);
    });

    it('allows monitoring again after demonitor, with a new ref', () => {
      const { pmon, monitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.demonitor(p1);
      expect(pmon.monitor(p1, 'b')).toBe(true);
      expect(monitored).toHaveLength(2);
      expect(pmon.ref(p1)?.n).toBe(2);
      expect(pmon.find(p1)).toBe('b');
    });
  });

  describe('find, has and ref', () => {
    it('tell a stored undefined from an absent pid', () => {
      const pmon = new PMon<FakePid, string | undefined>({ monitor: () => 1, demonitor: () => {} });
      pmon.monitor(p1, undefined);
      expect(pmon.find(p1)).toBeUndefined();
      expect(pmon.has(p1)).toBe(true);
      expect(pmon.find(p2)).toBeUndefined();
      expect(pmon.has(p2)).toBe(false);
      expect(pmon.ref(p2)).toBeUndefined();
    });
  });

  describe('erase', () => {
    it('removes the entry without calling demonitor', () => {
      const { pmon, demonitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      expect(pmon.erase(p1)).toBe(true);
      expect(demonitored).toEqual([]);
      expect(pmon.has(p1)).toBe(false);
      expect(pmon.count).toBe(0);
    });

    it('returns false for an unknown pid', () => {
      const { pmon } = recordingPMon();
      expect(pmon.erase(p1)).toBe(false);
    });
  });

  describe('eraseAll', () => {
    it('returns the present pids with their values in reverse input order', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.monitor(p2, 'b');
      pmon.monitor(p3, 'c');
      expect(pmon.eraseAll([p1, p3, p2])).toEqual([
        [p2, 'b'],
        [p3, 'c'],
        [p1, 'a'],
      ]);
      expect(pmon.count).toBe(0);
    });

    it('skips absent pids silently and leaves other entries alone', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.monitor(p2, 'b');
      const items = pmon.eraseAll([new FakePid(99), p1, new FakePid(98)]);
      expect(items).toEqual([[p1, 'a']]);
      expect(pmon.has(p2)).toBe(true);
      expect(pmon.count).toBe(1);
    });

    it('reports a repeated pid once', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      expect(pmon.eraseAll([p1, p1, p1])).toEqual([[p1, 'a']]);
    });

    it('does not call demonitor', () => {
      const { pmon, demonitored } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.monitor(p2, 'b');
      pmon.eraseAll([p1, p2]);
      expect(demonitored).toEqual([]);
    });

    it('returns the pid stored by monitor, not the equal-keyed one passed in', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      const [item] = pmon.eraseAll([new FakePid(1)]);
      expect(item?.[0]).toBe(p1);
    });

    it('accepts any iterable and returns [] for an empty one', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      expect(pmon.eraseAll(new Set<FakePid>())).toEqual([]);
      expect(pmon.eraseAll(new Set([p1]))).toEqual([[p1, 'a']]);
    });
  });

  describe('entries', () => {
    it('iterates [pid, value] in monitoring order, also via Symbol.iterator', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p2, 'b');
      pmon.monitor(p1, 'a');
      expect([...pmon.entries()]).toEqual([
        [p2, 'b'],
        [p1, 'a'],
      ]);
      expect([...pmon]).toEqual([...pmon.entries()]);
    });

    it('tolerates erasing entries while iterating', () => {
      const { pmon } = recordingPMon();
      pmon.monitor(p1, 'a');
      pmon.monitor(p2, 'b');
      pmon.monitor(p3, 'c');
      const seen: string[] = [];
      for (const [pid, value] of pmon) {
        seen.push(value);
        pmon.erase(pid);
      }
      expect(seen).toEqual(['a', 'b', 'c']);
      expect(pmon.count).toBe(0);
    });
  });

  it('uses String(pid) as the default key', () => {
    const pmon = new PMon<string | FakePid, number>({ monitor: () => 1, demonitor: () => {} });
    pmon.monitor(p1, 1);
    expect(pmon.has('<0.1.0>')).toBe(true);
  });
});
