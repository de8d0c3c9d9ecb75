import { describe, it, expect } from 'vitest';
import { InvalidOption } from '../src/errors.js';
import { Table, canonicalString } from '../src/table.js';
import type { TableOptions } from '../src/table.js';

/** A pid-like object: distinct instances with the same id are the same process. */
class FakePid {
  constructor(readonly id: number) {}
  toString(): string {
    return `<0.${this.id}.0>`;
  }
}

interface ChanRow {
  readonly clientId: string;
  readonly pid: FakePid;
}

const chanBag = (): Table<ChanRow, string> => new Table({ type: 'bag', key: (row: ChanRow) => row.clientId });
const row = (clientId: string, pid: number): ChanRow => ({ clientId, pid: new FakePid(pid) });

function expectInvalidOption(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(InvalidOption.is(caught)).toBe(true);
  expect(caught).toBeInstanceOf(TypeError);
  expect((caught as Error).message).toMatch(message);
}

describe('Table', () => {
  describe('constructor', () => {
    it('rejects a bad type or non-function options with RT_ERR_INVALID_OPTION', () => {
      const key = (r: ChanRow): string => r.clientId;
      const opts = (extra: object): TableOptions<ChanRow, string> => ({ type: 'set', key, ...extra });
      expectInvalidOption(() => new Table(opts({ type: 'ordered_set' })), /type/);
      expectInvalidOption(() => new Table(opts({ key: 2 })), /key/);
      expectInvalidOption(() => new Table(opts({ keyString: 'x' })), /keyString/);
      expectInvalidOption(() => new Table(opts({ identity: 'x' })), /identity/);
    });

    it('exposes its type and starts empty', () => {
      const t = chanBag();
      expect(t.type).toBe('bag');
      expect(t.size).toBe(0);
      expect([...t]).toEqual([]);
    });
  });

  describe('set', () => {
    const infoSet = (): Table<{ id: string; n: number }, string> =>
      new Table({ type: 'set', key: (r: { id: string; n: number }) => r.id });

    it('replaces the row with the same key on insert', () => {
      const t = infoSet();
      t.insert({ id: 'a', n: 1 });
      t.insert({ id: 'a', n: 2 });
      expect(t.lookup('a')).toEqual([{ id: 'a', n: 2 }]);
      expect(t.size).toBe(1);
    });

    it('returns zero or one row from lookup', () => {
      const t = infoSet();
      expect(t.lookup('a')).toEqual([]);
      t.insert({ id: 'a', n: 1 });
      expect(t.lookup('a')).toHaveLength(1);
    });

    it('inserts with insertNew only when the key is absent', () => {
      const t = infoSet();
      expect(t.insertNew({ id: 'a', n: 1 })).toBe(true);
      expect(t.insertNew({ id: 'a', n: 2 })).toBe(false);
      expect(t.lookup('a')).toEqual([{ id: 'a', n: 1 }]);
      expect(t.size).toBe(1);
    });

    it('keeps the last row of a key from insertMany', () => {
      const t = infoSet();
      t.insertMany([
        { id: 'a', n: 1 },
        { id: 'b', n: 1 },
        { id: 'a', n: 3 },
      ]);
      expect(t.lookup('a')).toEqual([{ id: 'a', n: 3 }]);
      expect(t.size).toBe(2);
    });

    it('deletes the stored row with deleteObject only if it is identical', () => {
      const t = infoSet();
      t.insert({ id: 'a', n: 1 });
      expect(t.deleteObject({ id: 'a', n: 2 })).toBe(false);
      expect(t.member('a')).toBe(true);
      expect(t.deleteObject({ id: 'a', n: 1 })).toBe(true);
      expect(t.member('a')).toBe(false);
      expect(t.size).toBe(0);
    });

    it('updates an existing row and keeps the size', () => {
      const t = infoSet();
      t.insert({ id: 'a', n: 1 });
      expect(t.update('a', (r) => ({ ...r, n: r.n + 1 }))).toBe(true);
      expect(t.lookup('a')).toEqual([{ id: 'a', n: 2 }]);
      expect(t.size).toBe(1);
    });

    it('returns false from update on a missing key without calling fn', () => {
      const t = infoSet();
      let called = false;
      expect(
        t.update('missing', (r) => {
          called = true;
          return r;
        }),
      ).toBe(false);
      expect(called).toBe(false);
      expect(t.size).toBe(0);
    });

    it('refuses an update that changes the key and leaves the table unchanged', () => {
      const t = infoSet();
      t.insert({ id: 'a', n: 1 });
      expectInvalidOption(() => t.update('a', (r) => ({ ...r, id: 'b' })), /key/);
      expect(t.lookup('a')).toEqual([{ id: 'a', n: 1 }]);
      expect(t.member('b')).toBe(false);
    });
  });

  describe('bag', () => {
    it('keeps distinct rows under one key', () => {
      const t = chanBag();
      t.insert(row('c1', 1));
      t.insert(row('c1', 2));
      t.insert(row('c2', 3));
      expect(t.lookup('c1')).toEqual([row('c1', 1), row('c1', 2)]);
      expect(t.lookup('c2')).toEqual([row('c2', 3)]);
    });

    it('keeps one row when an identical object is inserted twice', () => {
      const t = chanBag();
      t.insert(row('c1', 1));
      t.insert(row('c1', 1)); // a different object, structurally identical
      expect(t.size).toBe(1);
      t.insert(row('c1', 2));
      t.insert(row('c1', 2));
      t.insert(row('c1', 1));
      expect(t.size).toBe(2);
      expect(t.lookup('c1')).toHaveLength(2);
    });

    it('counts objects, not keys, in size', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2), row('c1', 3), row('c2', 4)]);
      expect(t.size).toBe(4);
      expect([...t.keys()]).toEqual(['c1', 'c2']);
    });

    it('deletes exactly one object with deleteObject and never a newer pid under the same key', () => {
      // Arrange: an old and a new channel registered under one ClientId.
      const t = chanBag();
      t.insert(row('c1', 1));
      t.insert(row('c1', 2));
      t.insert(row('c1', 3));
      // Act: the old pid's cleanup runs.
      expect(t.deleteObject(row('c1', 1))).toBe(true);
      // Assert: only that row is gone.
      expect(t.lookup('c1')).toEqual([row('c1', 2), row('c1', 3)]);
      expect(t.size).toBe(2);
      // A late, repeated cleanup of the same pid is a no-op.
      expect(t.deleteObject(row('c1', 1))).toBe(false);
      expect(t.size).toBe(2);
    });

    it('leaves a single-row key alone when deleteObject names another pid', () => {
      const t = chanBag();
      t.insert(row('c1', 2));
      expect(t.deleteObject(row('c1', 1))).toBe(false);
      expect(t.deleteObject(row('c9', 1))).toBe(false);
      expect(t.lookup('c1')).toEqual([row('c1', 2)]);
    });

    it('drops the key when its last object is deleted', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2)]);
      t.deleteObject(row('c1', 2));
      expect(t.lookup('c1')).toEqual([row('c1', 1)]);
      t.deleteObject(row('c1', 1));
      expect(t.member('c1')).toBe(false);
      expect([...t.keys()]).toEqual([]);
      expect(t.size).toBe(0);
    });

    it('can grow a key again after shrinking it to one row', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2)]);
      t.deleteObject(row('c1', 1));
      t.insert(row('c1', 2)); // identical to the remaining row
      t.insert(row('c1', 3));
      expect(t.lookup('c1')).toEqual([row('c1', 2), row('c1', 3)]);
      expect(t.size).toBe(2);
    });

    it('inserts with insertNew only when the key has no rows', () => {
      const t = chanBag();
      expect(t.insertNew(row('c1', 1))).toBe(true);
      expect(t.insertNew(row('c1', 2))).toBe(false);
      expect(t.lookup('c1')).toEqual([row('c1', 1)]);
    });

    it('deletes every row of a key with delete', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2), row('c2', 3)]);
      expect(t.delete('c1')).toBe(true);
      expect(t.delete('c1')).toBe(false);
      expect(t.size).toBe(1);
      expect(t.lookup('c2')).toEqual([row('c2', 3)]);
    });

    it('rejects update', () => {
      const t = chanBag();
      t.insert(row('c1', 1));
      expectInvalidOption(() => t.update('c1', (r) => r), /set tables/);
    });

    it('uses the identity option for object equality', () => {
      const t = new Table({
        type: 'bag',
        key: (r: { k: string; pid: number; at: number }) => r.k,
        identity: (r) => String(r.pid), // `at` is bookkeeping, not identity
      });
      t.insert({ k: 'a', pid: 1, at: 10 });
      t.insert({ k: 'a', pid: 1, at: 20 });
      expect(t.lookup('a')).toEqual([{ k: 'a', pid: 1, at: 10 }]);
      expect(t.deleteObject({ k: 'a', pid: 1, at: 99 })).toBe(true);
      expect(t.size).toBe(0);
    });
  });

  describe('keys that are objects', () => {
    it('indexes tuple keys structurally by default', () => {
      const t = new Table({
        type: 'set',
        key: (r: { key: [string, FakePid]; info: string }) => r.key,
      });
      t.insert({ key: ['c1', new FakePid(1)], info: 'old' });
      t.insert({ key: ['c1', new FakePid(2)], info: 'new' });
      t.insert({ key: ['c1', new FakePid(1)], info: 'old2' });
      expect(t.size).toBe(2);
      expect(t.lookup(['c1', new FakePid(1)])).toEqual([{ key: ['c1', new FakePid(1)], info: 'old2' }]);
      expect(t.member(['c1', new FakePid(3)])).toBe(false);
    });

    it('keeps a string key apart from an object key whose String() is the same text', () => {
      const t = new Table({ type: 'set', key: (r: { key: string | FakePid; v: number }) => r.key });
      t.insert({ key: '#<0.1.0>', v: 1 });
      t.insert({ key: new FakePid(1), v: 2 });
      t.insert({ key: '<0.1.0>', v: 3 });
      expect(t.size).toBe(3);
    });

    it('keeps number and string keys apart', () => {
      const t = new Table({ type: 'set', key: (r: [string | number, string]) => r[0] });
      t.insert([1, 'number']);
      t.insert(['1', 'string']);
      expect(t.lookup(1)).toEqual([[1, 'number']]);
      expect(t.lookup('1')).toEqual([['1', 'string']]);
    });

    it('uses the keyString option when given', () => {
      const t = new Table({
        type: 'set',
        key: (r: { pid: FakePid }) => r.pid,
        keyString: (pid) => pid.id,
      });
      t.insert({ pid: new FakePid(5) });
      expect(t.member(new FakePid(5))).toBe(true);
      expect([...t.keys()]).toEqual([new FakePid(5)]);
    });
  });

  describe('select, iteration and clear', () => {
    it('selects the rows a predicate accepts', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2), row('c2', 3)]);
      expect(t.select((r) => r.pid.id >= 2)).toEqual([row('c1', 2), row('c2', 3)]);
      expect(t.select(() => false)).toEqual([]);
    });

    it('iterates every object once via rows() and Symbol.iterator', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c2', 2), row('c1', 3)]);
      expect([...t.rows()]).toEqual([row('c1', 1), row('c1', 3), row('c2', 2)]);
      expect([...t]).toEqual([...t.rows()]);
    });

    it('tolerates deleting objects while iterating', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2), row('c2', 3)]);
      const seen: number[] = [];
      for (const r of t) {
        seen.push(r.pid.id);
        t.deleteObject(r);
      }
      expect(seen).toEqual([1, 2, 3]);
      expect(t.size).toBe(0);
    });

    it('returns a fresh array from lookup', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2)]);
      t.lookup('c1').pop();
      expect(t.lookup('c1')).toHaveLength(2);
    });

    it('empties the table with clear', () => {
      const t = chanBag();
      t.insertMany([row('c1', 1), row('c1', 2)]);
      t.clear();
      expect(t.size).toBe(0);
      expect(t.member('c1')).toBe(false);
    });
  });
});

