/**
 * The 4-byte length header, read the same way by `decodeFrame` and the streaming decoder, and the
 * view that makes decoded binaries plain Uint8Arrays.
 */
import { FrameTooLarge, MalformedFrame } from '../errors.js';

/** The big-endian unsigned 32-bit length at `bytes[pos, pos + 4)`; the caller checked the bounds. */
export function readFrameLength(bytes: Uint8Array, pos: number): number {
  // `* 2 ** 24` rather than `<< 24`: a shift would make lengths of 2 GiB and above negative.
  return (
    (bytes[pos] as number) * 0x100_0000 +
    (((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number))
  );
}

/**
 * Refuses a length header before a byte of its body is buffered.
 *
 * @throws PROTO_ERR_MALFORMED for 0 (every body holds at least its type); PROTO_ERR_FRAME_TOO_LARGE
 * above `maxFrameBytes`.
 */
export function checkFrameLength(length: number, maxFrameBytes: number): void {
  if (length === 0) throw new MalformedFrame('an empty frame (length 0)');
  if (length > maxFrameBytes) throw new FrameTooLarge(length, maxFrameBytes);
}

/**
 * A plain Uint8Array over the same bytes (no copy). msgpackr slices binaries with the input's own
 * species, so a Buffer input would give Buffer payloads in Node and Uint8Array ones in a browser;
 * through this view they are Uint8Array everywhere. It also keeps msgpackr's cached DataView off
 * the caller's object.
 */
export function plainView(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
