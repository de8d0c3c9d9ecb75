/**
 * fast-check arbitraries for the codec's properties: valid frames (with plain-data payloads), and
 * hand-built MessagePack for what the reference encoder would never write (deep nesting,
 * extensions, `__proto__` keys).
 */
import { fc } from '@fast-check/vitest';
import { REASON } from '../../src/index.js';
import type { Frame, ReasonCode } from '../../src/index.js';

const text = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength, maxLength });
const reason: fc.Arbitrary<ReasonCode> = fc.constantFrom(...Object.values(REASON));
const rooms = fc.array(text(1, 12), { maxLength: 4 });

/** Plain data that survives a round trip unchanged (-0 is sent as 0, so it is not generated). */
export const plainData: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
    fc.maxSafeInteger(),
    text(0, 12),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      text(0, 8).filter((key) => key !== '__proto__'),
      tie('value'),
      { maxKeys: 4, noNullPrototype: true },
    ),
  ),
})).value;

/** Builds an object with only the optional properties that are defined (absent, never undefined). */
function withOptional<T extends object>(required: T, optional: Record<string, unknown>): T {
  const out = Object.assign({}, required) as Record<string, unknown>;
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out as T;
}

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Any valid frame of protocol v1, optional fields absent or present. */
export const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc
    .record({
      version: fc.integer({ min: 1, max: 2 ** 31 }),
      clientId: text(1, 16),
      cleanStart: fc.boolean(),
      sessionExpiryMs: fc.option(fc.maxSafeNat(), { nil: null }),
      credentials: maybe(plainData.filter((value) => value !== null)),
    })
    .map(({ credentials, ...rest }) => withOptional<Frame>({ type: 'connect', ...rest }, { credentials })),
  fc
    .record({ sessionPresent: fc.boolean(), reason, pingIntervalMs: maybe(fc.maxSafeNat()) })
    .map(({ pingIntervalMs, ...rest }) =>
      withOptional<Frame>({ type: 'connack', ...rest }, { pingIntervalMs }),
    ),
  fc
    .record({
      id: text(0, 12),
      room: maybe(text(1, 12)),
      target: maybe(text(1, 12)),
      from: maybe(text(1, 12)),
      payload: plainData,
    })
    .map(({ id, payload, ...optional }) => withOptional<Frame>({ type: 'message', id, payload }, optional)),
  fc.record({ id: text(0, 12), reason }).map((fields): Frame => ({ type: 'ack', ...fields })),
  fc.record({ id: text(0, 12), rooms }).map((fields): Frame => ({ type: 'join', ...fields })),
  fc.record({ id: text(0, 12), rooms }).map((fields): Frame => ({ type: 'leave', ...fields })),
  fc.constant<Frame>({ type: 'ping' }),
  fc.constant<Frame>({ type: 'pong' }),
  fc
    .record({
      reason,
      reconnectAfterMs: maybe(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
      message: maybe(text(0, 16)),
    })
    .map(({ reason: code, ...optional }) =>
      withOptional<Frame>({ type: 'disconnect', reason: code }, optional),
    ),
);

/** Cut points for splitting `length` bytes into chunks: sorted, distinct, inside (0, length). */
export const cuts: fc.Arbitrary<(length: number) => number[]> = fc
  .array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 })
  .map(
    (fractions) => (length: number) =>
      [...new Set(fractions.map((f) => Math.floor(f * length)))]
        .filter((c) => c > 0 && c < length)
        .sort((a, b) => a - b),
  );

/** Splits `bytes` at `points` (as produced by {@link cuts}). */
export function splitAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

// --- Hand-built MessagePack

const utf8 = new TextEncoder();

/** A MessagePack str (fixstr or str 8). */
export function rawString(value: string): number[] {
  const bytes = [...utf8.encode(value)];
  return bytes.length < 32 ? [0xa0 | bytes.length, ...bytes] : [0xd9, bytes.length, ...bytes];
}

/** A MessagePack array (fixarray or array 16) of already-encoded items. */
export function rawArray(items: readonly number[][]): number[] {
  const header = items.length < 16 ? [0x90 | items.length] : [0xdc, items.length >> 8, items.length & 0xff];
  return [...header, ...items.flat()];
}

/** A MessagePack map (fixmap or map 16) of already-encoded keys and values. */
export function rawMap(entries: readonly (readonly [number[], number[]])[]): number[] {
  const header =
    entries.length < 16 ? [0x80 | entries.length] : [0xde, entries.length >> 8, entries.length & 0xff];
  return [...header, ...entries.flatMap(([key, value]) => [...key, ...value])];
}

/** The body of a MESSAGE whose payload is the given encoded bytes: [3, "m", null, null, payload]. */
export function rawMessageBody(payload: readonly number[]): Uint8Array {
  return Uint8Array.of(0x95, 0x03, ...rawString('m'), 0xc0, 0xc0, ...payload);
}

/** Any MessagePack extension: fixext 1/2/4/8/16, ext 8/16/32, any type byte, any data. */
export const extension: fc.Arbitrary<number[]> = fc
  .record({
    form: fc.constantFrom('fixext', 'ext8', 'ext16', 'ext32'),
    fixSize: fc.constantFrom(1, 2, 4, 8, 16),
    type: fc.integer({ min: 0, max: 255 }),
    data: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }),
  })
  .map(({ form, fixSize, type, data }) => {
    switch (form) {
      case 'fixext': {
        const token = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }[fixSize];
        return [token, type, ...Array.from({ length: fixSize }, (_, i) => data[i] ?? 0)];
      }
      case 'ext8':
        return [0xc7, data.length, type, ...data];
      case 'ext16':
        return [0xc8, 0, data.length, type, ...data];
      case 'ext32':
        return [0xc9, 0, 0, 0, data.length, type, ...data];
    }
  });
