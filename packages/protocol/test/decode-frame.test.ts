/**
 * decodeFrame: one test per validation rule of docs/protocol/v1.md (each with the value just inside
 * the rule accepted, where there is a boundary), the limits, the safety rules, and misuse.
 */
import { describe, expect, it } from 'vitest';
import {
  BadFrameShape,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_FRAME_BYTES,
  FrameTooLarge,
  InvalidProtocolOption,
  MalformedFrame,
  REASON,
  UnknownFrameType,
  decodeFrame,
} from '../src/index.js';
import { rawFrame, withHeader } from './support/raw-frame.js';

const shapeError: unknown = expect.objectContaining({ code: BadFrameShape.code });
const malformed: unknown = expect.objectContaining({ code: MalformedFrame.code });

/** Expects the raw body to be refused as a bad shape. */
function refused(body: unknown): void {
  expect(() => decodeFrame(rawFrame(body))).toThrow(shapeError);
}

const CONNECT = [1, 1, 'c1', true, null] as const;

describe('decodeFrame: the body array', () => {
  it('refuses a body that is not an array', () => {
    refused({ type: 1 });
    refused('ping');
  });

  it('refuses an empty body array', () => refused([]));

  it('refuses a frame type that is not an integer', () => {
    refused(['7']);
    refused([7.5]);
    refused([null]);
  });

  it('refuses an integer frame type that v1 does not have, with PROTOCOL_ERROR', () => {
    for (const type of [0, 10, 255, -1]) {
      expect(() => decodeFrame(rawFrame([type]))).toThrow(
        expect.objectContaining({ code: UnknownFrameType.code, reason: REASON.PROTOCOL_ERROR }),
      );
    }
  });

  it('refuses too few or too many elements for each type', () => {
    refused([1, 1, 'c1']);
    refused([...CONNECT, null, null]);
    refused([2, false]);
    refused([2, false, 0, null, null]);
    refused([3, 'm1', null, null]);
    refused([3, 'm1', null, null, 1, null, null]);
    refused([4, 'm1']);
    refused([4, 'm1', 0, null]);
    refused([5, 'j1']);
    refused([6, 'l1', [], null]);
    refused([7, null]);
    refused([8, 0]);
    refused([9]);
    refused([9, 0, null, null, null]);
  });

  it('reads omitted trailing optional fields as absent, and null ones too', () => {
    expect(decodeFrame(rawFrame([1, 1, 'c1', true]))).toStrictEqual({
      type: 'connect',
      version: 1,
      clientId: 'c1',
      cleanStart: true,
      sessionExpiryMs: null,
    });
    expect(decodeFrame(rawFrame([3, 'm1', null, null, 'x', null]))).toStrictEqual({
      type: 'message',
      id: 'm1',
      payload: 'x',
    });
    expect(decodeFrame(rawFrame([9, 0, null]))).toStrictEqual({ type: 'disconnect', reason: 0 });
  });
});

