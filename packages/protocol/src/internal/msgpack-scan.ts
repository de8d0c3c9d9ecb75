/**
 * A byte-level gate in front of msgpackr. msgpackr's built-in extensions (Date, Error, RegExp,
 * Set, Map, typed arrays, records, …) are registered globally and cannot be unregistered, so the
 * only way to be sure that decoding untrusted bytes runs no constructor from the wire is to refuse
 * every extension before msgpackr sees the bytes. The same walk refuses what would make
 * msgpackr's output differ from plain data (non-string or `__proto__` map keys, 64-bit integers
 * that are no exact JS number) or cost unbounded stack (msgpackr recurses once per container).
 */
import { BadFrameShape, MalformedFrame } from '../errors.js';
import { MAX_MAX_DEPTH } from '../limits.js';

// One slot per open container plus the root, reused by every scan: a scan never yields, so no
// two scans share them at once, and a frame costs no allocation here.
/** Items still to read in each open container (a map's count is twice its entries). */
const remaining = new Float64Array(MAX_MAX_DEPTH + 1);
/** 1 where the open container is a map: its items alternate key, value. */
const isMap = new Uint8Array(MAX_MAX_DEPTH + 1);

/** `__proto__` in UTF-8: msgpackr would rename such a key, so it is refused rather than altered. */
const PROTO_KEY = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f] as const;

/**
 * Walks the MessagePack value in `bytes[start, end)` without decoding it, and throws unless it is
 * exactly one value msgpackr may safely decode. Iterative, so the walk itself cannot overflow the
 * stack; it reads each byte once, and the payload bytes of strings and binaries not at all.
 *
 * @throws PROTO_ERR_MALFORMED for truncated input, trailing bytes, the reserved byte 0xc1, any
 * extension (ext 8/16/32, fixext 1..16), a map key that is not a string or is `__proto__`, more
 * than `maxDepth` nested containers. PROTO_ERR_BAD_SHAPE for a 64-bit integer beyond ±(2^53−1).
 */
