/**
 * The MessagePack half of the codec: one Packr and one Unpackr for the whole package, configured
 * so that nothing but plain data goes in or out (no records, no structured clone, maps as plain
 * objects), and the byte scan in front of every unpack.
 */
import { Packr, Unpackr } from 'msgpackr';
import { BadFrameShape, MalformedFrame } from '../errors.js';
import type { Frame } from '../frames.js';
import { bodyFromFrame, frameFromBody } from './frame-layout.js';
import { scanMessagePack } from './msgpack-scan.js';

const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  mapsAsObjects: true,
  // Binary payloads are copies, not views into the socket chunk (or the decoder's reassembly
  // buffer): a frame outlives the push that produced it.
  copyBuffers: true,
  // The scan has refused every 64-bit integer that is not an exact JS number.
  int64AsType: 'number',
});

/** Reused by every unpack (which never re-enters): the body's bounds in the chunk. */
const bounds = { start: 0, end: 0 };

/**
 * Decodes the body in `bytes[start, end)`. `bytes` must be a plain Uint8Array, not a Buffer: its
 * type is the type of the decoded binaries.
 *
 * @throws a ProtocolError for anything but a valid frame.
 */
export function readBody(bytes: Uint8Array, start: number, end: number, maxDepth: number): Frame {
  scanMessagePack(bytes, start, end, maxDepth);
  bounds.start = start;
  bounds.end = end;
  let body: unknown;
  try {
    body = unpackr.unpack(bytes, bounds);
  } catch (err) {
    // The scan makes this unreachable for any input we know of; kept so that no other error type
    // can escape the decoder.
    throw new MalformedFrame('undecodable MessagePack', { cause: err });
  }
  return frameFromBody(body);
}

/**
 * Encodes `frame` as header + body in a fresh buffer of its own.
 *
 * @throws PROTO_ERR_BAD_SHAPE, PROTO_ERR_UNKNOWN_TYPE (see `bodyFromFrame`).
 */
export function writeFrame(frame: Frame, maxDepth: number): Uint8Array {
  const body = bodyFromFrame(frame, maxDepth);
  let packed: Uint8Array;
  try {
    packed = packr.pack(body);
  } catch (err) {
    throw new BadFrameShape('msgpackr cannot encode the frame', { cause: err });
  }
  const length = packed.length;
  // msgpackr returns a view into its shared slab; the frame gets a buffer of its own, so it can
  // sit in many sockets' queues while later frames are encoded.
  const out = new Uint8Array(4 + length);
  out[0] = length >>> 24;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  out.set(packed, 4);
  return out;
}