describe('decodeFrame: field rules', () => {
  it('version: a positive integer, any value (the server answers other versions)', () => {
    refused([1, 0, 'c1', true]);
    refused([1, -1, 'c1', true]);
    refused([1, 1.5, 'c1', true]);
    refused([1, '1', 'c1', true]);
    expect(decodeFrame(rawFrame([1, 7, 'c1', true]))).toMatchObject({ version: 7 });
  });

  it('clientId: a non-empty string of at most 65,535 UTF-16 units', () => {
    refused([1, 1, '', true]);
    refused([1, 1, 42, true]);
    refused([1, 1, 'x'.repeat(65_536), true]);
    expect(decodeFrame(rawFrame([1, 1, 'x'.repeat(65_535), true]))).toMatchObject({ type: 'connect' });
  });

  it('booleans are booleans (cleanStart, sessionPresent)', () => {
    refused([1, 1, 'c1', 1]);
    refused([1, 1, 'c1', null]);
    refused([2, 'yes', 0]);
    refused([2, 0, 0]);
  });

  it('sessionExpiryMs: null or an integer from 0 to 2^53−1', () => {
    refused([1, 1, 'c1', true, -1]);
    refused([1, 1, 'c1', true, 0.5]);
    refused([1, 1, 'c1', true, 2 ** 53]);
    refused([1, 1, 'c1', true, Infinity]);
    refused([1, 1, 'c1', true, '60000']);
    expect(decodeFrame(rawFrame([1, 1, 'c1', true, 2 ** 53 - 1]))).toMatchObject({
      sessionExpiryMs: 2 ** 53 - 1,
    });
    expect(decodeFrame(rawFrame([1, 1, 'c1', true, 0]))).toMatchObject({ sessionExpiryMs: 0 });
  });

  it('pingIntervalMs: absent or a non-negative integer', () => {
    refused([2, false, 0, -5]);
    refused([2, false, 0, 1.5]);
    refused([2, false, 0, NaN]);
    expect(decodeFrame(rawFrame([2, false, 0, 0]))).toMatchObject({ pingIntervalMs: 0 });
  });

  it('reconnectAfterMs: absent or an integer from 0 to 2^31−1', () => {
    refused([9, 0, 2 ** 31]);
    refused([9, 0, -1]);
    expect(decodeFrame(rawFrame([9, 0, 2 ** 31 - 1]))).toMatchObject({ reconnectAfterMs: 2 ** 31 - 1 });
  });

  it('reason: a known reason code, in CONNACK, ACK and DISCONNECT', () => {
    refused([2, false, 0x86]);
    refused([4, 'm1', 0x01]);
    refused([9, 'SUCCESS']);
    refused([4, 'm1', null]);
    for (const reason of Object.values(REASON)) {
      expect(decodeFrame(rawFrame([4, 'm1', reason]))).toStrictEqual({ type: 'ack', id: 'm1', reason });
    }
  });

  it('id: a string of at most 256 UTF-16 units (empty allowed)', () => {
    refused([4, 'x'.repeat(257), 0]);
    refused([4, 1, 0]);
    refused([5, null, ['a']]);
    expect(decodeFrame(rawFrame([4, 'x'.repeat(256), 0]))).toMatchObject({ id: 'x'.repeat(256) });
    expect(decodeFrame(rawFrame([4, '', 0]))).toMatchObject({ id: '' });
  });

  it('rooms: an array of at most 1,000 non-empty strings of at most 1,024 units', () => {
    refused([5, 'j1', 'lobby']);
    refused([5, 'j1', null]);
    refused([5, 'j1', ['']]);
    refused([5, 'j1', ['x'.repeat(1_025)]]);
    refused([6, 'l1', ['ok', 3]]);
    refused([6, 'l1', Array.from({ length: 1_001 }, (_, i) => `r${i}`)]);
    const rooms = Array.from({ length: 1_000 }, (_, i) => `r${i}`.padEnd(1_024, '.'));
    expect(decodeFrame(rawFrame([5, 'j1', rooms]))).toStrictEqual({ type: 'join', id: 'j1', rooms });
  });

  it('MESSAGE room: absent or a room name; target and from: absent or a client id', () => {
    refused([3, 'm1', '', null, 1]);
    refused([3, 'm1', 'x'.repeat(1_025), null, 1]);
    refused([3, 'm1', 7, null, 1]);
    refused([3, 'm1', null, '', 1]);
    refused([3, 'm1', null, ['c2'], 1]);
    refused([3, 'm1', null, null, 1, '']);
    refused([3, 'm1', null, null, 1, true]);
    expect(decodeFrame(rawFrame([3, 'm1', 'r', 't', 1, 'f']))).toStrictEqual({
      type: 'message',
      id: 'm1',
      room: 'r',
      target: 't',
      from: 'f',
      payload: 1,
    });
  });

  it('DISCONNECT message: absent or a string', () => {
    refused([9, 0, null, 42]);
    expect(decodeFrame(rawFrame([9, 0, null, '']))).toStrictEqual({
      type: 'disconnect',
      reason: 0,
      message: '',
    });
  });

  it('payload and credentials: any plain data, including null', () => {
    const data = { a: [1, -2.5, 'three', null, true, { b: new Uint8Array([9]) }], '': 0 };
    expect(decodeFrame(rawFrame([3, 'm1', null, null, data]))).toStrictEqual({
      type: 'message',
      id: 'm1',
      payload: data,
    });
    expect(decodeFrame(rawFrame([3, 'm1', null, null, null]))).toStrictEqual({
      type: 'message',
      id: 'm1',
      payload: null,
    });
    expect(decodeFrame(rawFrame([...CONNECT, data]))).toMatchObject({ credentials: data });
  });
});