export function scanMessagePack(bytes: Uint8Array, start: number, end: number, maxDepth: number): void {
  let pos = start;
  let top = 0; // index of the innermost open container; slot 0 is the root, which holds one value
  remaining[0] = 1;
  isMap[0] = 0;

  for (;;) {
    let left = remaining[top] as number;
    while (left === 0) {
      if (top === 0) {
        if (pos !== end) throw new MalformedFrame(`${end - pos} trailing bytes after the body`);
        return;
      }
      left = remaining[--top] as number;
    }
    remaining[top] = left - 1;
    // A map with n entries starts at 2n items: an even count left means a key comes next.
    const isKey = isMap[top] === 1 && left % 2 === 0;
    if (pos >= end) throw truncated();
    const token = bytes[pos++] as number;

    // Strings, the only values allowed as map keys.
    let strLength = -1;
    if (token >= 0xa0 && token <= 0xbf) strLength = token - 0xa0;
    else if (token === 0xd9) strLength = readLength(bytes, pos, end, 1);
    else if (token === 0xda) strLength = readLength(bytes, pos, end, 2);
    else if (token === 0xdb) strLength = readLength(bytes, pos, end, 4);
    if (strLength >= 0) {
      if (token >= 0xd9) pos += token === 0xd9 ? 1 : token === 0xda ? 2 : 4;
      if (strLength > end - pos) throw truncated();
      if (isKey && strLength === PROTO_KEY.length && isProtoKey(bytes, pos)) {
        throw new MalformedFrame('a __proto__ map key');
      }
      pos += strLength;
      continue;
    }
    if (isKey) throw new MalformedFrame(`a map key that is not a string (token 0x${hex(token)})`);

    // Scalars: nil, booleans, fixints.
    if (token <= 0x7f || token >= 0xe0 || token === 0xc0 || token === 0xc2 || token === 0xc3) continue;

    // Containers.
    let count = -1;
    let map = 0;
    if (token <= 0x8f) {
      count = (token - 0x80) * 2;
      map = 1;
    } else if (token <= 0x9f) count = token - 0x90;
    else if (token === 0xdc || token === 0xdd) {
      const size = token === 0xdc ? 2 : 4;
      count = readLength(bytes, pos, end, size);
      pos += size;
    } else if (token === 0xde || token === 0xdf) {
      const size = token === 0xde ? 2 : 4;
      count = readLength(bytes, pos, end, size) * 2;
      map = 1;
      pos += size;
    }
    if (count >= 0) {
      // Every item takes at least one byte: a count beyond what is left is a lie, refused before
      // msgpackr would preallocate an array for it.
      if (count > end - pos) throw truncated();
      if (top >= maxDepth) throw new MalformedFrame(`nesting deeper than ${maxDepth} arrays and maps`);
      remaining[++top] = count;
      isMap[top] = map;
      continue;
    }

    // Fixed-size numbers and binaries.
    let skip: number;
    switch (token) {
      case 0xc4: // bin 8
      case 0xc5: // bin 16
      case 0xc6: {
        // bin 32
        const size = token === 0xc4 ? 1 : token === 0xc5 ? 2 : 4;
        skip = readLength(bytes, pos, end, size);
        pos += size;
        break;
      }
      case 0xcc: // uint 8
      case 0xd0: // int 8
        skip = 1;
        break;
      case 0xcd: // uint 16
      case 0xd1: // int 16
        skip = 2;
        break;
      case 0xca: // float 32
      case 0xce: // uint 32
      case 0xd2: // int 32
        skip = 4;
        break;
      case 0xcb: // float 64
        skip = 8;
        break;
      case 0xcf: // uint 64
      case 0xd3: // int 64
        if (end - pos < 8) throw truncated();
        if (!isSafeInt64(bytes, pos, token === 0xd3)) {
          throw new BadFrameShape('a 64-bit integer beyond ±(2^53−1), which is no exact JS number');
        }
        skip = 8;
        break;
      default:
        // 0xc1 (never used), ext 8/16/32 (0xc7..0xc9), fixext 1..16 (0xd4..0xd8).
        throw new MalformedFrame(
          token === 0xc1 ? 'the reserved byte 0xc1' : `a MessagePack extension (token 0x${hex(token)})`,
        );
    }
    if (skip > end - pos) throw truncated();
    pos += skip;
  }
}

function truncated(): MalformedFrame {
  return new MalformedFrame('truncated MessagePack');
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** The big-endian unsigned integer of `size` bytes at `pos`. */
function readLength(bytes: Uint8Array, pos: number, end: number, size: 1 | 2 | 4): number {
  if (end - pos < size) throw truncated();
  const b0 = bytes[pos] as number;
  if (size === 1) return b0;
  const b1 = bytes[pos + 1] as number;
  if (size === 2) return (b0 << 8) | b1;
  // `* 2 ** 24` rather than `<< 24`: a shift would make lengths of 2 GiB and above negative.
  return b0 * 0x100_0000 + ((b1 << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number));
}

/** True when the 8-byte big-endian integer at `pos` lies within ±(2^53−1). */
function isSafeInt64(bytes: Uint8Array, pos: number, signed: boolean): boolean {
  const high = readLength(bytes, pos, pos + 4, 4);
  if (!signed) return high <= 0x1f_ffff;
  const signedHigh = high | 0;
  if (signedHigh >= 0) return signedHigh <= 0x1f_ffff; // below 2^53
  // Negative: the high word is at least −2^21, and exactly −2^21 only with a non-zero low word
  // (−2^53 itself is not safe).
  if (signedHigh > -0x20_0000) return true;
  return signedHigh === -0x20_0000 && readLength(bytes, pos + 4, pos + 8, 4) !== 0;
}

function isProtoKey(bytes: Uint8Array, pos: number): boolean {
  for (let i = 0; i < PROTO_KEY.length; i++) if (bytes[pos + i] !== PROTO_KEY[i]) return false;
  return true;
}
