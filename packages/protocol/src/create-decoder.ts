/**
 * The streaming decoder: one per connection. It takes the bytes as the socket delivers them (a
 * header split in two, a body split across chunks, many frames in one chunk) and returns whole
 * frames. A frame that lies inside one chunk is decoded in place, from a view; only a frame that
 * spans chunks is copied, once, into a reassembly buffer.
 */
import { MalformedFrame, isProtocolError } from './errors.js';
import type { ProtocolError } from './errors.js';
import type { Frame } from './frames.js';
import { readBody } from './internal/body-codec.js';
import { checkFrameLength, plainView, readFrameLength } from './internal/frame-header.js';
import { FRAME_HEADER_BYTES, resolveLimits } from './limits.js';
import type { DecoderLimits, DecoderOptions } from './limits.js';

/**
 * What one {@link FrameDecoder.push} produced: the frames completed by the chunk, in order, and
 * the error that poisoned the decoder, if the chunk (or an earlier one) did.
 *
 * @example
 * ```ts
 * const { frames, error } = decoder.push(chunk);
 * for (const frame of frames) handle(frame);
 * if (error) close(error.reason);
 * ```
 */
export interface DecodeResult {
  readonly frames: readonly Frame[];
  readonly error: ProtocolError | undefined;
}

/**
 * A streaming decoder for one connection's bytes.
 *
 * @example
 * ```ts
 * const decoder = createDecoder();
 * socket.on('data', (chunk: Uint8Array) => {
 *   const { frames, error } = decoder.push(chunk);
 *   frames.forEach(handle);
 *   if (error) socket.end(encodeFrame({ type: 'disconnect', reason: error.reason }));
 * });
 * ```
 */
export interface FrameDecoder {
  /**
   * Feeds bytes (any split: partial headers, partial bodies, many frames in one chunk). Never
   * throws. After an error the decoder is poisoned: every later push returns that error and no
   * frames. Frames complete before the error in the same chunk are returned with it.
   */
  push(chunk: Uint8Array): DecodeResult;
  /** Bytes buffered for an incomplete frame (its header bytes included); 0 between frames and after an error. */
  readonly buffered: number;
}

/**
 * Creates a streaming decoder. The length header of each frame is checked against
 * `maxFrameBytes` as soon as its 4 bytes are in, before any of the body is buffered, so a hostile
 * header costs 4 bytes, not the length it announces.
 *
 * @example
 * ```ts
 * const decoder = createDecoder({ maxFrameBytes: 64 * 1024 });
 * const bytes = encodeFrame({ type: 'ping' });
 * decoder.push(bytes.subarray(0, 2)); // { frames: [], error: undefined }
 * decoder.push(bytes.subarray(2)); // { frames: [{ type: 'ping' }], error: undefined }
 * ```
 * @throws {TypeError} PROTO_ERR_INVALID_OPTION when `maxFrameBytes` is not an integer from 1 to
 * 2^32−1 or `maxDepth` not an integer from 1 to 1,000.
 */
export function createDecoder(options?: DecoderOptions): FrameDecoder {
  return new StreamDecoder(resolveLimits(options));
}

// --- Internals

/** A reassembly buffer starts at this size (or the frame's, if smaller) and doubles as bytes come. */
const INITIAL_REASSEMBLY_BYTES = 64 * 1024;
const NO_FRAMES: readonly Frame[] = Object.freeze([]);

class StreamDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #maxDepth: number;
  /**
   * A length header split across chunks: its bytes so far, accumulated big-endian into a number
   * (≤ 2^32, exact in a double), and how many are in. A number, not a 4-byte array: ≈ 0.2 KB less
   * per connection, and most headers never split.
   */
  #headerValue = 0;
  #headerFill = 0;
  /** The body length of the frame being reassembled, or -1 when none is. */
  #bodyLength = -1;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #error: ProtocolError | undefined;

  constructor(limits: DecoderLimits) {
    this.#maxFrameBytes = limits.maxFrameBytes;
    this.#maxDepth = limits.maxDepth;
  }

  get buffered(): number {
    return this.#headerFill + (this.#bodyLength < 0 ? 0 : FRAME_HEADER_BYTES + this.#bodyFill);
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.#error !== undefined) return { frames: NO_FRAMES, error: this.#error };
    const frames: Frame[] = [];
    try {
      if (!(chunk instanceof Uint8Array)) throw new MalformedFrame('a chunk that is not a Uint8Array');
      this.#consume(plainView(chunk), frames);
      return { frames, error: undefined };
    } catch (err) {
      const error = isProtocolError(err) ? err : new MalformedFrame('the decoder failed', { cause: err });
      this.#error = error;
      // Poisoned for good: let the partial frame go now rather than when the connection does.
      this.#body = undefined;
      this.#bodyLength = -1;
      this.#bodyFill = 0;
      this.#headerFill = 0;
      this.#headerValue = 0;
      return { frames, error };
    }
  }

  /** Decodes every frame `bytes` completes into `frames`, and keeps the incomplete rest. */
  #consume(bytes: Uint8Array, frames: Frame[]): void {
    const end = bytes.length;
    let pos = 0;
    while (pos < end) {
      if (this.#bodyLength < 0) {
        // Between frames: read a length header, whole from this chunk when it can be.
        let length: number;
        if (this.#headerFill === 0 && end - pos >= FRAME_HEADER_BYTES) {
          length = readFrameLength(bytes, pos);
          pos += FRAME_HEADER_BYTES;
        } else {
          while (this.#headerFill < FRAME_HEADER_BYTES && pos < end) {
            this.#headerValue = this.#headerValue * 256 + (bytes[pos++] as number);
            this.#headerFill++;
          }
          if (this.#headerFill < FRAME_HEADER_BYTES) return;
          length = this.#headerValue;
          this.#headerFill = 0;
          this.#headerValue = 0;
        }
        checkFrameLength(length, this.#maxFrameBytes);
        if (end - pos >= length) {
          // The common case: the whole body is in this chunk; decode it in place.
          frames.push(readBody(bytes, pos, pos + length, this.#maxDepth));
          pos += length;
          continue;
        }
        this.#bodyLength = length;
        this.#bodyFill = 0;
        this.#body = new Uint8Array(Math.min(length, Math.max(INITIAL_REASSEMBLY_BYTES, 2 * (end - pos))));
      }
      // Reassembling a body that spans chunks.
      const take = Math.min(end - pos, this.#bodyLength - this.#bodyFill);
      const body = this.#reserve(this.#bodyFill + take);
      body.set(bytes.subarray(pos, pos + take), this.#bodyFill);
      this.#bodyFill += take;
      pos += take;
      if (this.#bodyFill < this.#bodyLength) return;
      const length = this.#bodyLength;
      this.#body = undefined;
      this.#bodyLength = -1;
      this.#bodyFill = 0;
      frames.push(readBody(body, 0, length, this.#maxDepth));
    }
  }

  /**
   * The reassembly buffer, grown to hold at least `size` bytes. It grows by doubling (up to the
   * frame's length) rather than being allocated whole at the header, so a peer that announces a
   * large frame and stalls holds memory only for the bytes it actually sent.
   */
  #reserve(size: number): Uint8Array {
    const body = this.#body as Uint8Array;
    if (size <= body.length) return body;
    const grown = new Uint8Array(Math.min(this.#bodyLength, Math.max(size, body.length * 2)));
    grown.set(body.subarray(0, this.#bodyFill));
    this.#body = grown;
    return grown;
  }
}
