/**
 * Fuzzing the decoder with fast-check. Whatever the bytes and however they are split, the decoder
 * only ever returns frames or a typed ProtocolError: it never throws anything else, never hangs,
 * and never holds more than the bytes it was given for an incomplete frame. Runs are bounded (a
 * few hundred each) so the file stays fast; FC_SEED replays a failure.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  FRAME_HEADER_BYTES,
  FrameTooLarge,
  MalformedFrame,
  createDecoder,
  decodeFrame,
  encodeFrame,
  isProtocolError,
} from '../src/index.js';
import type { DecoderOptions, Frame, FrameDecoder, ProtocolError } from '../src/index.js';
import {
  cuts,
  extension,
  frame,
  rawArray,
  rawMap,
  rawMessageBody,
  rawString,
  splitAt,
  plainData,
} from './support/arbitraries.js';
import { concat, packValue, withHeader } from './support/raw-frame.js';

const runs = { numRuns: 300 };

interface Outcome {
  readonly frames: Frame[];
  readonly error: ProtocolError | undefined;
  /** `buffered` after each push. */
  readonly buffered: number[];
}

/** Pushes every chunk (even after an error, to check poisoning) and collects what came out. */
function feed(decoder: FrameDecoder, chunks: readonly Uint8Array[]): Outcome {
  const frames: Frame[] = [];
  const buffered: number[] = [];
  let error: ProtocolError | undefined;
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    if (error !== undefined) {
      expect(result.frames).toEqual([]);
      expect(result.error).toBe(error);
    } else {
      frames.push(...result.frames);
      error = result.error;
    }
    buffered.push(decoder.buffered);
  }
  return { frames, error, buffered };
}

/** The decoder's contract for any input: frames that re-encode, and nothing but a ProtocolError. */
function expectOnlyFramesOrProtocolError(outcome: Outcome, totalBytes: number): void {
  if (outcome.error !== undefined) expect(isProtocolError(outcome.error)).toBe(true);
  // Anything the decoder accepts, the encoder can write: decoded frames obey every field rule.
  for (const decoded of outcome.frames) expect(() => encodeFrame(decoded)).not.toThrow();
  for (const held of outcome.buffered) expect(held).toBeLessThanOrEqual(totalBytes);
}

/** decodeFrame either returns a frame or throws a ProtocolError. */
function expectDecodeFrameContract(bytes: Uint8Array, options?: DecoderOptions): void {
  try {
    const decoded = decodeFrame(bytes, options);
    expect(() => encodeFrame(decoded)).not.toThrow();
  } catch (err) {
    expect(isProtocolError(err), String(err)).toBe(true);
  }
}

/** Interesting MessagePack tokens, to make random bodies reach deep into the scanner. */
const token = fc.oneof(
  fc.constantFrom(
    0x90,
    0x91,
    0x93,
    0x95,
    0x96,
    0x80,
    0x81,
    0xdc,
    0xdd,
    0xde,
    0xdf,
    0xa0,
    0xa2,
    0xd9,
    0xda,
    0xdb,
  ),
  fc.constantFrom(
    0xc0,
    0xc1,
    0xc2,
    0xc3,
    0xc4,
    0xc5,
    0xc6,
    0xc7,
    0xc8,
    0xc9,
    0xca,
    0xcb,
    0xcc,
    0xcd,
    0xce,
    0xcf,
  ),
  fc.constantFrom(
    0xd0,
    0xd1,
    0xd2,
    0xd3,
    0xd4,
    0xd5,
    0xd6,
    0xd7,
    0xd8,
    0x00,
    0x01,
    0x03,
    0x07,
    0x09,
    0x7f,
    0xff,
  ),
  fc.integer({ min: 0, max: 255 }),
);
const tokenSoup = fc.array(token, { minLength: 1, maxLength: 64 }).map((bytes) => Uint8Array.from(bytes));

