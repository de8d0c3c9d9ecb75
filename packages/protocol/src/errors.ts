/**
 * The protocol's error registry (`PROTO_ERR_*`), built on the runtime's `defineError`. Every
 * decoding error carries the `reason` a server puts in the DISCONNECT it sends before closing
 * (the ws model: an error that knows its close code). Every code is documented in
 * `docs/reference/errors.md`.
 */
import { defineError } from '@switchboard/runtime/errors';
import { REASON } from './reason.js';

/**
 * A frame's length header is above `maxFrameBytes`. Raised as soon as the 4 header bytes are in,
 * before any of the body is buffered. Reason: FRAME_TOO_LARGE (0x95).
 *
 * @example
 * ```ts
 * const { error } = createDecoder({ maxFrameBytes: 16 }).push(Uint8Array.of(0, 0, 1, 0));
 * FrameTooLarge.is(error); // true: 256 > 16
 * ```
 */
export class FrameTooLarge extends defineError(
  'PROTO_ERR_FRAME_TOO_LARGE',
  RangeError,
  (length: number, maxFrameBytes: number) =>
    `frame body of ${length} bytes is above maxFrameBytes (${maxFrameBytes})`,
) {
  /** What to send in the DISCONNECT. */
  readonly reason: typeof REASON.FRAME_TOO_LARGE = REASON.FRAME_TOO_LARGE;

  /** True for any error with this code, whichever copy of the package created it. */
  static override is(value: unknown): value is FrameTooLarge {
    return super.is(value);
  }
}

/**
 * The bytes are not one well-formed, safe MessagePack value: bad or truncated MessagePack, a zero
 * length, trailing bytes after the body, an extension type, a non-string or `__proto__` map key,
 * nesting deeper than `maxDepth`. Reason: MALFORMED_FRAME (0x81).
 *
 * @example
 * ```ts
 * try {
 *   decodeFrame(Uint8Array.of(0, 0, 0, 1, 0xc1)); // 0xc1 is never used in MessagePack
 * } catch (err) {
 *   MalformedFrame.is(err); // true
 * }
 * ```
 */
export class MalformedFrame extends defineError(
  'PROTO_ERR_MALFORMED',
  Error,
  (detail: string) => `malformed frame: ${detail}`,
) {
  /** What to send in the DISCONNECT. */
  readonly reason: typeof REASON.MALFORMED_FRAME = REASON.MALFORMED_FRAME;

  /** True for any error with this code, whichever copy of the package created it. */
  static override is(value: unknown): value is MalformedFrame {
    return super.is(value);
  }
}

/**
 * Well-formed MessagePack that is not a valid frame: not an array, a field of the wrong type, too
 * few or too many fields, a value out of its limits, an unknown reason code, a payload outside
 * plain data. `encodeFrame` raises it for a frame it cannot represent. Reason: MALFORMED_FRAME (0x81).
 *
 * @example
 * ```ts
 * try {
 *   encodeFrame({ type: 'message', id: 'm1', payload: new Date() });
 * } catch (err) {
 *   BadFrameShape.is(err); // true: a Date is not plain data
 * }
 * ```
 */
export class BadFrameShape extends defineError(
  'PROTO_ERR_BAD_SHAPE',
  TypeError,
  (detail: string) => `bad frame shape: ${detail}`,
) {
  /** What to send in the DISCONNECT. */
  readonly reason: typeof REASON.MALFORMED_FRAME = REASON.MALFORMED_FRAME;

  /** True for any error with this code, whichever copy of the package created it. */
  static override is(value: unknown): value is BadFrameShape {
    return super.is(value);
  }
}

/**
 * A body array whose first element is an integer that is not a frame type of protocol v1 (or, in
 * `encodeFrame`, a frame whose `type` is not one). Reason: PROTOCOL_ERROR (0x82).
 *
 * @example
 * ```ts
 * try {
 *   decodeFrame(Uint8Array.of(0, 0, 0, 2, 0x91, 0x63)); // [99]
 * } catch (err) {
 *   UnknownFrameType.is(err); // true
 * }
 * ```
 */
export class UnknownFrameType extends defineError(
  'PROTO_ERR_UNKNOWN_TYPE',
  Error,
  (type: string) => `unknown frame type ${type}`,
) {
  /** What to send in the DISCONNECT. */
  readonly reason: typeof REASON.PROTOCOL_ERROR = REASON.PROTOCOL_ERROR;

  /** True for any error with this code, whichever copy of the package created it. */
  static override is(value: unknown): value is UnknownFrameType {
    return super.is(value);
  }
}

/**
 * Misuse of the codec's API, not bad input from the wire: a decoder option out of range, a number
 * given to `reasonName` that is not a reason code. Thrown synchronously; not a {@link ProtocolError}.
 *
 * @example
 * ```ts
 * try {
 *   createDecoder({ maxFrameBytes: 0 });
 * } catch (err) {
 *   InvalidProtocolOption.is(err); // true
 * }
 * ```
 */
export const InvalidProtocolOption = defineError(
  'PROTO_ERR_INVALID_OPTION',
  TypeError,
  (detail: string) => detail,
);

/**
 * Any error the codec raises for bytes or frames it refuses. `error.reason` is the reason code to
 * send in the DISCONNECT before closing the connection.
 *
 * @example
 * ```ts
 * const { error } = decoder.push(chunk);
 * if (error) send(encodeFrame({ type: 'disconnect', reason: error.reason, message: error.message }));
 * ```
 */
export type ProtocolError = FrameTooLarge | MalformedFrame | BadFrameShape | UnknownFrameType;

/**
 * True for any {@link ProtocolError}, whichever copy of the package created it (a brand check,
 * not `instanceof`).
 *
 * @example
 * ```ts
 * try {
 *   decodeFrame(bytes);
 * } catch (err) {
 *   if (!isProtocolError(err)) throw err;
 *   close(err.reason);
 * }
 * ```
 */
export function isProtocolError(value: unknown): value is ProtocolError {
  return (
    FrameTooLarge.is(value) ||
    MalformedFrame.is(value) ||
    BadFrameShape.is(value) ||
    UnknownFrameType.is(value)
  );
}
