import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Packr, Unpackr, addExtension } from 'msgpackr';
import { BadSession, InvalidChannelOption } from '../src/errors.js';
import { createMemorySessionStore } from '../src/memory-session.js';
import type { MemorySession } from '../src/memory-session.js';
import type { ChannelMessage } from '../src/session.js';

const conn = { transport: 'test' };
const msg = (n: number): ChannelMessage => ({ id: `m${n}`, payload: n });

/** Session bytes built by hand, to reach the decoder with shapes `serialise` never writes. */
const raw = new Packr({ useRecords: false, structuredClone: false });
const validDoc = () => ({
  v: 1,
  clientId: 'c1',
  createdAt: 5,
  expiryMs: 1000,
  dropped: 0,
  rooms: ['r'],
  queue: [{ id: 'm1', payload: 1 }],
});

const isBadSession = (err: unknown) => BadSession.is(err);
const isInvalidOption = (err: unknown) => InvalidChannelOption.is(err);

/** The error `fn` throws (fails the test if it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

// --- Arbitraries: the documented domain of payloads (MessagePack data; -0 is not in it).

const noNegativeZero = (x: number) => (Object.is(x, -0) ? 0 : x);
const textArb = fc.string({ unit: 'grapheme', maxLength: 8 });
const keyArb = textArb.filter((k) => k !== '__proto__');
const leafArb = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double().map(noNegativeZero),
  textArb,
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.uint8Array({ maxLength: 8 }),
);
const { payload: payloadArb } = fc.letrec<{ payload: unknown }>((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('payload'), { maxLength: 4 }),
    fc.dictionary(keyArb, tie('payload'), { maxKeys: 4 }),
  ),
}));
const messageArb: fc.Arbitrary<ChannelMessage> = fc.record(
  { id: textArb, payload: payloadArb, room: textArb },
  { requiredKeys: ['id', 'payload'] },
);
const sessionArb: fc.Arbitrary<MemorySession> = fc.record({
  clientId: textArb,
  createdAt: fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegativeZero),
  expiryMs: fc.oneof(
    fc.constant(0),
    fc.constant(Infinity),
    fc.nat(),
    fc.double({ min: 0, noNaN: true }).map(noNegativeZero),
  ),
  queue: fc.array(messageArb, { maxLength: 6 }),
  rooms: fc.uniqueArray(textArb, { maxLength: 4 }),
  dropped: fc.nat(),
});

describe('createMemorySessionStore', () => {
  it('creates an empty session with the client id, the time and the client expiry', () => {
    const store = createMemorySessionStore({ defaultExpiryMs: 7 });
    expect(store.create({ clientId: 'c1', sessionExpiryMs: 30_000 }, conn, 123)).toEqual({
      clientId: 'c1',
      createdAt: 123,
      expiryMs: 30_000,
      queue: [],
      rooms: [],
      dropped: 0,
    });
    expect(store.create({ clientId: 'c1', sessionExpiryMs: 0 }, conn, 0).expiryMs).toBe(0);
  });

  it('sessions sharing the empty queue and room list never see the writes of another', () => {
    const store = createMemorySessionStore();
    const a = store.create({ clientId: 'a' }, conn, 0);
    const b = store.create({ clientId: 'b' }, conn, 0);
    store.enqueue(a, { id: 'm1', payload: 1 });
    store.join(a, 'lobby');
    expect(b.queue).toEqual([]);
    expect(b.rooms).toEqual([]);
    const drained = store.drain(a);
    expect(drained.messages.map((m) => m.id)).toEqual(['m1']);
    store.enqueue(drained.session, { id: 'm2', payload: 2 });
    store.enqueue(b, { id: 'm3', payload: 3 });
    expect(drained.session.queue.map((m) => m.id)).toEqual(['m2']);
    expect(b.queue.map((m) => m.id)).toEqual(['m3']);
    const resumed = store.resume(store.create({ clientId: 'c' }, conn, 0), { clientId: 'c' }, conn, 1);
    store.join(resumed, 'x');
    expect(store.create({ clientId: 'd' }, conn, 0).rooms).toEqual([]);
    expect(a.rooms).toEqual(['lobby']);
  });

  it('falls back to defaultExpiryMs, and to Infinity without it', () => {
    expect(createMemorySessionStore({ defaultExpiryMs: 7 }).create({ clientId: 'c' }, conn, 0).expiryMs).toBe(
      7,
    );
    const store = createMemorySessionStore();
    const session = store.create({ clientId: 'c' }, conn, 0);
    expect(session.expiryMs).toBe(Infinity);
    expect(store.expiryMs(session)).toBe(Infinity);
  });

  it.each([
    [{ maxQueue: -1 }],
    [{ maxQueue: 1.5 }],
    [{ maxQueue: Number.NaN }],
    [{ defaultExpiryMs: -1 }],
    [{ defaultExpiryMs: Number.NaN }],
  ])('rejects the options %j with CH_ERR_INVALID_OPTION', (options) => {
    expect(thrown(() => createMemorySessionStore(options))).toSatisfy(isInvalidOption);
  });

  it('rejects a negative or NaN sessionExpiryMs', () => {
    const store = createMemorySessionStore();
    expect(thrown(() => store.create({ clientId: 'c', sessionExpiryMs: -1 }, conn, 0))).toSatisfy(
      isInvalidOption,
    );
    expect(thrown(() => store.create({ clientId: 'c', sessionExpiryMs: Number.NaN }, conn, 0))).toSatisfy(
      isInvalidOption,
    );
  });
});

describe('queue', () => {
  it('keeps the newest maxQueue messages and counts the dropped ones', () => {
    const store = createMemorySessionStore({ maxQueue: 3 });
    let s = store.create({ clientId: 'c' }, conn, 0);
    for (let n = 1; n <= 5; n++) s = store.enqueue(s, msg(n));
    expect(s.queue).toEqual([msg(3), msg(4), msg(5)]);
    expect(s.dropped).toBe(2);
  });

  it('drops every message with maxQueue 0', () => {
    const store = createMemorySessionStore({ maxQueue: 0 });
    const s = store.enqueue(store.create({ clientId: 'c' }, conn, 0), msg(1));
    expect(s.queue).toEqual([]);
    expect(s.dropped).toBe(1);
  });

  it('drains oldest first and leaves the queue empty', () => {
    const store = createMemorySessionStore();
    let s = store.create({ clientId: 'c' }, conn, 0);
    s = store.enqueue(store.enqueue(s, msg(1)), msg(2));
    const first = store.drain(s);
    expect(first.messages).toEqual([msg(1), msg(2)]);
    expect(first.session.queue).toEqual([]);
    expect(store.drain(first.session).messages).toEqual([]);
  });

  test.prop([fc.nat({ max: 10 }), fc.array(fc.nat(), { maxLength: 40 })])(
    'holds the last min(n, maxQueue) messages in order, and dropped + held = enqueued',
    (maxQueue, ns) => {
      const store = createMemorySessionStore({ maxQueue });
      let s = store.create({ clientId: 'c' }, conn, 0);
      const messages = ns.map((n, i) => ({ id: `${i}`, payload: n }));
      for (const m of messages) s = store.enqueue(s, m);
      const held = Math.min(messages.length, maxQueue);
      expect(s.queue).toEqual(messages.slice(messages.length - held));
      expect(s.dropped + s.queue.length).toBe(messages.length);
    },
  );
});

describe('resume and rooms', () => {
  it('hands over a copy: the old and the new owner never share the queue or the rooms', () => {
    const store = createMemorySessionStore();
    const old = store.join(store.enqueue(store.create({ clientId: 'c' }, conn, 1), msg(1)), 'r1');
    const resumed = store.resume(old, { clientId: 'c' }, conn, 50);
    store.enqueue(resumed, msg(2));
    store.join(resumed, 'r2');
    expect(old.queue).toEqual([msg(1)]);
    expect(old.rooms).toEqual(['r1']);
    expect(resumed).toEqual({
      clientId: 'c',
      createdAt: 1,
      expiryMs: Infinity,
      queue: [msg(1), msg(2)],
      rooms: ['r1', 'r2'],
      dropped: 0,
    });
  });

  it("takes the new connection's expiry, and keeps the session's own without one", () => {
    const store = createMemorySessionStore();
    const s = store.create({ clientId: 'c', sessionExpiryMs: 100 }, conn, 0);
    expect(store.resume(s, { clientId: 'c', sessionExpiryMs: 0 }, conn, 1).expiryMs).toBe(0);
    expect(store.resume(s, { clientId: 'c' }, conn, 1).expiryMs).toBe(100);
  });

  it('joins each room once and leaves only rooms it is in', () => {
    const store = createMemorySessionStore();
    const s = store.create({ clientId: 'c' }, conn, 0);
    store.join(store.join(store.join(s, 'a'), 'b'), 'a');
    expect(s.rooms).toEqual(['a', 'b']);
    store.leave(store.leave(s, 'a'), 'zzz');
    expect(s.rooms).toEqual(['b']);
  });
});

describe('serialise / deserialise', () => {
  const store = createMemorySessionStore();

  test.prop([sessionArb])('round-trips any session', (session) => {
    const bytes = store.serialise(session);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(store.deserialise(bytes)).toEqual(session);
  });

  it('keeps binary payloads as Uint8Array, bigints as bigints and undefined as undefined', () => {
    const session: MemorySession = {
      clientId: 'c',
      createdAt: 0,
      expiryMs: Infinity,
      dropped: 3,
      rooms: [],
      queue: [{ id: 'a', payload: { bin: new Uint8Array([1, 2]), big: -(2n ** 63n), nothing: undefined } }],
    };
    const back = store.deserialise(store.serialise(session));
    const payload = back.queue[0]?.payload as { bin: unknown; big: unknown };
    expect(Object.getPrototypeOf(payload.bin)).toBe(Uint8Array.prototype);
    expect(payload.big).toBe(-(2n ** 63n));
    expect(back).toEqual(session);
    expect('nothing' in (payload as object)).toBe(true);
  });

  it('copies binary payloads out of the input bytes', () => {
    const session: MemorySession = {
      ...store.create({ clientId: 'c' }, conn, 0),
      queue: [{ id: 'a', payload: new Uint8Array([7, 7, 7]) }],
    };
    const bytes = store.serialise(session);
    const back = store.deserialise(bytes);
    bytes.fill(0);
    expect(back.queue[0]?.payload).toEqual(new Uint8Array([7, 7, 7]));
  });

  it('decodes a Buffer as well as a Uint8Array', () => {
    const session = store.create({ clientId: 'c' }, conn, 0);
    expect(store.deserialise(Buffer.from(store.serialise(session)))).toEqual(session);
  });

  it('returns standalone bytes, unaffected by later serialisations', () => {
    const a = store.serialise(store.create({ clientId: 'a' }, conn, 0));
    const copy = Uint8Array.from(a);
    for (let i = 0; i < 100; i++) store.serialise(store.create({ clientId: `b${i}` }, conn, i));
    expect(a).toEqual(copy);
    expect(a.byteLength).toBe(a.buffer.byteLength);
  });

  it.each([
    ['a Date', new Date(0)],
    ['a Map', new Map([[1, 2]])],
    ['a class instance', new (class Point {})()],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a lone surrogate', '\ud800'],
    ['a bigint beyond 64 bits', 2n ** 64n],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}') as unknown],
    ['a typed array other than Uint8Array', new Int16Array(2)],
  ])('refuses to serialise a payload holding %s', (_what, payload) => {
    const session: MemorySession = {
      ...store.create({ clientId: 'c' }, conn, 0),
      queue: [{ id: 'x', payload }],
    };
    expect(thrown(() => store.serialise(session))).toSatisfy(isBadSession);
  });

  it('refuses to serialise a cyclic payload', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const session: MemorySession = {
      ...store.create({ clientId: 'c' }, conn, 0),
      queue: [{ id: 'x', payload: cyclic }],
    };
    expect(thrown(() => store.serialise(session))).toSatisfy(isBadSession);
  });

  it.each<[string, Uint8Array]>([
    ['empty input', new Uint8Array(0)],
    ['a bare integer', raw.pack(7)],
    ['an array', raw.pack([validDoc()])],
    ['a wrong version', raw.pack({ ...validDoc(), v: 2 })],
    ['a missing field', raw.pack({ ...validDoc(), dropped: undefined })],
    ['an unknown field', raw.pack({ ...validDoc(), extra: 1 })],
    ['a numeric clientId', raw.pack({ ...validDoc(), clientId: 1 })],
    ['a NaN createdAt', raw.pack({ ...validDoc(), createdAt: Number.NaN })],
    ['a negative expiry', raw.pack({ ...validDoc(), expiryMs: -1 })],
    ['a fractional dropped count', raw.pack({ ...validDoc(), dropped: 1.5 })],
    ['a non-string room', raw.pack({ ...validDoc(), rooms: [1] })],
    ['a duplicate room', raw.pack({ ...validDoc(), rooms: ['r', 'r'] })],
    ['a queue that is a map', raw.pack({ ...validDoc(), queue: { 0: { id: 'a', payload: 1 } } })],
    ['a message without an id', raw.pack({ ...validDoc(), queue: [{ payload: 1 }] })],
    ['a message with a numeric room', raw.pack({ ...validDoc(), queue: [{ id: 'a', payload: 1, room: 3 }] })],
    ['a message with an extra field', raw.pack({ ...validDoc(), queue: [{ id: 'a', payload: 1, qos: 1 }] })],
    ['truncated bytes', raw.pack(validDoc()).subarray(0, 20)],
    ['trailing bytes', Uint8Array.from([...raw.pack(validDoc()), 0xc0])],
    ['the reserved byte 0xc1', Uint8Array.from([0xc1])],
    ['an integer map key', Uint8Array.from([0x81, 0x01, 0x02])],
    ['a __proto__ key', raw.pack(JSON.parse('{"__proto__": {"polluted": true}}') as unknown)],
    ['an array claiming 2^32-1 items', Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0])],
    ['a string longer than the input', Uint8Array.from([0xdb, 0x00, 0x01, 0x00, 0x00, 0x61])],
    ['a fixext 1 of a type other than undefined', Uint8Array.from([0xd4, 0x65, 0x00])],
    ['an inline record definition', Uint8Array.from([0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01])],
    ['an ext 8', Uint8Array.from([0xc7, 0x01, 0x00, 0x00])],
  ])('refuses %s with CH_ERR_BAD_SESSION', (_what, bytes) => {
    expect(thrown(() => store.deserialise(bytes))).toSatisfy(isBadSession);
  });

  it('refuses input that is not a Uint8Array', () => {
    expect(thrown(() => store.deserialise('bytes' as unknown as Uint8Array))).toSatisfy(isBadSession);
  });

  it('never lets the bytes construct objects through msgpackr extensions', () => {
    // Each of these decodes to a constructed object (Error, RegExp, Set, Date, typed array, a
    // record) with a default Unpackr; the store refuses them before msgpackr runs.
    const permissive = new Packr({ structuredClone: true, useRecords: true });
    const defaultUnpackr = new Unpackr({ structuredClone: true });
    const hostile: unknown[] = [
      new TypeError('from the wire'),
      /a+$/,
      new Set([1]),
      new Date(0),
      new Float64Array([1]),
      { ...validDoc(), queue: [{ id: 'a', payload: new Error('nested') }] },
      validDoc(), // with records: the envelope itself becomes a record definition (an extension)
    ];
    for (const value of hostile) {
      const bytes = permissive.pack(value);
      const decodedByDefault: unknown = defaultUnpackr.unpack(bytes);
      expect(decodedByDefault).toEqual(value); // proves the bytes really carry the construct
      expect(thrown(() => store.deserialise(bytes))).toSatisfy(isBadSession);
    }
  });

  it('never runs an extension someone registered globally, in any ext form', () => {
    // msgpackr's extension table is process-wide: this one would run for any Unpackr.
    class Marker {}
    let runs = 0;
    addExtension({
      Class: Marker,
      type: 0x11,
      pack: () => new Uint8Array([0]),
      unpack: () => {
        runs++;
        return 1;
      },
    });
    const payloadBytes = [
      [0xd4, 0x11, 0x00], // fixext 1
      [0xd5, 0x11, 0x00, 0x00], // fixext 2
      [0xc7, 0x01, 0x11, 0x00], // ext 8
    ];
    for (const ext of payloadBytes) {
      const prefix = raw.pack({ ...validDoc(), queue: [{ id: 'a', payload: null }] });
      // The payload is the last value written: swap its nil (0xc0) for the extension.
      expect(prefix.at(-1)).toBe(0xc0);
      const bytes = Uint8Array.from([...prefix.subarray(0, -1), ...ext]);
      expect(new Unpackr({ mapsAsObjects: true }).unpack(bytes)).toMatchObject({ queue: [{ payload: 1 }] });
      runs = 0;
      expect(thrown(() => store.deserialise(bytes))).toSatisfy(isBadSession);
      expect(runs).toBe(0);
    }
  });

  it('refuses deep nesting without overflowing the stack', () => {
    const deep = new Uint8Array(100_000).fill(0x91); // [[[[…]]]], 100k levels
    expect(thrown(() => store.deserialise(deep))).toSatisfy(isBadSession);
    let payload: unknown = 1;
    for (let i = 0; i < 61; i++) payload = [payload]; // the deepest payload the envelope leaves room for
    const ok: MemorySession = { ...store.create({ clientId: 'c' }, conn, 0), queue: [{ id: 'x', payload }] };
    expect(store.deserialise(store.serialise(ok))).toEqual(ok);
    const tooDeep: MemorySession = { ...ok, queue: [{ id: 'x', payload: [payload] }] };
    expect(thrown(() => store.serialise(tooDeep))).toSatisfy(isBadSession);
    // The same depth written by another encoder is refused by the decoder, at exactly this limit.
    expect(
      thrown(() => store.deserialise(raw.pack({ ...validDoc(), queue: [{ id: 'x', payload: [payload] }] }))),
    ).toSatisfy(isBadSession);
  });

  /** Only BadSession, or a session that is itself serialisable back to equal bytes' meaning. */
  function decodeOrBadSession(bytes: Uint8Array): void {
    let session: MemorySession;
    try {
      session = store.deserialise(bytes);
    } catch (err) {
      expect(err).toSatisfy(isBadSession);
      return;
    }
    expect(typeof session.clientId).toBe('string');
    expect(Array.isArray(session.queue)).toBe(true);
    expect(store.deserialise(store.serialise(session))).toEqual(session);
  }

  test.prop([fc.uint8Array({ maxLength: 64 })])(
    'decodes random bytes to BadSession or a valid session',
    (bytes) => decodeOrBadSession(bytes),
  );

  test.prop([
    sessionArb,
    fc.array(
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  ])('decodes mutated session bytes to BadSession or a valid session', (session, edits) => {
    const bytes = [...store.serialise(session)];
    for (const [at, byte, op] of edits) {
      const i = at % (bytes.length + 1);
      if (op === 'set') bytes[Math.min(i, bytes.length - 1)] = byte;
      else if (op === 'insert') bytes.splice(i, 0, byte);
      else bytes.splice(i, 1);
    }
    decodeOrBadSession(Uint8Array.from(bytes));
  });
});