describe('decoder fuzzing: arbitrary input', () => {
  test.prop([fc.uint8Array({ maxLength: 300 }), cuts], runs)(
    'arbitrary bytes in arbitrary chunks yield only frames or a ProtocolError',
    (bytes, cutsOf) => {
      expectOnlyFramesOrProtocolError(
        feed(createDecoder(), splitAt(bytes, cutsOf(bytes.length))),
        bytes.length,
      );
      expectDecodeFrameContract(bytes);
    },
  );

  test.prop(
    [fc.array(fc.oneof(tokenSoup, fc.uint8Array({ minLength: 1, maxLength: 40 })), { maxLength: 6 }), cuts],
    runs,
  )('well-framed random bodies (token soup) yield only frames or a ProtocolError', (bodies, cutsOf) => {
    const stream = concat(bodies.map(withHeader));
    expectOnlyFramesOrProtocolError(
      feed(createDecoder(), splitAt(stream, cutsOf(stream.length))),
      stream.length,
    );
    for (const body of bodies) expectDecodeFrameContract(withHeader(body), { maxDepth: 8 });
  });

  test.prop([tokenSoup, fc.integer({ min: 1, max: 40 })], runs)(
    'a corrupted byte in a valid frame yields a frame or a ProtocolError',
    (soup, seed) => {
      const valid = encodeFrame({ type: 'message', id: 'm', room: 'r', payload: { a: [1, 'two', null] } });
      const corrupted = new Uint8Array(valid);
      const at = FRAME_HEADER_BYTES + (seed % (valid.length - FRAME_HEADER_BYTES));
      corrupted[at] = soup[0] as number;
      expectDecodeFrameContract(corrupted);
      expectOnlyFramesOrProtocolError(feed(createDecoder(), [corrupted]), corrupted.length);
    },
  );
});

describe('decoder fuzzing: valid streams', () => {
  test.prop([frame], runs)('decodeFrame(encodeFrame(frame)) equals the frame', (f) => {
    expect(decodeFrame(encodeFrame(f))).toStrictEqual(f);
  });

  test.prop([fc.array(frame, { minLength: 1, maxLength: 8 }), cuts], runs)(
    'split and coalesced chunks yield the same frames as one chunk',
    (frames, cutsOf) => {
      const stream = concat(frames.map(encodeFrame));
      const whole = feed(createDecoder(), [stream]);
      const split = feed(createDecoder(), splitAt(stream, cutsOf(stream.length)));
      expect(whole.error).toBeUndefined();
      expect(split.error).toBeUndefined();
      expect(whole.frames).toStrictEqual(frames);
      expect(split.frames).toStrictEqual(frames);
      expect(split.buffered.at(-1)).toBe(0);
    },
  );

  test.prop(
    [fc.array(frame, { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 1, noNaN: true })],
    runs,
  )('a truncated stream yields the complete frames and buffers exactly the rest', (frames, fraction) => {
    const encoded = frames.map(encodeFrame);
    const stream = concat(encoded);
    const cut = Math.floor(fraction * stream.length);
    const decoder = createDecoder();
    const result = decoder.push(stream.subarray(0, cut));
    // The frames that end at or before the cut.
    let end = 0;
    let complete = 0;
    while (complete < encoded.length && end + (encoded[complete] as Uint8Array).length <= cut) {
      end += (encoded[complete] as Uint8Array).length;
      complete++;
    }
    expect(result).toStrictEqual({ frames: frames.slice(0, complete), error: undefined });
    expect(decoder.buffered).toBe(cut - end);
  });
});

