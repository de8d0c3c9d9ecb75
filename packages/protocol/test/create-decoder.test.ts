/**
 * The streaming decoder: reassembly across chunks, many frames per chunk, the length check at the
 * header, poisoning after an error, and the frames that precede an error in the same chunk.
 */
import { describe, expect, it } from 'vitest';
import {
  FrameTooLarge,
  InvalidProtocolOption,
  MalformedFrame,
  REASON,
  UnknownFrameType,
  createDecoder,
  encodeFrame,
} from '../src/index.js';
import type { Frame } from '../src/index.js';
import { concat, rawFrame } from './support/raw-frame.js';

const ping: Frame = { type: 'ping' };
const ack: Frame = { type: 'ack', id: 'm1', reason: REASON.SUCCESS };
const message: Frame = { type: 'message', id: 'm2', room: 'lobby', payload: { text: 'hello' } };

describe('createDecoder: reassembly', () => {
  it('decodes many frames from one chunk, in order', () => {
    const decoder = createDecoder();
    const result = decoder.push(concat([ping, ack, message].map(encodeFrame)));
    expect(result).toStrictEqual({ frames: [ping, ack, message], error: undefined });
    expect(decoder.buffered).toBe(0);
  });

  it('waits for a header split across chunks and counts its bytes as buffered', () => {
    const decoder = createDecoder();
    const bytes = encodeFrame(ack);
    expect(decoder.push(bytes.subarray(0, 1))).toStrictEqual({ frames: [], error: undefined });
    expect(decoder.buffered).toBe(1);
    expect(decoder.push(bytes.subarray(1, 3)).frames).toEqual([]);
    expect(decoder.buffered).toBe(3);
    expect(decoder.push(bytes.subarray(3)).frames).toStrictEqual([ack]);
    expect(decoder.buffered).toBe(0);
  });

  it('reassembles a body split across chunks', () => {
    const decoder = createDecoder();
    const bytes = encodeFrame(message);
    expect(decoder.push(bytes.subarray(0, 6)).frames).toEqual([]);
    expect(decoder.buffered).toBe(6);
    expect(decoder.push(bytes.subarray(6, 10)).frames).toEqual([]);
    expect(decoder.buffered).toBe(10);
    expect(decoder.push(bytes.subarray(10)).frames).toStrictEqual([message]);
    expect(decoder.buffered).toBe(0);
  });

  it('completes a frame and decodes the next ones in the same chunk, keeping the incomplete rest', () => {
    const decoder = createDecoder();
    const stream = concat([encodeFrame(message), encodeFrame(ping), encodeFrame(ack)]);
    const firstCut = 5;
    const secondCut = stream.length - 3;
    expect(decoder.push(stream.subarray(0, firstCut)).frames).toEqual([]);
    expect(decoder.push(stream.subarray(firstCut, secondCut)).frames).toStrictEqual([message, ping]);
    expect(decoder.buffered).toBe(encodeFrame(ack).length - 3);
    expect(decoder.push(stream.subarray(secondCut)).frames).toStrictEqual([ack]);
  });

  it('reassembles a 300 KB binary frame pushed in 1,000-byte chunks (the buffer grows as bytes come)', () => {
    const payload = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    const bytes = encodeFrame({ type: 'message', id: 'big', payload });
    const decoder = createDecoder();
    const frames: Frame[] = [];
    const bufferedAfterEachPush: number[] = [];
    for (let i = 0; i < bytes.length; i += 1_000) {
      const result = decoder.push(bytes.subarray(i, i + 1_000));
      if (result.error !== undefined) throw result.error;
      frames.push(...result.frames);
      bufferedAfterEachPush.push(decoder.buffered);
    }
    // Every push but the last leaves the whole prefix buffered; the last completes the frame.
    const expected = bufferedAfterEachPush.map(
      (_, i) => Math.min((i + 1) * 1_000, bytes.length) % bytes.length,
    );
    expect(bufferedAfterEachPush).toEqual(expected);
    expect(frames).toHaveLength(1);
    const decoded = frames[0] as { type: string; id: string; payload: Uint8Array };
    expect([decoded.type, decoded.id]).toEqual(['message', 'big']);
    // Byte-wise rather than toStrictEqual, which walks a typed array element by element slowly.
    expect(Buffer.compare(decoded.payload, payload)).toBe(0);
    expect(decoded.payload.constructor).toBe(Uint8Array);
  });

  it('accepts Buffer chunks and returns binaries as plain Uint8Arrays that outlive the chunk', () => {
    const chunk = Buffer.from(encodeFrame({ type: 'message', id: 'b', payload: new Uint8Array([1, 2, 3]) }));
    const { frames } = createDecoder().push(chunk);
    const payload = (frames[0] as { payload: Uint8Array }).payload;
    expect(payload.constructor).toBe(Uint8Array);
    chunk.fill(0);
    expect(payload).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('treats an empty chunk as nothing', () => {
    const decoder = createDecoder();
    expect(decoder.push(new Uint8Array(0))).toStrictEqual({ frames: [], error: undefined });
    decoder.push(encodeFrame(ping).subarray(0, 2));
    expect(decoder.push(new Uint8Array(0))).toStrictEqual({ frames: [], error: undefined });
    expect(decoder.buffered).toBe(2);
  });

  it('decodes 10,000 small frames from one chunk and from many', () => {
    const stream = concat(
      Array.from({ length: 10_000 }, (_, i) =>
        encodeFrame({ type: 'message', id: `m${i}`, room: 'lobby', payload: { seq: i } }),
      ),
    );
    /** The indexes whose frame is not the expected one (a cheap check over 10,000 frames). */
    const mismatches = (frames: readonly Frame[]): number[] =>
      frames.flatMap((frame, i) =>
        frame.type === 'message' &&
        frame.id === `m${i}` &&
        frame.room === 'lobby' &&
        (frame.payload as { seq: number }).seq === i
          ? []
          : [i],
      );

    const whole = createDecoder().push(stream);
    expect(whole.error).toBeUndefined();
    expect(whole.frames).toHaveLength(10_000);
    expect(mismatches(whole.frames)).toEqual([]);

    const decoder = createDecoder();
    const pieces: Frame[] = [];
    for (let i = 0; i < stream.length; i += 4_096)
      pieces.push(...decoder.push(stream.subarray(i, i + 4_096)).frames);
    expect(pieces).toHaveLength(10_000);
    expect(mismatches(pieces)).toEqual([]);
    expect(decoder.buffered).toBe(0);
  });
});

describe('createDecoder: limits', () => {
  it('refuses an oversize header as soon as its 4 bytes are in, without waiting for the body', () => {
    const decoder = createDecoder({ maxFrameBytes: 1_024 });
    const header = Uint8Array.of(0x00, 0x00, 0x04, 0x01); // 1,025
    expect(decoder.push(header.subarray(0, 3))).toStrictEqual({ frames: [], error: undefined });
    expect(decoder.buffered).toBe(3);
    const { frames, error } = decoder.push(header.subarray(3));
    expect(frames).toEqual([]);
    expect(FrameTooLarge.is(error)).toBe(true);
    expect(error?.reason).toBe(REASON.FRAME_TOO_LARGE);
    expect(decoder.buffered).toBe(0);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const bytes = encodeFrame(message);
    const decoder = createDecoder({ maxFrameBytes: bytes.length - 4 });
    expect(decoder.push(bytes)).toStrictEqual({ frames: [message], error: undefined });
  });

  it('refuses a zero length header', () => {
    const { error } = createDecoder().push(Uint8Array.of(0, 0, 0, 0));
    expect(MalformedFrame.is(error)).toBe(true);
  });

  it('applies maxDepth to every frame', () => {
    const decoder = createDecoder({ maxDepth: 2 });
    expect(decoder.push(encodeFrame({ type: 'join', id: 'j', rooms: ['a'] })).error).toBeUndefined();
    const { error } = decoder.push(encodeFrame({ type: 'message', id: 'm', payload: [[1]] }));
    expect(MalformedFrame.is(error)).toBe(true);
  });

  it('refuses options out of range with PROTO_ERR_INVALID_OPTION', () => {
    for (const options of [
      { maxFrameBytes: -1 },
      { maxFrameBytes: 2 ** 32 },
      { maxDepth: 0 },
      { maxDepth: 2.5 },
    ]) {
      expect(() => createDecoder(options)).toThrow(
        expect.objectContaining({ code: InvalidProtocolOption.code }),
      );
    }
  });
});

describe('createDecoder: errors', () => {
  it('returns the frames completed before an error in the same chunk, with the error', () => {
    const decoder = createDecoder();
    const bad = rawFrame([42]);
    const { frames, error } = decoder.push(
      concat([encodeFrame(ping), encodeFrame(ack), bad, encodeFrame(message)]),
    );
    expect(frames).toStrictEqual([ping, ack]);
    expect(UnknownFrameType.is(error)).toBe(true);
    expect(error?.reason).toBe(REASON.PROTOCOL_ERROR);
  });

  it('returns the frame an error chunk completes before the error', () => {
    const decoder = createDecoder();
    const good = encodeFrame(message);
    decoder.push(good.subarray(0, 7));
    const { frames, error } = decoder.push(concat([good.subarray(7), Uint8Array.of(0, 0, 0, 1, 0xc1)]));
    expect(frames).toStrictEqual([message]);
    expect(MalformedFrame.is(error)).toBe(true);
  });

  it('is poisoned after an error: every later push returns that error and no frames', () => {
    const decoder = createDecoder();
    const first = decoder.push(Uint8Array.of(0, 0, 0, 1, 0xc1));
    expect(first.frames).toEqual([]);
    expect(MalformedFrame.is(first.error)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const later = decoder.push(encodeFrame(ping));
      expect(later.frames).toEqual([]);
      expect(later.error).toBe(first.error);
    }
    expect(decoder.buffered).toBe(0);
  });

  it('drops the partial frame it held when an error poisons it', () => {
    const decoder = createDecoder();
    const big = encodeFrame({ type: 'message', id: 'm', payload: 'x'.repeat(10_000) });
    decoder.push(big.subarray(0, 5_000));
    expect(decoder.buffered).toBe(5_000);
    // The rest of the frame, then a header of length 0.
    const { frames, error } = decoder.push(concat([big.subarray(5_000), Uint8Array.of(0, 0, 0, 0)]));
    expect(frames).toHaveLength(1);
    expect(MalformedFrame.is(error)).toBe(true);
    expect(decoder.buffered).toBe(0);
  });

  it('returns an error for a chunk that is not a Uint8Array rather than throwing', () => {
    const decoder = createDecoder();
    const { frames, error } = decoder.push('not bytes' as unknown as Uint8Array);
    expect(frames).toEqual([]);
    expect(MalformedFrame.is(error)).toBe(true);
  });
});
