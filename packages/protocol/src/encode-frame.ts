/**
 * `encodeFrame`: a frame to its bytes on the wire.
 */
import type { Frame } from './frames.js';
import { writeFrame } from './internal/body-codec.js';
import { DEFAULT_MAX_DEPTH } from './limits.js';

/**
 * Encodes one frame: the 4-byte big-endian body length, then the MessagePack body array. The
 * result is a fresh standalone buffer, so a broadcast encodes once and queues the same bytes for
 * every socket.
 *
 * Every field is checked against the rules the decoder applies, so whatever this returns,
 * {@link decodeFrame} accepts (within the default limits) and decodes to an equal frame, with two
 * exceptions: an optional field given as null comes back absent, and `-0` comes back as `0`.
 * Payloads and credentials must be plain data (null, booleans, numbers, well-formed strings,
 * Uint8Array, arrays and plain objects), at most {@link DEFAULT_MAX_DEPTH} containers deep counting
 * the body array. The size is not limited here: compare `bytes.length - 4` with the peer's
 * `maxFrameBytes` if it may be lower than what you send.
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ type: 'message', id: 'm1', room: 'lobby', payload: { text: 'hi' } });
 * for (const socket of sockets) socket.write(bytes);
 * ```
 * @throws {TypeError} PROTO_ERR_BAD_SHAPE when a field breaks its rule (an empty client id, a
 * negative or fractional number, an unknown reason code, too many rooms, …) or the payload or
 * credentials are not plain data (a Date, a Map, a class instance, `undefined`, a function, a
 * bigint, a cycle, a string with a lone surrogate, …).
 * @throws {Error} PROTO_ERR_UNKNOWN_TYPE when `frame.type` is not a frame type of protocol v1.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  return writeFrame(frame, DEFAULT_MAX_DEPTH);
}
