/**
 * Builds frames the reference encoder would refuse to write: any body, packed by msgpackr without
 * the codec's checks, behind a correct length header.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, structuredClone: false });

/** Header + the MessagePack of `body`, whatever it is. */
export function rawFrame(body: unknown): Uint8Array {
  return withHeader(packr.pack(body));
}

/** The MessagePack of `value`, as a list of bytes to splice into hand-built bodies. */
export function packValue(value: unknown): number[] {
  return [...packr.pack(value)];
}

/** Puts a correct length header in front of `body`. */
export function withHeader(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
