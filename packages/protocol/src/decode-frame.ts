/**
 * `decodeFrame`: the bytes of exactly one frame to the frame. For a byte stream (a socket), use
 * `createDecoder`, which reassembles frames split across chunks.
 */
import { InvalidProtocolOption, MalformedFrame } from './errors.js';
import type { Frame } from './frames.js';
import { readBody } from './internal/body-codec.js';
import { checkFrameLength, plainView, readFrameLength } from './internal/frame-header.js';
import { FRAME_HEADER_BYTES, resolveLimits } from './limits.js';
import type { DecoderOptions } from './limits.js';

/**
 * Decodes exactly one whole frame: its header and its body, nothing more, nothing less. The bytes
 * are treated as hostile: no extension and no constructor from the wire is ever run.
 *
 * @example
 * ```ts
 * const frame = decodeFrame(encodeFrame({ type: 'ping' })); // { type: 'ping' }
 * ```
 * @throws {RangeError} PROTO_ERR_FRAME_TOO_LARGE when the header announces more than `maxFrameBytes`.
 * @throws {Error} PROTO_ERR_MALFORMED for a zero length, fewer or more bytes than the header
 * announces, or a body that is not one safe MessagePack value (see {@link MalformedFrame}).
 * @throws {TypeError} PROTO_ERR_BAD_SHAPE for a body that is not a valid frame.
 * @throws {Error} PROTO_ERR_UNKNOWN_TYPE for a frame type that protocol v1 does not have.
 * @throws {TypeError} PROTO_ERR_INVALID_OPTION when `bytes` is not a Uint8Array or an option is out of range.
 */
export function decodeFrame(bytes: Uint8Array, options?: DecoderOptions): Frame {
  const { maxFrameBytes, maxDepth } = resolveLimits(options);
  if (!(bytes instanceof Uint8Array)) throw new InvalidProtocolOption('decodeFrame expects a Uint8Array');
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new MalformedFrame(`truncated length header (${bytes.length} of ${FRAME_HEADER_BYTES} bytes)`);
  }
  const length = readFrameLength(bytes, 0);
  checkFrameLength(length, maxFrameBytes);
  const bodyBytes = bytes.length - FRAME_HEADER_BYTES;
  if (bodyBytes !== length) {
    throw new MalformedFrame(
      bodyBytes < length
        ? `truncated frame: the header announces ${length} body bytes, ${bodyBytes} follow`
        : `${bodyBytes - length} bytes after the frame`,
    );
  }
  return readBody(plainView(bytes), FRAME_HEADER_BYTES, bytes.length, maxDepth);
}
