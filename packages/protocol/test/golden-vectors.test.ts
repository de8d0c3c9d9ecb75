/**
 * The golden vectors, sample session and error vectors of docs/protocol/v1.md, read from the page
 * itself and checked both ways: the encoder writes exactly the documented bytes, and the decoder
 * (one-shot and streaming) reads exactly the documented frame or error.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_TYPE, createDecoder, decodeFrame, encodeFrame } from '../src/index.js';
import type { Frame } from '../src/index.js';
import { frameFromJson, specBlock, toHex } from './support/spec-vectors.js';
import type { SpecLine } from './support/spec-vectors.js';

const vectors = specBlock('vectors');
const decodeVectors = specBlock('decode-vectors');
const errorVectors = specBlock('error-vectors');
const session = specBlock('session');

/** A typo in the page's hex shows up here rather than as a confusing decode failure. */
function expectHeaderMatchesBody(line: SpecLine): void {
  const announced = new DataView(line.bytes.buffer).getUint32(0);
  expect(announced, `${line.name}: header vs body`).toBe(line.bytes.length - 4);
}

/** Decodes through a streaming decoder fed one byte at a time. */
function streamOneByteAtATime(bytes: Uint8Array): { frames: Frame[]; error: unknown } {
  const decoder = createDecoder();
  const frames: Frame[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const result = decoder.push(bytes.subarray(i, i + 1));
    frames.push(...result.frames);
    if (result.error !== undefined) return { frames, error: result.error };
  }
  return { frames, error: undefined };
}

describe('golden vectors (docs/protocol/v1.md)', () => {
  it('has a vector for every frame type', () => {
    const types = new Set(vectors.map((v) => frameFromJson(v.expected).type));
    expect([...types].sort()).toEqual(
      Object.keys(FRAME_TYPE)
        .map((name) => name.toLowerCase())
        .sort(),
    );
  });

  for (const line of vectors) {
    describe(line.name, () => {
      const frame = frameFromJson(line.expected);

      it('encodes to exactly the documented bytes', () => {
        expectHeaderMatchesBody(line);
        expect(toHex(encodeFrame(frame))).toBe(toHex(line.bytes));
      });

      it('decodes to exactly the documented frame', () => {
        expect(decodeFrame(line.bytes)).toStrictEqual(frame);
        expect(streamOneByteAtATime(line.bytes)).toStrictEqual({ frames: [frame], error: undefined });
      });
    });
  }
});

describe('equivalent encodings (docs/protocol/v1.md)', () => {
  for (const line of decodeVectors) {
    it(`${line.name} decodes to the documented frame`, () => {
      expectHeaderMatchesBody(line);
      const frame = frameFromJson(line.expected);
      expect(decodeFrame(line.bytes)).toStrictEqual(frame);
      // The reference encoder writes a different, shorter form of the same frame.
      expect(toHex(encodeFrame(frame))).not.toBe(toHex(line.bytes));
      expect(decodeFrame(encodeFrame(frame))).toStrictEqual(frame);
    });
  }
});

describe('error vectors (docs/protocol/v1.md)', () => {
  it('covers every error a frame can raise', () => {
    expect(new Set(errorVectors.map((v) => v.expected))).toEqual(
      new Set([
        'PROTO_ERR_MALFORMED',
        'PROTO_ERR_FRAME_TOO_LARGE',
        'PROTO_ERR_BAD_SHAPE',
        'PROTO_ERR_UNKNOWN_TYPE',
      ]),
    );
  });

  for (const line of errorVectors) {
    it(`${line.name} raises ${line.expected} from decodeFrame and from a streaming decoder`, () => {
      // Header-only vectors stop at the header (a limit); the others must be whole frames.
      if (line.bytes.length > 4) expectHeaderMatchesBody(line);
      expect(() => decodeFrame(line.bytes)).toThrow(expect.objectContaining({ code: line.expected }));
      const streamed = createDecoder().push(line.bytes);
      expect(streamed.frames).toEqual([]);
      expect(streamed.error?.code).toBe(line.expected);
      expect(streamOneByteAtATime(line.bytes).error).toMatchObject({ code: line.expected });
    });
  }
});

describe('sample session (docs/protocol/v1.md)', () => {
  it('matches the encoder and the decoder line by line', () => {
    for (const line of session) {
      expectHeaderMatchesBody(line);
      const frame = frameFromJson(line.expected);
      expect(toHex(encodeFrame(frame)), line.expected).toBe(toHex(line.bytes));
      expect(decodeFrame(line.bytes)).toStrictEqual(frame);
    }
  });

  it('decodes each direction as one stream, in order, from a single chunk', () => {
    for (const direction of ['C>S', 'S>C']) {
      const lines = session.filter((line) => line.name === direction);
      const stream = new Uint8Array(lines.reduce((n, line) => n + line.bytes.length, 0));
      let offset = 0;
      for (const line of lines) {
        stream.set(line.bytes, offset);
        offset += line.bytes.length;
      }
      const decoder = createDecoder();
      expect(decoder.push(stream)).toStrictEqual({
        frames: lines.map((line) => frameFromJson(line.expected)),
        error: undefined,
      });
      expect(decoder.buffered).toBe(0);
    }
  });
});