describe('decoder fuzzing: hostile input', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(frame, { maxLength: 3 }),
      fc.uint8Array({ maxLength: 200 }),
      cuts,
    ],
    runs,
  )(
    'an oversize header is refused at its 4th byte, without waiting for the body; buffered stays small',
    (maxFrameBytes, fraction, before, tail, cutsOf) => {
      const prefix = concat(before.map(encodeFrame));
      // The limit lets every frame of the prefix through; the header announces more than it.
      const limit = Math.max(maxFrameBytes, prefix.length);
      const length = limit + 1 + Math.floor(fraction * (0xffff_ffff - limit - 1));
      const header = Uint8Array.of(
        length >>> 24,
        (length >>> 16) & 0xff,
        (length >>> 8) & 0xff,
        length & 0xff,
      );
      const stream = concat([prefix, header, tail]);
      const decoder = createDecoder({ maxFrameBytes: limit });
      const chunks = splitAt(stream, cutsOf(stream.length));
      let seen = 0;
      let refusedAt = -1;
      for (const chunk of chunks) {
        const { error } = decoder.push(chunk);
        seen += chunk.length;
        if (refusedAt < 0 && error !== undefined) {
          expect(FrameTooLarge.is(error)).toBe(true);
          refusedAt = seen;
        }
        // Never more than a partial header of the oversize frame (or a valid frame of the prefix).
        if (seen > prefix.length) expect(decoder.buffered).toBeLessThanOrEqual(FRAME_HEADER_BYTES - 1);
      }
      // Refused in the very chunk that completed the header.
      const headerEnd = prefix.length + FRAME_HEADER_BYTES;
      expect(refusedAt).toBeGreaterThanOrEqual(headerEnd);
      const chunkEnds = chunks.map((_, i) => chunks.slice(0, i + 1).reduce((n, c) => n + c.length, 0));
      expect(refusedAt).toBe(chunkEnds.find((end) => end >= headerEnd));
      expect(decoder.buffered).toBe(0);
    },
  );

  test.prop(
    [
      fc.array(fc.constantFrom('array', 'map'), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 1, max: 64 }),
    ],
    runs,
  )('nesting beyond maxDepth is refused as malformed, within it decoded', (kinds, maxDepth) => {
    // Innermost first: wrap the leaf in one container per kind.
    let payload: number[] = [0x01];
    for (const kind of kinds)
      payload = kind === 'array' ? rawArray([payload]) : rawMap([[rawString('k'), payload]]);
    const bytes = withHeader(rawMessageBody(payload));
    const { frames, error } = createDecoder({ maxDepth }).push(bytes);
    // The body array is one level; the payload adds one per container.
    if (kinds.length + 1 > maxDepth) {
      expect(frames).toEqual([]);
      expect(MalformedFrame.is(error)).toBe(true);
    } else {
      expect(error).toBeUndefined();
      expect(frames).toHaveLength(1);
    }
  });

  test.prop([fc.array(plainData, { maxLength: 5 }), fc.nat(), extension, fc.boolean(), cuts], runs)(
    'an extension anywhere in a body is refused as malformed, however the bytes are split',
    (items, index, ext, inMap, cutsOf) => {
      // Valid plain data around one extension, in an array or as a map value.
      const encodedItems = items.map(packValue);
      encodedItems.splice(index % (encodedItems.length + 1), 0, ext);
      const payload = inMap
        ? rawMap(encodedItems.map((item, i) => [rawString(`k${i}`), item] as const))
        : rawArray(encodedItems);
      const bytes = withHeader(rawMessageBody(payload));
      const outcome = feed(createDecoder(), splitAt(bytes, cutsOf(bytes.length)));
      expect(outcome.frames).toEqual([]);
      expect(MalformedFrame.is(outcome.error)).toBe(true);
      expect(() => decodeFrame(bytes)).toThrow(
        expect.objectContaining({ code: MalformedFrame.code }) as unknown,
      );
    },
  );

  const protoKeys = fc.constantFrom('a', '__proto__', 'constructor', 'prototype', 'toString', '__proto_');
  interface KeyTree {
    readonly entries: readonly (readonly [string, KeyTree | number])[];
  }
  const keyTree: fc.Arbitrary<KeyTree> = fc.letrec<{ tree: KeyTree }>((tie) => ({
    tree: fc.record({
      entries: fc.array(fc.tuple(protoKeys, fc.oneof({ depthSize: 'small' }, fc.nat(9), tie('tree'))), {
        maxLength: 4,
      }),
    }),
  })).tree;
  const encodeTree = (tree: KeyTree): number[] =>
    rawMap(
      tree.entries.map(
        ([key, value]) => [rawString(key), typeof value === 'number' ? [value] : encodeTree(value)] as const,
      ),
    );
  const hasProtoKey = (tree: KeyTree): boolean =>
    tree.entries.some(
      ([key, value]) => key === '__proto__' || (typeof value !== 'number' && hasProtoKey(value)),
    );

  test.prop([keyTree], runs)(
    'a __proto__ key anywhere is refused; other keys are own properties; nothing is polluted',
    (tree) => {
      const bytes = withHeader(rawMessageBody(encodeTree(tree)));
      const { frames, error } = createDecoder().push(bytes);
      if (hasProtoKey(tree)) {
        expect(frames).toEqual([]);
        expect(MalformedFrame.is(error)).toBe(true);
      } else {
        expect(error).toBeUndefined();
        const payload = (frames[0] as { payload: object }).payload;
        expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
      }
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('a');
      expect(({} as Record<string, unknown>)['a']).toBeUndefined();
    },
  );
});
