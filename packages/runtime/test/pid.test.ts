import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Pid, Ref, comparePids, createRuntime, isPid, pidEquals } from '@switchboard/runtime';
import { idle } from './support/world.js';

const nodeArb = fc.stringMatching(/^[A-Za-z0-9_@:-]{1,12}$/);
const pidArb = fc
  .record({ node: nodeArb, id: fc.nat(), incarnation: fc.nat({ max: 1000 }) })
  .map(({ node, id, incarnation }) => new Pid(node, id, incarnation));

describe('Pid', () => {
  it('renders as <node.id.incarnation>', () => {
    expect(String(new Pid('local', 7, 0))).toBe('<local.7.0>');
    expect(new Pid('edge-1@host:9', 42, 3).toString()).toBe('<edge-1@host:9.42.3>');
  });

  it('gives the same string object on every call, and keeps it out of equality and JSON', () => {
    const pid = new Pid('n1', 5, 2);
    const text = String(pid);
    expect(pid.toString()).toBe(text);
    expect(text).toBe('<n1.5.2>');
    expect(pid).toEqual(new Pid('n1', 5, 2));
    expect(Object.keys(pid)).toEqual(['node', 'id', 'incarnation']);
  });

  it('serialises to a plain { node, id, incarnation } object', () => {
    const pid = new Pid('n1', 5, 2);
    expect(JSON.parse(JSON.stringify(pid))).toEqual({ node: 'n1', id: 5, incarnation: 2 });
    expect(JSON.stringify({ to: pid })).toBe('{"to":{"node":"n1","id":5,"incarnation":2}}');
  });

  it('rebuilds an equal Pid instance from its JSON form', () => {
    const pid = new Pid('n1', 5, 2);
    const back = Pid.fromJSON(
      JSON.parse(JSON.stringify(pid)) as { node: string; id: number; incarnation: number },
    );
    expect(back).toBeInstanceOf(Pid);
    expect(back).not.toBe(pid);
    expect(pidEquals(back, pid)).toBe(true);
    expect(String(back)).toBe(String(pid));
  });

  it('parses its own string form', () => {
    const parsed = Pid.parse('<local.12.4>');
    expect(parsed).toBeInstanceOf(Pid);
    expect(parsed?.toJSON()).toEqual({ node: 'local', id: 12, incarnation: 4 });
  });

  it.each([
    '',
    'local.1.0',
    '<local.1>',
    '<local.a.0>',
    '<.1.0>',
    '<local.1.0',
    '<local.1.-1>',
    ' <local.1.0>',
  ])('returns undefined when parsing %j', (text) => {
    expect(Pid.parse(text)).toBeUndefined();
  });

  test.prop([pidArb])('round-trips through String and parse', (pid) => {
    const parsed = Pid.parse(String(pid));
    expect(parsed).toBeDefined();
    expect(pidEquals(parsed as Pid, pid)).toBe(true);
  });

  test.prop([pidArb])('round-trips through JSON and fromJSON', (pid) => {
    const back = Pid.fromJSON(JSON.parse(JSON.stringify(pid)) as Pid);
    expect(pidEquals(back, pid)).toBe(true);
  });
});

describe('pidEquals', () => {
  it('compares node, id and incarnation', () => {
    const a = new Pid('n', 1, 0);
    expect(pidEquals(a, new Pid('n', 1, 0))).toBe(true);
    expect(pidEquals(a, new Pid('m', 1, 0))).toBe(false);
    expect(pidEquals(a, new Pid('n', 2, 0))).toBe(false);
    expect(pidEquals(a, new Pid('n', 1, 1))).toBe(false);
  });

  it('accepts the serialised form on either side', () => {
    expect(pidEquals({ node: 'n', id: 1, incarnation: 0 }, new Pid('n', 1, 0))).toBe(true);
  });
});

describe('comparePids', () => {
  it('orders by node, then incarnation, then id', () => {
    const sorted = [
      new Pid('b', 1, 0),
      new Pid('a', 9, 1),
      new Pid('a', 2, 0),
      new Pid('a', 10, 0),
      new Pid('a', 1, 1),
    ].sort(comparePids);
    expect(sorted.map(String)).toEqual(['<a.2.0>', '<a.10.0>', '<a.1.1>', '<a.9.1>', '<b.1.0>']);
  });

  it('returns 0 only for equal pids', () => {
    expect(comparePids(new Pid('a', 3, 1), new Pid('a', 3, 1))).toBe(0);
    expect(comparePids(new Pid('a', 3, 1), new Pid('a', 4, 1))).toBeLessThan(0);
    expect(comparePids(new Pid('a', 4, 1), new Pid('a', 3, 1))).toBeGreaterThan(0);
  });

  test.prop([pidArb, pidArb, pidArb])('is a total order', (a, b, c) => {
    expect(Math.sign(comparePids(a, b))).toBe(-Math.sign(comparePids(b, a)));
    expect(comparePids(a, b) === 0).toBe(pidEquals(a, b));
    if (comparePids(a, b) <= 0 && comparePids(b, c) <= 0) expect(comparePids(a, c)).toBeLessThanOrEqual(0);
  });
});

describe('isPid', () => {
  it('accepts pids and their serialised form', () => {
    expect(isPid(new Pid('n', 1, 0))).toBe(true);
    expect(isPid({ node: 'n', id: 1, incarnation: 0 })).toBe(true);
  });

  it.each([
    null,
    undefined,
    'n.1.0',
    1,
    {},
    { node: 'n', id: '1', incarnation: 0 },
    { node: 1, id: 1, incarnation: 0 },
  ])('rejects %j', (value) => {
    expect(isPid(value)).toBe(false);
  });
});

describe('Ref', () => {
  it('renders as #Ref<node.id> and serialises to { node, id }', () => {
    const ref = new Ref('local', 7);
    expect(String(ref)).toBe('#Ref<local.7>');
    expect(JSON.parse(JSON.stringify(ref))).toEqual({ node: 'local', id: 7 });
  });
});

describe('pids handed out by a runtime', () => {
  it('carry the node name and incarnation and never reuse an id', async () => {
    const rt = createRuntime({ node: 'edge-1', incarnation: 3 });
    const a = rt.spawn(idle);
    const b = rt.spawn(idle);
    rt.exit(a, 'kill');
    await rt.idle();
    const c = rt.spawn(idle);
    expect([a, b, c].map(String)).toEqual(['<edge-1.1.3>', '<edge-1.2.3>', '<edge-1.3.3>']);
    await rt.shutdown();
  });

  it('tells two incarnations of the same node apart', async () => {
    const first = createRuntime({ node: 'n', incarnation: 0 });
    const second = createRuntime({ node: 'n', incarnation: 1 });
    const old = first.spawn(idle);
    const fresh = second.spawn(idle);
    expect(old.id).toBe(fresh.id);
    expect(pidEquals(old, fresh)).toBe(false);
    // A pid of the previous incarnation addresses nothing in the new one.
    expect(second.isAlive(old)).toBe(false);
    expect(second.send(old, { type: 'ping' })).toBe(false);
    await Promise.all([first.shutdown(), second.shutdown()]);
  });
});
