import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Bag } from '../src/internal/bag.js';

describe('Bag', () => {
  it('keeps one row without a Map, grows to a Map at the second, and drops emptied buckets', () => {
    const bag = new Bag<number>();
    expect(bag.add('c1', 'p1', 1)).toBe(true);
    expect(bag.add('c1', 'p1', 9)).toBe(false); // a present row keeps its value and place
    expect(bag.get('c1', 'p1')).toBe(1);
    expect(bag.add('c1', 'p2', 2)).toBe(true);
    expect(bag.values('c1')).toEqual([1, 2]);
    expect(bag.rows).toBe(2);
    expect(bag.delete('c1', 'p1')).toBe(true);
    expect(bag.delete('c1', 'p1')).toBe(false);
    expect(bag.values('c1')).toEqual([2]);
    expect(bag.delete('c1', 'p2')).toBe(true);
    expect(bag.outerKeys()).toEqual([]);
    expect(bag.has('c1', 'p2')).toBe(false);
    expect(bag.get('nobody', 'p')).toBeUndefined();
    expect(bag.delete('nobody', 'p')).toBe(false);
    expect(bag.emptyBuckets()).toEqual([]);
  });

  it('with keyOf, keeps a one-row bucket as its value, and reads its key from it', () => {
    const bag = new Bag<{ id: string }>((v) => v.id);
    const p1 = { id: 'p1' };
    const p2 = { id: 'p2' };
    expect(bag.add('c1', 'p1', p1)).toBe(true);
    expect(bag.add('c1', 'p1', { id: 'p1' })).toBe(false);
    expect(bag.get('c1', 'p1')).toBe(p1);
    expect(bag.get('c1', 'p2')).toBeUndefined();
    expect(bag.has('c1', 'p1')).toBe(true);
    expect(bag.has('c1', 'p2')).toBe(false);
    expect(bag.delete('c1', 'p2')).toBe(false);
    expect([...bag.entries()]).toEqual([['c1', 'p1', p1]]);
    expect(bag.add('c1', 'p2', p2)).toBe(true);
    expect(bag.values('c1')).toEqual([p1, p2]);
    expect(bag.delete('c1', 'p1')).toBe(true);
    expect(bag.delete('c1', 'p2')).toBe(true);
    expect(bag.rows).toBe(0);
    expect(bag.outerKeys()).toEqual([]);
  });

  test.prop([
    fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b'), fc.constantFrom('1', '2', '3')), {
      maxLength: 40,
    }),
    fc.boolean(),
  ])('answers like a Map of Maps under any adds and deletes, with or without keyOf', (ops, keyed) => {
    // Values are outer + key (outer is one character): keyOf reads the key back from the value.
    const bag = keyed ? new Bag<string>((v) => v.slice(1)) : new Bag<string>();
    const model = new Map<string, Map<string, string>>();
    for (const [add, outer, key] of ops) {
      const inner = model.get(outer);
      if (add) {
        const fresh = !inner?.has(key);
        expect(bag.add(outer, key, `${outer}${key}`)).toBe(fresh);
        if (fresh) model.set(outer, (inner ?? new Map<string, string>()).set(key, `${outer}${key}`));
      } else {
        const had = inner?.delete(key) ?? false;
        expect(bag.delete(outer, key)).toBe(had);
        if (inner?.size === 0) model.delete(outer);
      }
      expect(bag.outerKeys()).toEqual([...model.keys()]);
      for (const [o, m] of model) {
        expect(bag.values(o)).toEqual([...m.values()]);
        for (const k of ['1', '2', '3']) expect(bag.has(o, k)).toBe(m.has(k));
      }
      const rows = [...model].flatMap(([o, m]) => [...m].map(([k, v]) => [o, k, v]));
      expect([...bag.entries()]).toEqual(rows);
      expect(bag.rows).toBe(rows.length);
    }
  });
});
