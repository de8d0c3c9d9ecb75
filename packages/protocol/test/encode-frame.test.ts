/**
 * encodeFrame: round trips of every frame type, the bytes it returns, and the typed errors it
 * raises for frames and payloads it cannot represent (never a silently altered payload).
 */
import { describe, expect, it } from 'vitest';
import {
  BadFrameShape,
  DEFAULT_MAX_DEPTH,
  FRAME_HEADER_BYTES,
  REASON,
  UnknownFrameType,
  decodeFrame,
  encodeFrame,
} from '../src/index.js';
import type { Frame } from '../src/index.js';

const shapeError: unknown = expect.objectContaining({
  code: BadFrameShape.code,
  reason: REASON.MALFORMED_FRAME,
});

/** Every frame type, with and without its optional fields. */
const frames: readonly Frame[] = [
  { type: 'connect', version: 1, clientId: 'c1', cleanStart: true, sessionExpiryMs: null },
  {
    type: 'connect',
    version: 1,
    clientId: 'c1',
    cleanStart: false,
    sessionExpiryMs: 2 ** 53 - 1,
    credentials: { user: 'u', token: new Uint8Array([1, 2]) },
  },
  { type: 'connack', sessionPresent: true, reason: REASON.SUCCESS },
  { type: 'connack', sessionPresent: false, reason: REASON.NOT_AUTHORIZED, pingIntervalMs: 25_000 },
  { type: 'message', id: 'm1', payload: null },
  { type: 'message', id: 'm2', room: 'r', target: 't', from: 'f', payload: [1, { a: 'b' }, -3.25] },
  { type: 'message', id: 'm3', from: 'f', payload: 'only from' },
  { type: 'ack', id: 'm1', reason: REASON.NO_MATCHING_TARGET },
  { type: 'join', id: 'j1', rooms: ['a', 'b'] },
  { type: 'leave', id: 'l1', rooms: [] },
  { type: 'ping' },
  { type: 'pong' },
  { type: 'disconnect', reason: REASON.SUCCESS },
  { type: 'disconnect', reason: REASON.KICKED, reconnectAfterMs: 0, message: 'bye' },
  { type: 'disconnect', reason: REASON.IDLE_TIMEOUT, message: 'idle' },
];

