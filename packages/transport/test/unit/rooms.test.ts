// Unit tests of Rooms, the two-way index of rooms and their members: join, leave and removeMember
// keep both directions in step, an emptied room or member leaves no entry behind, and sizes report
// what is there. A model-based property runs random joins, leaves and removals against a plain Map
// model; a timing check shows removeMember's cost follows the member's rooms, not the room sizes.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Rooms } from '../../src/rooms.js';

/** Members are objects (connections); identity is what counts. */
interface Member {
  readonly name: string;
}
const member = (name: string): Member => ({ name });

describe('Rooms', () => {
  it('join adds a member once; a second join answers false', () => {
    const rooms = new Rooms<Member>();
    const a = member('a');
    expect(rooms.join(a, 'lobby')).toBe(true);
    expect(rooms.join(a, 'lobby')).toBe(false);
    expect([...rooms.members('lobby')]).toEqual([a]);
    expect(rooms.roomsOf(a)).toEqual(['lobby']);
    expect(rooms.has(a, 'lobby')).toBe(true);
    expect(rooms.roomCount).toBe(1);
    expect(rooms.memberCount).toBe(1);
  });

  it('tells members apart by identity, not by value', () => {
    const rooms = new Rooms<Member>();
    rooms.join(member('x'), 'r');
    expect(rooms.has(member('x'), 'r')).toBe(false);
    expect(rooms.join(member('x'), 'r')).toBe(true);
    expect(rooms.members('r').size).toBe(2);
  });

  it('leave removes the member from that room only, and answers false when it was not in', () => {
    const rooms = new Rooms<Member>();
    const a = member('a');
    rooms.join(a, 'r1');
    rooms.join(a, 'r2');
    expect(rooms.leave(a, 'r1')).toBe(true);
    expect(rooms.leave(a, 'r1')).toBe(false);
    expect(rooms.leave(a, 'never')).toBe(false);
    expect(rooms.leave(member('b'), 'r2')).toBe(false);
    expect(rooms.roomsOf(a)).toEqual(['r2']);
    expect(rooms.has(a, 'r2')).toBe(true);
  });

  it('leaves no empty room and no memberless entry behind', () => {
    const rooms = new Rooms<Member>();
    const a = member('a');
    const b = member('b');
    rooms.join(a, 'r');
    rooms.join(b, 'r');
    rooms.leave(a, 'r');
    expect(rooms.roomCount).toBe(1);
    expect(rooms.memberCount).toBe(1);
    rooms.leave(b, 'r');
    expect(rooms.roomCount).toBe(0);
    expect(rooms.memberCount).toBe(0);
    expect(rooms.sizes()).toEqual(new Map());
    expect(rooms.members('r').size).toBe(0);
    expect(rooms.roomsOf(a)).toEqual([]);
  });

  it('removeMember takes a member out of every room at once and returns those rooms', () => {
    const rooms = new Rooms<Member>();
    const a = member('a');
    const b = member('b');
    for (const r of ['r1', 'r2', 'r3']) rooms.join(a, r);
    rooms.join(b, 'r2');
    expect(rooms.removeMember(a).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(rooms.sizes()).toEqual(new Map([['r2', 1]]));
    expect(rooms.roomsOf(a)).toEqual([]);
    expect(rooms.memberCount).toBe(1);
    expect(rooms.removeMember(a)).toEqual([]);
    expect(rooms.removeMember(member('stranger'))).toEqual([]);
  });

  it('sizes lists every room with members and how many', () => {
    const rooms = new Rooms<Member>();
    const [a, b, c] = [member('a'), member('b'), member('c')];
    rooms.join(a, 'x');
    rooms.join(b, 'x');
    rooms.join(c, 'y');
    expect(rooms.sizes()).toEqual(
      new Map([
        ['x', 2],
        ['y', 1],
      ]),
    );
  });

  it('members of an unknown room is an empty set shared by every miss, and joining stays possible', () => {
    const rooms = new Rooms<Member>();
    const none = rooms.members('nowhere');
    expect(none.size).toBe(0);
    expect(rooms.members('elsewhere')).toBe(none);
    rooms.join(member('a'), 'nowhere');
    expect(none.size).toBe(0);
    expect(rooms.members('nowhere').size).toBe(1);
  });

  it('removeMember costs the rooms of that member, not the size of those rooms', () => {
    // Arrange: one huge room, and a member in it.
    const rooms = new Rooms<Member>();
    const crowd = Array.from({ length: 50_000 }, (_, i) => member(`m${i}`));
    for (const m of crowd) rooms.join(m, 'huge');
    // Act: remove every member one by one. With per-member O(1) work this is linear in total;
    // a scan of the room per removal would be 50,000² / 2 ≈ 1.25e9 steps.
    const t0 = performance.now();
    for (const m of crowd) rooms.removeMember(m);
    const elapsed = performance.now() - t0;
    // Assert: everything is gone, and it took nowhere near quadratic time (generous on a slow CI box).
    expect(rooms.roomCount).toBe(0);
    expect(rooms.memberCount).toBe(0);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('Rooms against a model', () => {
  const NAMES = ['a', 'b', 'c', 'd'] as const;
  const ROOMS = ['r1', 'r2', 'r3'] as const;
  type Op =
    | { kind: 'join'; m: number; room: string }
    | { kind: 'leave'; m: number; room: string }
    | { kind: 'remove'; m: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('join' as const),
      m: fc.nat(NAMES.length - 1),
      room: fc.constantFrom(...ROOMS),
    }),
    fc.record({
      kind: fc.constant('leave' as const),
      m: fc.nat(NAMES.length - 1),
      room: fc.constantFrom(...ROOMS),
    }),
    fc.record({ kind: fc.constant('remove' as const), m: fc.nat(NAMES.length - 1) }),
  );

  test.prop([fc.array(opArb, { maxLength: 80 })])(
    'agrees with a plain Map of sets after every operation, both ways, with no empty entries',
    (ops) => {
      const members = NAMES.map(member);
      const rooms = new Rooms<Member>();
      /** room → member indexes */
      const model = new Map<string, Set<number>>();
      for (const op of ops) {
        const m = members[op.m] as Member;
        if (op.kind === 'join') {
          const set = model.get(op.room) ?? new Set<number>();
          const expected = !set.has(op.m);
          set.add(op.m);
          model.set(op.room, set);
          expect(rooms.join(m, op.room)).toBe(expected);
        } else if (op.kind === 'leave') {
          const set = model.get(op.room);
          const expected = set?.delete(op.m) ?? false;
          if (set?.size === 0) model.delete(op.room);
          expect(rooms.leave(m, op.room)).toBe(expected);
        } else {
          const expected: string[] = [];
          for (const [room, set] of model) {
            if (set.delete(op.m)) expected.push(room);
            if (set.size === 0) model.delete(room);
          }
          expect(rooms.removeMember(m).sort()).toEqual(expected.sort());
        }
        // Both directions agree with the model.
        expect(rooms.sizes()).toEqual(new Map([...model].map(([room, set]) => [room, set.size])));
        expect(rooms.roomCount).toBe(model.size);
        for (const room of ROOMS) {
          const expected = [...(model.get(room) ?? [])].map((i) => members[i]);
          expect(new Set(rooms.members(room))).toEqual(new Set(expected));
        }
        let inAny = 0;
        for (const [i, mm] of members.entries()) {
          const expected = [...model].filter(([, set]) => set.has(i)).map(([room]) => room);
          expect([...rooms.roomsOf(mm)].sort()).toEqual(expected.sort());
          for (const room of ROOMS) expect(rooms.has(mm, room)).toBe(expected.includes(room));
          if (expected.length > 0) inAny++;
        }
        expect(rooms.memberCount).toBe(inAny);
      }
    },
  );
});
