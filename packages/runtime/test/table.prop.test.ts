// Model-based tests of Table: random command sequences run against the table and against a plain
// Map model, for both set and bag, and every command checks that the two agree completely.
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { Table } from '../src/table.js';
import type { TableType } from '../src/table.js';

/** A pid-like object: rows hold distinct instances for the same pid, as after a round trip. */
class FakePid {
  constructor(readonly id: number) {}
  toString(): string {
    return `<0.${this.id}.0>`;
  }
}

interface Row {
  readonly key: string;
  readonly pid: FakePid;
}

/** The model: key → rows in insertion order. A set keeps at most one row per key. */
interface Model {
  readonly type: TableType;
  readonly rows: Map<string, Row[]>;
}

const KEYS = ['a', 'b', 'c'];
const keyArb = fc.constantFrom(...KEYS);
// Few keys and pids, so that sequences hit the same key and the same object often.
const rowArb = fc.record({ key: keyArb, pid: fc.integer({ min: 0, max: 3 }).map((id) => new FakePid(id)) });

const sameObject = (a: Row, b: Row): boolean => a.key === b.key && a.pid.id === b.pid.id;
const describeRow = (row: Row): string => `{${row.key},${String(row.pid)}}`;
const sortRows = (rows: readonly Row[]): string[] => rows.map(describeRow).sort();

function modelSize(m: Model): number {
  let n = 0;
  for (const rows of m.rows.values()) n += rows.length;
  return n;
}

/** The full agreement check run after every command. */
function assertAgree(m: Model, r: Table<Row, string>): void {
  expect(r.size).toBe(modelSize(m));
  for (const key of KEYS) {
    const expected = m.rows.get(key) ?? [];
    expect(sortRows(r.lookup(key))).toEqual(sortRows(expected));
    expect(r.member(key)).toBe(expected.length > 0);
  }
  expect([...r.keys()].sort()).toEqual([...m.rows.keys()].sort());
  expect(sortRows([...r.rows()])).toEqual(sortRows([...m.rows.values()].flat()));
}

type Cmd = fc.Command<Model, Table<Row, string>>;

class InsertCommand implements Cmd {
  constructor(readonly row: Row) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    r.insert(this.row);
    const rows = m.rows.get(this.row.key) ?? [];
    if (m.type === 'set') m.rows.set(this.row.key, [this.row]);
    else if (!rows.some((x) => sameObject(x, this.row))) m.rows.set(this.row.key, [...rows, this.row]);
    assertAgree(m, r);
  }
  toString(): string {
    return `insert(${describeRow(this.row)})`;
  }
}

class InsertNewCommand implements Cmd {
  constructor(readonly row: Row) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    const absent = !m.rows.has(this.row.key);
    expect(r.insertNew(this.row)).toBe(absent);
    if (absent) m.rows.set(this.row.key, [this.row]);
    assertAgree(m, r);
  }
  toString(): string {
    return `insertNew(${describeRow(this.row)})`;
  }
}

class DeleteObjectCommand implements Cmd {
  constructor(readonly row: Row) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    const rows = m.rows.get(this.row.key) ?? [];
    const kept = rows.filter((x) => !sameObject(x, this.row));
    expect(r.deleteObject(this.row)).toBe(kept.length < rows.length);
    if (kept.length === 0) m.rows.delete(this.row.key);
    else m.rows.set(this.row.key, kept);
    assertAgree(m, r);
  }
  toString(): string {
    return `deleteObject(${describeRow(this.row)})`;
  }
}

class DeleteCommand implements Cmd {
  constructor(readonly key: string) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    expect(r.delete(this.key)).toBe(m.rows.delete(this.key));
    assertAgree(m, r);
  }
  toString(): string {
    return `delete(${this.key})`;
  }
}

class LookupCommand implements Cmd {
  constructor(readonly key: string) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    const found = r.lookup(this.key);
    expect(sortRows(found)).toEqual(sortRows(m.rows.get(this.key) ?? []));
    if (m.type === 'set') expect(found.length).toBeLessThanOrEqual(1);
    assertAgree(m, r);
  }
  toString(): string {
    return `lookup(${this.key})`;
  }
}

class SizeCommand implements Cmd {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Table<Row, string>): void {
    expect(r.size).toBe(modelSize(m));
    assertAgree(m, r);
  }
  toString(): string {
    return 'size';
  }
}

const insertArb = rowArb.map((row) => new InsertCommand(row));
const commandsArb = fc.commands(
  [
    // Inserts listed three times: bags need several rows under one key before deletes get interesting.
    insertArb,
    insertArb,
    insertArb,
    rowArb.map((row) => new InsertNewCommand(row)),
    rowArb.map((row) => new DeleteObjectCommand(row)),
    keyArb.map((key) => new DeleteCommand(key)),
    keyArb.map((key) => new LookupCommand(key)),
    fc.constant(new SizeCommand()),
  ],
  // size 'max': without it fast-check caps sequences at about 10 commands despite maxCommands.
  { maxCommands: 60, size: 'max' },
);

describe('Table (model-based)', () => {
  for (const type of ['set', 'bag'] as const) {
    test.prop([commandsArb], { numRuns: 300 })(
      `a ${type} table agrees with a Map model after every command`,
      (cmds) => {
        const setup = (): { model: Model; real: Table<Row, string> } => ({
          model: { type, rows: new Map() },
          real: new Table({ type, key: (row: Row) => row.key }),
        });
        fc.modelRun(setup, cmds);
      },
    );
  }

  test.prop([fc.array(rowArb, { maxLength: 40 }), fc.array(rowArb, { maxLength: 40 })])(
    'deleteObject in a bag removes only the named objects, whatever the order',
    (inserted, deleted) => {
      const t = new Table({ type: 'bag', key: (row: Row) => row.key });
      t.insertMany(inserted);
      for (const row of deleted) t.deleteObject(row);
      const survivors = inserted.filter(
        (row, i) =>
          !deleted.some((d) => sameObject(d, row)) && inserted.findIndex((x) => sameObject(x, row)) === i,
      );
      expect(sortRows([...t])).toEqual(sortRows(survivors));
      expect(t.size).toBe(survivors.length);
    },
  );
});