describe('decodeFrame: limits', () => {
  it('accepts a body of exactly maxFrameBytes and refuses one byte more, with FRAME_TOO_LARGE', () => {
    const frame = rawFrame([3, 'm1', null, null, 'x'.repeat(100)]);
    const bodyLength = frame.length - 4;
    expect(decodeFrame(frame, { maxFrameBytes: bodyLength })).toMatchObject({ type: 'message' });
    expect(() => decodeFrame(frame, { maxFrameBytes: bodyLength - 1 })).toThrow(
      expect.objectContaining({ code: FrameTooLarge.code, reason: REASON.FRAME_TOO_LARGE }),
    );
  });

  it('checks the length header before looking at the body', () => {
    // Only the header: the body it announces is not there, yet the error is about the size.
    const header = Uint8Array.of(0x00, 0x10, 0x00, 0x01);
    expect(() => decodeFrame(header)).toThrow(expect.objectContaining({ code: FrameTooLarge.code }));
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(0x10_0000);
  });

  it('accepts maxDepth nested containers (the body array included) and refuses one more', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);
    // The body array is level 1: a payload of DEFAULT_MAX_DEPTH − 1 arrays reaches the limit.
    const atLimit = rawFrame([3, 'm1', null, null, nest(DEFAULT_MAX_DEPTH - 1)]);
    const beyond = rawFrame([3, 'm1', null, null, nest(DEFAULT_MAX_DEPTH)]);
    expect(decodeFrame(atLimit)).toMatchObject({ type: 'message' });
    expect(() => decodeFrame(beyond)).toThrow(malformed);
    expect(decodeFrame(beyond, { maxDepth: DEFAULT_MAX_DEPTH + 1 })).toMatchObject({ type: 'message' });
    expect(() => decodeFrame(rawFrame([7]), { maxDepth: 1 })).not.toThrow();
    expect(() => decodeFrame(rawFrame([5, 'j', []]), { maxDepth: 1 })).toThrow(malformed);
  });

  it('counts maps as well as arrays towards the depth', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { k: nest(levels - 1) });
    expect(() => decodeFrame(rawFrame([3, 'm1', null, null, nest(3)]), { maxDepth: 3 })).toThrow(malformed);
    expect(decodeFrame(rawFrame([3, 'm1', null, null, nest(2)]), { maxDepth: 3 })).toMatchObject({
      type: 'message',
    });
  });

  it('refuses options out of range with PROTO_ERR_INVALID_OPTION', () => {
    const frame = rawFrame([7]);
    for (const options of [
      { maxFrameBytes: 0 },
      { maxFrameBytes: 1.5 },
      { maxFrameBytes: 2 ** 32 },
      { maxFrameBytes: Number.NaN },
      { maxDepth: 0 },
      { maxDepth: 1_001 },
      { maxDepth: '32' as unknown as number },
    ]) {
      expect(() => decodeFrame(frame, options)).toThrow(
        expect.objectContaining({ code: InvalidProtocolOption.code }),
      );
    }
    expect(decodeFrame(frame, { maxFrameBytes: 2 ** 32 - 1, maxDepth: 1_000 })).toStrictEqual({
      type: 'ping',
    });
  });
});

