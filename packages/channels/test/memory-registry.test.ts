// Unit tests of the in-memory Registry: a bag clientId → pid with exact-pair unregister, lookups in
// registration order and idempotent register.
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { Pid } from '@switchboard/runtime';
import { createMemoryRegistry } from '../src/memory-registry.js';

/** A fresh Pid object each call: the registry must compare pids by value. */
const pid = (id: number): Pid => new Pid('local', id, 0);

describe('createMemoryRegistry', () => {
  it('starts empty', async () => {
    const registry = createMemoryRegistry();
    expect(registry.size()).toBe(0);
    expect(await registry.lookup('c1')).toEqual([]);
    expect(registry.rows()).toEqual([]);
  });

  it('lists the pids of a client id in registration order', async () => {
    const registry = createMemoryRegistry();
    for (const id of [3, 1, 2]) await registry.register('c1', pid(id));
    await registry.register('c2', pid(9));
    expect(await registry.lookup('c1')).toEqual([pid(3), pid(1), pid(2)]);
    expect(await registry.lookup('c2')).toEqual([pid(9)]);
    expect(registry.size()).toBe(4);
  });

  it('keeps one row when the same pair registers twice, in its first place', async () => {
    const registry = createMemoryRegistry();
    await registry.register('c1', pid(1));
    await registry.register('c1', pid(2));
    await registry.register('c1', pid(1));
    expect(await registry.lookup('c1')).toEqual([pid(1), pid(2)]);
    expect(registry.size()).toBe(2);
  });

  it('unregisters exactly the named pair', async () => {
    const registry = createMemoryRegistry();
    await registry.register('c1', pid(1));
    await registry.register('c1', pid(2));
    await registry.register('c2', pid(1));
    await registry.unregister('c1', pid(1));
    expect(await registry.lookup('c1')).toEqual([pid(2)]);
    expect(await registry.lookup('c2')).toEqual([pid(1)]);
    expect(registry.size()).toBe(2);
  });

  it('accepts unregistering an unknown pair', async () => {
    const registry = createMemoryRegistry();
    await registry.register('c1', pid(1));
    await registry.unregister('c1', pid(2));
    await registry.unregister('nobody', pid(1));
    await registry.unregister('c1', pid(1));
    await registry.unregister('c1', pid(1));
    expect(registry.size()).toBe(0);
    expect(await registry.lookup('c1')).toEqual([]);
  });

  it('moves a pair registered again after its unregister to the end', async () => {
    const registry = createMemoryRegistry();
    await registry.register('c1', pid(1));
    await registry.register('c1', pid(2));
    await registry.unregister('c1', pid(1));
    await registry.register('c1', pid(1));
    expect(await registry.lookup('c1')).toEqual([pid(2), pid(1)]);
  });

  it('lists every row grouped by client id', async () => {
    const registry = createMemoryRegistry();
    await registry.register('c1', pid(1));
    await registry.register('c2', pid(2));
    await registry.register('c1', pid(3));
    expect(registry.rows()).toEqual([
      { clientId: 'c1', pid: pid(1) },
      { clientId: 'c1', pid: pid(3) },
      { clientId: 'c2', pid: pid(2) },
    ]);
  });

  const opArb = fc.record({
    register: fc.boolean(),
    clientId: fc.constantFrom('a', 'b'),
    id: fc.integer({ min: 1, max: 4 }),
  });

  test.prop([fc.array(opArb, { maxLength: 60 })])(
    'agrees with a list model under any sequence of register and unregister',
    async (ops) => {
      const registry = createMemoryRegistry();
      const model = new Map<string, number[]>();
      for (const { register, clientId, id } of ops) {
        const ids = model.get(clientId) ?? [];
        if (register) {
          await registry.register(clientId, pid(id));
          if (!ids.includes(id)) model.set(clientId, [...ids, id]);
        } else {
          await registry.unregister(clientId, pid(id));
          model.set(
            clientId,
            ids.filter((x) => x !== id),
          );
        }
        for (const c of ['a', 'b']) expect(await registry.lookup(c)).toEqual((model.get(c) ?? []).map(pid));
        expect(registry.size()).toBe([...model.values()].reduce((n, xs) => n + xs.length, 0));
      }
    },
  );
});