describe('encodeFrame: round trips', () => {
  for (const frame of frames) {
    it(`round-trips ${JSON.stringify(frame, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))}`, () => {
      expect(decodeFrame(encodeFrame(frame))).toStrictEqual(frame);
    });
  }

  it('writes the body length in a 4-byte big-endian header', () => {
    const bytes = encodeFrame({ type: 'message', id: 'm', payload: 'x'.repeat(70_000) });
    const announced = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    expect(announced).toBe(bytes.length - FRAME_HEADER_BYTES);
    expect(bytes[0]).toBe(0);
    expect(bytes[1]).toBe(1); // 70,000 + a few bytes of envelope: above 65,535
  });

  it('returns a fresh standalone Uint8Array each time', () => {
    const frame: Frame = { type: 'ack', id: 'm1', reason: REASON.SUCCESS };
    const first = encodeFrame(frame);
    const second = encodeFrame(frame);
    expect(first.constructor).toBe(Uint8Array);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
    expect(second.buffer).not.toBe(first.buffer);
    second.fill(0);
    expect(decodeFrame(first)).toStrictEqual(frame);
  });

  it('round-trips binary payloads as Uint8Array, from a Uint8Array or a Buffer', () => {
    const bytes = new Uint8Array(300).map((_, i) => i % 256);
    for (const payload of [bytes, Buffer.from(bytes), { nested: [Buffer.from(bytes)] }]) {
      const decoded = decodeFrame(encodeFrame({ type: 'message', id: 'b', payload })) as { payload: unknown };
      const expected = payload instanceof Uint8Array ? bytes : { nested: [bytes] };
      expect(decoded.payload).toStrictEqual(expected);
    }
  });

  it('round-trips an empty binary and a binary view into a larger buffer', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    for (const payload of [new Uint8Array(0), backing.subarray(2, 5)]) {
      const decoded = decodeFrame(encodeFrame({ type: 'message', id: 'b', payload })) as { payload: unknown };
      expect(decoded.payload).toStrictEqual(new Uint8Array(payload));
    }
  });

  it('omits absent trailing optional fields and writes null for absent fields followed by present ones', () => {
    const short = encodeFrame({ type: 'message', id: 'm', payload: 1 });
    // [3, "m", null, null, 1]: a fixarray of 5.
    expect([...short.subarray(4)]).toEqual([0x95, 0x03, 0xa1, 0x6d, 0xc0, 0xc0, 0x01]);
    expect([...encodeFrame({ type: 'disconnect', reason: REASON.SUCCESS }).subarray(4)]).toEqual([
      0x92, 0x09, 0x00,
    ]);
  });

  it('treats optional fields given as undefined or null as absent', () => {
    const loose = { type: 'connack', sessionPresent: false, reason: 0, pingIntervalMs: undefined } as const;
    expect(decodeFrame(encodeFrame(loose as unknown as Frame))).toStrictEqual({
      type: 'connack',
      sessionPresent: false,
      reason: 0,
    });
    const nulls = { type: 'message', id: 'm', room: null, payload: 1, credentials: null } as unknown as Frame;
    expect(decodeFrame(encodeFrame(nulls))).toStrictEqual({ type: 'message', id: 'm', payload: 1 });
  });

  it('never sends properties the frame type does not have', () => {
    const extra = { type: 'ping', secret: 'do not send' } as unknown as Frame;
    expect(encodeFrame(extra)).toStrictEqual(encodeFrame({ type: 'ping' }));
  });

  it('sends -0 as 0, as JSON does', () => {
    expect(decodeFrame(encodeFrame({ type: 'message', id: 'm', payload: -0 }))).toStrictEqual({
      type: 'message',
      id: 'm',
      payload: 0,
    });
  });

  it('round-trips NaN, infinities and large safe integers', () => {
    const payload = [Number.NaN, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 32, 0.1];
    expect(decodeFrame(encodeFrame({ type: 'message', id: 'm', payload }))).toStrictEqual({
      type: 'message',
      id: 'm',
      payload,
    });
  });
});

describe('encodeFrame: payloads it refuses', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const withProto = JSON.parse('{"__proto__": 1}') as unknown;

  const refusedPayloads: readonly [string, unknown][] = [
    ['a Date', new Date(0)],
    ['a Map', new Map([['a', 1]])],
    ['a Set', new Set([1])],
    ['a class instance', new Point(1)],
    ['a RegExp', /x/],
    ['an Error', new Error('x')],
    ['an Int16Array', new Int16Array(2)],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['a DataView', new DataView(new ArrayBuffer(2))],
    ['undefined', undefined],
    ['undefined inside an object', { a: undefined }],
    ['undefined inside an array', [1, undefined]],
    ['an array with a hole', sparse],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 1n],
    ['a cycle', cycle],
    ['a string with a lone surrogate', 'a\ud800b'],
    ['a key with a lone surrogate', { '\udc00': 1 }],
    ['a __proto__ key', withProto],
    ['an Array subclass', new (class Items extends Array<number> {})()],
  ];

  for (const [what, payload] of refusedPayloads) {
    it(`refuses ${what} with PROTO_ERR_BAD_SHAPE`, () => {
      expect(() => encodeFrame({ type: 'message', id: 'm', payload })).toThrow(shapeError);
    });
  }

  it('refuses the same values in CONNECT credentials', () => {
    expect(() =>
      encodeFrame({
        type: 'connect',
        version: 1,
        clientId: 'c',
        cleanStart: true,
        sessionExpiryMs: 0,
        credentials: new Date(),
      }),
    ).toThrow(shapeError);
  });

  it('names where the offending value is', () => {
    expect(() =>
      encodeFrame({ type: 'message', id: 'm', payload: { list: [1, { at: new Map() }] } }),
    ).toThrow('payload.list[1].at is an instance of Map');
  });

  it('accepts a payload of DEFAULT_MAX_DEPTH − 1 containers and refuses one more', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : [nest(levels - 1)]);
    const ok = { type: 'message', id: 'm', payload: nest(DEFAULT_MAX_DEPTH - 1) } as const;
    expect(decodeFrame(encodeFrame(ok))).toStrictEqual(ok);
    expect(() => encodeFrame({ type: 'message', id: 'm', payload: nest(DEFAULT_MAX_DEPTH) })).toThrow(
      shapeError,
    );
  });

  it('accepts objects without a prototype and sends them as maps', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(decodeFrame(encodeFrame({ type: 'message', id: 'm', payload: bare }))).toStrictEqual({
      type: 'message',
      id: 'm',
      payload: { a: 1 },
    });
  });
});