describe('decodeFrame: whole frames only', () => {
  it('refuses fewer than 4 header bytes, a truncated body and bytes after the frame', () => {
    const ping = rawFrame([7]);
    expect(() => decodeFrame(ping.subarray(0, 3))).toThrow(malformed);
    expect(() => decodeFrame(ping.subarray(0, ping.length - 1))).toThrow(malformed);
    const extra = new Uint8Array(ping.length + 1);
    extra.set(ping);
    expect(() => decodeFrame(extra)).toThrow(malformed);
  });

  it('refuses a zero length header', () => {
    expect(() => decodeFrame(Uint8Array.of(0, 0, 0, 0))).toThrow(malformed);
  });

  it('refuses bytes that are not a Uint8Array as misuse', () => {
    expect(() => decodeFrame([0, 0, 0, 2, 0x91, 7] as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: InvalidProtocolOption.code }),
    );
  });

  it('decodes a frame that sits in the middle of a larger buffer', () => {
    const backing = new Uint8Array(32).fill(0xc1); // 0xc1 around it: reading outside the view fails
    const ping = rawFrame([7]);
    backing.set(ping, 10);
    expect(decodeFrame(backing.subarray(10, 10 + ping.length))).toStrictEqual({ type: 'ping' });
  });
});

describe('decodeFrame: safety', () => {
  it('refuses every MessagePack extension, whatever its type', () => {
    // fixext 1, 2, 4, 8, 16 and ext 8, 16, 32, each with type 0x01.
    const exts = [
      [0xd4, 1, 0],
      [0xd5, 1, 0, 0],
      [0xd6, 1, 0, 0, 0, 0],
      [0xd7, 1, ...new Array<number>(8).fill(0)],
      [0xd8, 1, ...new Array<number>(16).fill(0)],
      [0xc7, 1, 1, 0],
      [0xc8, 0, 1, 1, 0],
      [0xc9, 0, 0, 0, 1, 1, 0],
    ];
    for (const ext of exts) {
      const body = Uint8Array.of(0x95, 0x03, 0xa0, 0xc0, 0xc0, ...ext);
      expect(() => decodeFrame(withHeader(body))).toThrow(malformed);
    }
  });

  it('refuses the extensions msgpackr registers (Date, Set, Error, RegExp, typed arrays, undefined, bigint)', async () => {
    // A packer with every msgpackr extension on: what a hostile peer running msgpackr can send.
    const { Packr } = await import('msgpackr');
    const hostile = new Packr({ useRecords: false, structuredClone: true, moreTypes: true });
    const payloads: readonly [string, unknown][] = [
      ['Date', new Date(0)],
      ['Set', new Set([1])],
      ['Error', new Error('x')],
      ['RegExp', /x/],
      ['Int16Array', new Int16Array(2)],
      ['undefined', undefined],
      ['bigint', 2n ** 70n],
    ];
    for (const [what, payload] of payloads) {
      const frame = withHeader(hostile.pack([3, 'm1', null, null, payload]));
      expect(() => decodeFrame(frame), what).toThrow(malformed);
    }
  });

  it('refuses a __proto__ key and a map key that is not a string', () => {
    // {"__proto__": {"polluted": true}} as a fixmap.
    const protoKey = Uint8Array.of(
      0x95,
      0x03,
      0xa0,
      0xc0,
      0xc0,
      0x81,
      0xa9,
      ...new TextEncoder().encode('__proto__'),
      0x81,
      0xa8,
      ...new TextEncoder().encode('polluted'),
      0xc3,
    );
    expect(() => decodeFrame(withHeader(protoKey))).toThrow(malformed);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const intKey = Uint8Array.of(0x95, 0x03, 0xa0, 0xc0, 0xc0, 0x81, 0x01, 0x02);
    expect(() => decodeFrame(withHeader(intKey))).toThrow(malformed);
  });

  it('decodes maps as plain objects, other keys that name Object.prototype members included', () => {
    const frame = decodeFrame(
      rawFrame([3, 'm1', null, null, { constructor: 1, toString: 'x', hasOwnProperty: null }]),
    );
    const payload = (frame as { payload: object }).payload;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(payload).toStrictEqual({ constructor: 1, toString: 'x', hasOwnProperty: null });
  });

  it('decodes binaries as standalone Uint8Arrays, even from a Buffer, never views of the input', () => {
    const input = Buffer.from(rawFrame([3, 'm1', null, null, new Uint8Array([1, 2, 3])]));
    const { payload } = decodeFrame(input) as { payload: Uint8Array };
    expect(payload.constructor).toBe(Uint8Array);
    expect(payload).toStrictEqual(new Uint8Array([1, 2, 3]));
    input.fill(0);
    expect(payload).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses a 64-bit integer beyond ±(2^53−1) and accepts the safe extremes', () => {
    const message = (int64: number[]): Uint8Array =>
      withHeader(Uint8Array.of(0x95, 0x03, 0xa0, 0xc0, 0xc0, ...int64));
    expect(() => decodeFrame(message([0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0]))).toThrow(shapeError);
    expect(() => decodeFrame(message([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(
      shapeError,
    );
    expect(() => decodeFrame(message([0xd3, 0x7f, 0, 0, 0, 0, 0, 0, 0]))).toThrow(shapeError);
    expect(() => decodeFrame(message([0xd3, 0xff, 0xe0, 0, 0, 0, 0, 0, 0]))).toThrow(shapeError);
    expect(() => decodeFrame(message([0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]))).toThrow(shapeError);
    const safe = (bytes: number[]): unknown => (decodeFrame(message(bytes)) as { payload: unknown }).payload;
    expect(safe([0xcf, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(2 ** 53 - 1);
    expect(safe([0xd3, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(2 ** 53 - 1);
    expect(safe([0xd3, 0xff, 0xe0, 0, 0, 0, 0, 0, 1])).toBe(-(2 ** 53 - 1));
    expect(safe([0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(-1);
  });

  it('refuses an array or map count larger than the bytes left, before allocating it', () => {
    // array 32 announcing 2^32−1 elements, map 32 announcing 2^31 entries.
    for (const header of [
      [0xdd, 0xff, 0xff, 0xff, 0xff],
      [0xdf, 0x80, 0, 0, 0],
    ]) {
      expect(() => decodeFrame(withHeader(Uint8Array.of(...header, 0x07)))).toThrow(malformed);
    }
  });

  it('refuses a string or binary length larger than the bytes left', () => {
    for (const token of [
      [0xdb, 0xff, 0xff, 0xff, 0xff],
      [0xc6, 0x80, 0, 0, 0],
      [0xd9, 0x05, 0x61],
    ]) {
      expect(() => decodeFrame(withHeader(Uint8Array.of(0x95, 0x03, 0xa0, 0xc0, 0xc0, ...token)))).toThrow(
        malformed,
      );
    }
  });

  it('decodes invalid UTF-8 to U+FFFD, never to a lone surrogate', () => {
    // id: the UTF-8-like encoding of U+D800 (invalid UTF-8), short and long (other decoding paths).
    for (const repeat of [1, 30]) {
      const bytes = Array.from({ length: repeat }, () => [0xed, 0xa0, 0x80]).flat();
      const id = [0xd9, bytes.length, ...bytes];
      const decoded = decodeFrame(withHeader(Uint8Array.of(0x93, 0x04, ...id, 0x00))) as { id: string };
      expect(decoded.id).not.toMatch(/\p{Cs}/u);
      expect(decoded.id).toContain('\ufffd');
    }
  });

  it('refuses the reserved byte 0xc1 and trailing bytes inside the body', () => {
    expect(() => decodeFrame(withHeader(Uint8Array.of(0x91, 0xc1)))).toThrow(malformed);
    expect(() => decodeFrame(withHeader(Uint8Array.of(0x91, 0x07, 0x07)))).toThrow(malformed);
  });
});
