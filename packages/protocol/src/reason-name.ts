/**
 * Lookups over the reason-code table: the guard for untrusted numbers and the name for logs.
 */
import { InvalidProtocolOption } from './errors.js';
import { REASON } from './reason.js';
import type { ReasonCode, ReasonName } from './reason.js';

// Built once: reasonName is called when logging every closed connection.
const NAMES: ReadonlyMap<number, ReasonName> = new Map(
  (Object.keys(REASON) as ReasonName[]).map((name) => [REASON[name], name]),
);

/**
 * True when `value` is one of the reason codes of protocol v1.
 *
 * @example
 * ```ts
 * isReasonCode(0x98); // true (KICKED)
 * isReasonCode(0x86); // false
 * ```
 */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'number' && NAMES.has(value);
}

/**
 * The name of a reason code, for logs and error messages.
 *
 * @example
 * ```ts
 * reasonName(REASON.SESSION_TAKEN_OVER); // 'SESSION_TAKEN_OVER'
 * reasonName(0x00); // 'SUCCESS'
 * ```
 * @throws {TypeError} PROTO_ERR_INVALID_OPTION when `code` is not a reason code of protocol v1
 * (only reachable from untyped code; check untrusted numbers with {@link isReasonCode}).
 */
export function reasonName(code: ReasonCode): ReasonName {
  const name = NAMES.get(code);
  if (name === undefined) throw new InvalidProtocolOption(`${String(code)} is not a reason code`);
  return name;
}
