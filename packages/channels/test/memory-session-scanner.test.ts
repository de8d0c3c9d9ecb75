/**
 * The session store's byte scanner at the edges of MessagePack: every token kind at the boundary
 * where its encoding changes width (written by msgpackr and by a second, plain encoder) is accepted
 * and round-trips; every strict prefix of valid bytes is refused as truncated; each kind of hostile
 * input is refused with its own reason. The random-bytes properties in memory-session.test.ts
 * accept "refused or valid"; these pin which one, and why.
 */
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { BadSession } from '../src/errors.js';
import { createMemorySessionStore } from '../src/memory-session.js';
import type { MemorySession } from '../src/memory-session.js';

const store = createMemorySessionStore();
const plain = new Packr({ useRecords: false, structuredClone: false, variableMapSize: true });

const doc = (payload: unknown) => ({
  v: 1,
  clientId: 'c1',
  createdAt: 5,
  expiryMs: 1000,
  dropped: 0,
  rooms: ['r'],
  queue: [{ id: 'm1', payload }],
});

const session = (payload: unknown): MemorySession => ({
  clientId: 'c1',
  createdAt: 5,
  expiryMs: 1000,
  dropped: 0,
  rooms: ['r'],
  queue: [{ id: 'm1', payload }],
});

/** The reason `deserialise` gives for refusing `bytes` (fails the test if it accepts them). */
function refusal(bytes: Uint8Array | number[]): string {
  try {
    store.deserialise(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  } catch (err) {
    expect(BadSession.is(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the bytes to be refused');
}

const text = (n: number) => 'x'.repeat(n);
const bin = (n: number) => new Uint8Array(n).fill(7);
const list = (n: number) => Array.from({ length: n }, (_, i) => i);
const map = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

/** Values at each boundary where MessagePack changes an encoding's width. */
const BOUNDARIES: readonly [string, unknown][] = [
  ['positive fixint 127', 127],
  ['uint8 128', 128],
  ['uint8 255', 255],
  ['uint16 256', 256],
  ['uint16 65535', 65_535],
  ['uint32 65536', 65_536],
  ['uint32 2^32-1', 2 ** 32 - 1],
  ['beyond uint32 2^32', 2 ** 32],
  ['negative fixint -32', -32],
  ['int8 -33', -33],
  ['int8 -128', -128],
  ['int16 -129', -129],
  ['int16 -32768', -32_768],
  ['int32 -32769', -32_769],
  ['int32 -2^31', -(2 ** 31)],
  ['beyond int32 -2^31-1', -(2 ** 31) - 1],
  ['float 0.5', 0.5],
  ['float 1e300', 1e300],
  ['infinity', Infinity],
  ['bigint int64 min', -(2n ** 63n)],
  ['bigint uint64 max', 2n ** 64n - 1n],
  ['nil', null],
  ['undefined', undefined],
  ['true', true],
  ['false', false],
  ['fixstr 0', ''],
  ['fixstr 31', text(31)],
  ['str8 32', text(32)],
  ['str8 255', text(255)],
  ['str16 256', text(256)],
  ['str16 65535', text(65_535)],
  ['str32 65536', text(65_536)],
  ['bin8 0', bin(0)],
  ['bin8 255', bin(255)],
  ['bin16 256', bin(256)],
  ['bin16 65535', bin(65_535)],
  ['bin32 65536', bin(65_536)],
  ['fixarray 15', list(15)],
  ['array16 16', list(16)],
  ['array16 65535', list(65_535)],
  ['array32 65536', list(65_536)],
  ['fixmap 15', map(15)],
  ['map16 16', map(16)],
  ['map16 65535', map(65_535)],
  ['map32 65536', map(65_536)],
];

describe('the byte scanner at MessagePack boundaries', () => {
  for (const [name, payload] of BOUNDARIES) {
    it(`accepts and round-trips ${name}`, () => {
      expect(store.deserialise(store.serialise(session(payload)))).toEqual(session(payload));
      // The same value written by another encoder is accepted too (nothing store-specific in the scan).
      const other = plain.pack(doc(payload));
      expect(store.deserialise(other).queue[0]?.payload).toEqual(payload);
    });
  }
});

describe('the byte scanner refuses', () => {
  const small = store.serialise(
    session({
      n: [1, -1, 300, -300, 70_000, 0.5, 'é', new Uint8Array([1]), null, true, 2n ** 40n, undefined],
    }),
  );

  it('every strict prefix of valid bytes, as truncated', () => {
    for (let length = 0; length < small.length; length++) {
      expect(refusal(small.subarray(0, length)), `prefix of ${length} bytes`).toMatch(/truncated/);
    }
  });

  it('trailing bytes after a valid session', () => {
    expect(refusal([...small, 0x00])).toBe('bad session: trailing bytes after the session');
  });

  it('a length that claims more items than bytes remain', () => {
    // array32 claiming 2^32-1 items, with one byte after it.
    expect(refusal([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01])).toMatch(/truncated/);
    expect(refusal([0xdf, 0x00, 0x00, 0x00, 0x02, 0xa1, 0x61])).toMatch(/truncated/);
    expect(refusal([0xdc, 0x00])).toMatch(/truncated/);
    expect(refusal([0xc4])).toMatch(/truncated/);
    expect(refusal([0xd9, 0x05, 0x61])).toMatch(/truncated/);
  });

  it('the reserved byte and every extension but msgpackr’s undefined, naming what it found', () => {
    expect(refusal([0xc1])).toBe('bad session: unsupported MessagePack type 0xc1');
    for (const token of [0xc7, 0xc8, 0xc9, 0xd5, 0xd6, 0xd7, 0xd8]) {
      expect(refusal([token, 0x01, 0x01, 0x01, 0x01])).toBe(
        `bad session: unsupported MessagePack type 0x${token.toString(16)}`,
      );
    }
    expect(refusal([0xd4, 0x05, 0x00])).toBe('bad session: extension type 5');
    expect(refusal([0xd4, 0x00])).toMatch(/truncated/);
  });

  it('a map key that is not a string, and a __proto__ key', () => {
    expect(refusal([0x81, 0x01, 0x01])).toBe('bad session: a map key that is not a string');
    const proto = [0x81, 0xa9, ...Buffer.from('__proto__'), 0x01];
    expect(refusal(proto)).toBe('bad session: a __proto__ key');
    // Same length, other bytes: an ordinary key (then refused only for the envelope's shape).
    expect(refusal([0x81, 0xa9, ...Buffer.from('__proto_x'), 0x01])).toMatch(/unknown field __proto_x/);
  });

  it('nesting deeper than the limit, at exactly the limit', () => {
    let payload: unknown = 1;
    for (let i = 0; i < 61; i++) payload = [payload];
    expect(store.deserialise(plain.pack(doc(payload))).queue[0]?.payload).toEqual(payload);
    expect(refusal(plain.pack(doc([payload])))).toMatch(/nesting deeper than/);
  });

  it('an envelope of the wrong shape, naming the field', () => {
    const bad = (patch: Record<string, unknown>) => refusal(plain.pack({ ...doc(1), ...patch }));
    expect(bad({ v: 2 })).toBe('bad session: unsupported version 2');
    expect(bad({ clientId: 1 })).toBe('bad session: clientId is not a string');
    expect(bad({ createdAt: Infinity })).toBe('bad session: bad createdAt');
    expect(bad({ createdAt: '5' })).toBe('bad session: bad createdAt');
    expect(bad({ expiryMs: -1 })).toBe('bad session: bad expiryMs');
    expect(bad({ expiryMs: Number.NaN })).toBe('bad session: bad expiryMs');
    expect(bad({ dropped: 1.5 })).toBe('bad session: bad dropped count');
    expect(bad({ dropped: -1 })).toBe('bad session: bad dropped count');
    expect(bad({ rooms: 'r' })).toBe('bad session: bad rooms');
    expect(bad({ rooms: [1] })).toBe('bad session: bad rooms');
    expect(bad({ rooms: ['r', 'r'] })).toBe('bad session: duplicate room');
    expect(bad({ queue: {} })).toBe('bad session: queue is not an array');
    expect(bad({ extra: 1 })).toBe('bad session: unknown field extra');
    expect(bad({ queue: [1] })).toBe('bad session: queued message is not a map');
    expect(bad({ queue: [{ id: 1, payload: 1 }] })).toBe('bad session: message id is not a string');
    expect(bad({ queue: [{ id: 'a', payload: 1, room: 1 }] })).toBe(
      'bad session: message room is not a string',
    );
    expect(bad({ queue: [{ id: 'a', payload: 1, from: 1 }] })).toBe(
      'bad session: message from is not a string',
    );
    expect(bad({ queue: [{ id: 'a', payload: 1, to: 'b' }] })).toBe('bad session: unknown message field to');
    expect(refusal(plain.pack([1]))).toBe('bad session: not a map');
    // Accepted with the optional fields present.
    const full = plain.pack({ ...doc(1), queue: [{ id: 'a', payload: 1, room: 'r', from: 'f' }] });
    expect(store.deserialise(full).queue[0]).toEqual({ id: 'a', payload: 1, room: 'r', from: 'f' });
  });
});