describe('canonicalString', () => {
  it('is equal exactly for structurally equal plain data', () => {
    expect(canonicalString({ b: 1, a: ['x', null] })).toBe(canonicalString({ a: ['x', null], b: 1 }));
    expect(canonicalString([1, 2])).not.toBe(canonicalString([2, 1]));
    expect(canonicalString({ a: undefined })).not.toBe(canonicalString({}));
    expect(canonicalString(Object.create(null) as object)).toBe(canonicalString({}));
  });

  it('tells values of different types apart', () => {
    const values: unknown[] = [1, '1', 1n, true, 'true', null, 'null', undefined, [], {}, '[]', [1], ['1']];
    const forms = values.map(canonicalString);
    expect(new Set(forms).size).toBe(values.length);
  });

  it('treats 0 and -0 alike, and NaN as equal to itself', () => {
    expect(canonicalString(-0)).toBe(canonicalString(0));
    expect(canonicalString(NaN)).toBe(canonicalString(NaN));
  });

  it('serialises objects with their own toString by String()', () => {
    expect(canonicalString(new FakePid(1))).toBe(canonicalString(new FakePid(1)));
    expect(canonicalString(new FakePid(1))).not.toBe(canonicalString(new FakePid(2)));
  });

  it('keeps millisecond precision for dates', () => {
    expect(canonicalString(new Date(1000))).not.toBe(canonicalString(new Date(1001)));
    expect(canonicalString(new Date(1000))).toBe(canonicalString(new Date(1000)));
  });

  it('tags class instances without their own toString with the class name', () => {
    class A {
      constructor(readonly x: number) {}
    }
    class B {
      constructor(readonly x: number) {}
    }
    expect(canonicalString(new A(1))).toBe(canonicalString(new A(1)));
    expect(canonicalString(new A(1))).not.toBe(canonicalString(new B(1)));
    expect(canonicalString(new A(1))).not.toBe(canonicalString({ x: 1 }));
  });

  it('throws RT_ERR_INVALID_OPTION for values it cannot serialise', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expectInvalidOption(() => canonicalString(() => 1), /function/);
    expectInvalidOption(() => canonicalString(Symbol('s')), /symbol/);
    expectInvalidOption(() => canonicalString(new Map()), /Map or Set/);
    expectInvalidOption(() => canonicalString(cyclic), /cyclic/);
  });

  it('allows a shared, non-cyclic sub-object', () => {
    const shared = { a: 1 };
    expect(canonicalString([shared, shared])).toBe(canonicalString([{ a: 1 }, { a: 1 }]));
  });
});