describe('encodeFrame: fields it refuses', () => {
  const connect = {
    type: 'connect',
    version: 1,
    clientId: 'c1',
    cleanStart: true,
    sessionExpiryMs: null,
  } as const;
  const refusedFrames: readonly [string, unknown][] = [
    ['an empty clientId', { ...connect, clientId: '' }],
    ['a clientId of 65,536 units', { ...connect, clientId: 'x'.repeat(65_536) }],
    ['version 0', { ...connect, version: 0 }],
    ['a fractional sessionExpiryMs', { ...connect, sessionExpiryMs: 1.5 }],
    ['a negative sessionExpiryMs', { ...connect, sessionExpiryMs: -1 }],
    ['an Infinity sessionExpiryMs (use null)', { ...connect, sessionExpiryMs: Infinity }],
    ['a cleanStart that is not a boolean', { ...connect, cleanStart: 'yes' }],
    ['an unknown reason', { type: 'ack', id: 'm', reason: 0x86 }],
    ['an id of 257 units', { type: 'ack', id: 'x'.repeat(257), reason: 0 }],
    ['an id that is not a string', { type: 'ack', id: 5, reason: 0 }],
    ['an empty room', { type: 'message', id: 'm', room: '', payload: 1 }],
    ['an empty target', { type: 'message', id: 'm', target: '', payload: 1 }],
    ['1,001 rooms', { type: 'join', id: 'j', rooms: Array.from({ length: 1_001 }, (_, i) => `r${i}`) }],
    ['rooms that are not an array', { type: 'leave', id: 'l', rooms: 'lobby' }],
    ['a room of 1,025 units', { type: 'join', id: 'j', rooms: ['x'.repeat(1_025)] }],
    ['a reconnectAfterMs above 2^31−1', { type: 'disconnect', reason: 0, reconnectAfterMs: 2 ** 31 }],
    ['a DISCONNECT message with a lone surrogate', { type: 'disconnect', reason: 0, message: '\ud800' }],
    ['a clientId with a lone surrogate', { ...connect, clientId: 'c\udfff' }],
    ['a room with a lone surrogate', { type: 'join', id: 'j', rooms: ['ok', '\ud83d'] }],
    ['an id with a lone surrogate', { type: 'ack', id: '\ud800', reason: 0 }],
    ['a frame that is not an object', null],
  ];

  for (const [what, frame] of refusedFrames) {
    it(`refuses ${what} with PROTO_ERR_BAD_SHAPE`, () => {
      expect(() => encodeFrame(frame as Frame)).toThrow(shapeError);
    });
  }

  it('refuses a frame type v1 does not have with PROTO_ERR_UNKNOWN_TYPE', () => {
    expect(() => encodeFrame({ type: 'publish' } as unknown as Frame)).toThrow(
      expect.objectContaining({ code: UnknownFrameType.code, message: "unknown frame type 'publish'" }),
    );
  });
});
