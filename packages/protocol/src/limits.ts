/**
 * The decoder's limits and their defaults. Both bound what one hostile frame can cost: memory
 * (the length header is checked before a byte of the body is buffered) and stack (MessagePack
 * decoding recurses once per nested container).
 */
import { InvalidProtocolOption } from './errors.js';

/**
 * Bytes in a frame's length header: a big-endian unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * const bodyBytes = frameBytes.length - FRAME_HEADER_BYTES;
 * ```
 */
export const FRAME_HEADER_BYTES = 4;

/**
 * Default largest frame body a decoder accepts, in bytes (the header excluded): 1 MiB.
 *
 * @example
 * ```ts
 * createDecoder({ maxFrameBytes: DEFAULT_MAX_FRAME_BYTES * 4 }); // allow 4 MiB bodies
 * ```
 */
export const DEFAULT_MAX_FRAME_BYTES = 1_048_576;

/**
 * Default deepest nesting of arrays and maps in a body. The body array itself is level 1, so a
 * MESSAGE payload may nest 31 containers deep.
 *
 * @example
 * ```ts
 * createDecoder({ maxDepth: DEFAULT_MAX_DEPTH * 2 });
 * ```
 */
export const DEFAULT_MAX_DEPTH = 32;

/** The largest body a 32-bit length header can announce. */
const MAX_HEADER_LENGTH = 0xffff_ffff;
/**
 * The deepest `maxDepth` accepted (internal). msgpackr decodes recursively; far below any engine's stack
 * limit, and still far more nesting than any real payload has.
 */
export const MAX_MAX_DEPTH = 1_000;

/**
 * Options of {@link createDecoder} and {@link decodeFrame}.
 *
 * @example
 * ```ts
 * const options: DecoderOptions = { maxFrameBytes: 64 * 1024, maxDepth: 16 };
 * ```
 */
export interface DecoderOptions {
  /** Largest body accepted, in bytes, header excluded: an integer from 1 to 2^32−1. Default {@link DEFAULT_MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
  /** Deepest nesting of arrays and maps in a body, the body array included: an integer from 1 to 1,000. Default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number;
}

/** Options with their defaults applied and their ranges checked. */
export interface DecoderLimits {
  readonly maxFrameBytes: number;
  readonly maxDepth: number;
}

const DEFAULT_LIMITS: DecoderLimits = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxDepth: DEFAULT_MAX_DEPTH };

/**
 * Applies the defaults and checks the ranges of decoder options.
 *
 * @throws {TypeError} PROTO_ERR_INVALID_OPTION when an option is not an integer in its range.
 */
export function resolveLimits(options: DecoderOptions | undefined): DecoderLimits {
  if (options === undefined) return DEFAULT_LIMITS;
  const maxFrameBytes = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  checkRange('maxFrameBytes', maxFrameBytes, MAX_HEADER_LENGTH);
  checkRange('maxDepth', maxDepth, MAX_MAX_DEPTH);
  return { maxFrameBytes, maxDepth };
}

function checkRange(name: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidProtocolOption(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
}
