/**
 * The client's error registry (`CLIENT_ERR_*`). Every code is documented in
 * `docs/reference/errors.md`.
 *
 * The client's errors carry, per instance, the reason code the server gave, so the client has
 * its own tiny factory rather than the runtime's `defineError`. It gives the same shape (a static
 * and an instance `code`, the ES2022 `cause`, a brand-based `is()`) and uses the same brand, so
 * `isSwitchboardError` from the runtime recognises these errors too.
 */
import type { ReasonCode } from '@switchboard/protocol';
import { reasonName } from '@switchboard/protocol';

/** The brand every Switchboard error carries (the runtime's `isSwitchboardError` checks it). */
const BRAND = Symbol.for('switchboard.error');

/** Every client error: an `Error` with a stable `code`, and the server's reason when there was one. */
export interface ClientError extends Error {
  readonly code: ClientErrorCode;
  /** The reason code the server gave (CONNACK, ACK or DISCONNECT), when the error comes from one. */
  readonly reason?: ReasonCode;
}

/** A class made by {@link defineClientError}. */
export interface ClientErrorClass<TCode extends ClientErrorCode, TArgs extends unknown[]> {
  new (...args: [...TArgs, options?: ClientErrorOptions]): ClientError & { readonly code: TCode };
  readonly code: TCode;
  /** True for any error carrying this code, whichever copy of the package created it. */
  is(value: unknown): value is ClientError & { readonly code: TCode };
}

/** The standard `ErrorOptions`, plus the server's reason code. */
export interface ClientErrorOptions extends ErrorOptions {
  readonly reason?: ReasonCode;
}

/** The codes of the client's errors. */
export type ClientErrorCode =
  | 'CLIENT_ERR_INVALID_OPTION'
  | 'CLIENT_ERR_CLOSED'
  | 'CLIENT_ERR_QUEUE_FULL'
  | 'CLIENT_ERR_REJECTED'
  | 'CLIENT_ERR_REFUSED'
  | 'CLIENT_ERR_CONNECT_TIMEOUT'
  | 'CLIENT_ERR_KEEPALIVE_TIMEOUT'
  | 'CLIENT_ERR_PROTOCOL'
  | 'CLIENT_ERR_TRANSPORT'
  | 'CLIENT_ERR_CONNECTION_LOST';

/** Names a reason code for messages: `NOT_AUTHORIZED (0x87)`. */
export function describeReason(reason: ReasonCode): string {
  return `${reasonName(reason)} (0x${reason.toString(16).padStart(2, '0')})`;
}

function defineClientError<TCode extends ClientErrorCode, TArgs extends unknown[]>(
  code: TCode,
  Base: ErrorConstructor,
  message: (...args: TArgs) => string,
): ClientErrorClass<TCode, TArgs> {
  const argCount = message.length;
  class Defined extends Base {
    static readonly code = code;
    readonly code = code;
    declare readonly reason?: ReasonCode;
    constructor(...args: unknown[]) {
      const options = (args.length > argCount ? args[argCount] : undefined) as ClientErrorOptions | undefined;
      super(message(...(args.slice(0, argCount) as TArgs)), options);
      this.name = `${Base.name} [${code}]`;
      if (options?.reason !== undefined) this.reason = options.reason;
      Object.defineProperty(this, BRAND, { value: code });
    }
    static is(value: unknown): boolean {
      return isClientError(value) && value.code === code;
    }
  }
  return Defined as unknown as ClientErrorClass<TCode, TArgs>;
}

/**
 * True for any error raised by the client (any `CLIENT_ERR_*` code).
 *
 * @example
 * ```ts
 * client.on('error', (err) => {
 *   if (isClientError(err)) console.warn(err.code, err.message);
 * });
 * ```
 */
export function isClientError(value: unknown): value is ClientError {
  return (
    typeof value === 'object' &&
    value !== null &&
    BRAND in value &&
    typeof (value as unknown as { code?: unknown }).code === 'string' &&
    (value as unknown as { code: string }).code.startsWith('CLIENT_ERR_')
  );
}

// --- The codes. Never reuse a code; add new ones at the end.

/** An option or argument is missing, out of range or of the wrong type (thrown). */
export const InvalidClientOption = defineClientError(
  'CLIENT_ERR_INVALID_OPTION',
  TypeError,
  (detail: string) => detail,
);
/** The client is closed for good: by `close()`, or it stopped reconnecting. */
export const ClientClosed = defineClientError(
  'CLIENT_ERR_CLOSED',
  Error,
  (why: string) => `the client is closed: ${why}`,
);
/** A request made while offline did not fit in the offline queue. */
export const OfflineQueueFull = defineClientError(
  'CLIENT_ERR_QUEUE_FULL',
  RangeError,
  (capacity: number) => `the offline queue is full (${capacity} requests)`,
);
/** The server answered a publish, join or leave with a failure reason. */
export const RequestRejected = defineClientError(
  'CLIENT_ERR_REJECTED',
  Error,
  (what: string, reason: ReasonCode) => `${what} rejected by the server: ${describeReason(reason)}`,
);
/** The server refused the connection: CONNACK with a failure reason. */
export const ConnectionRefused = defineClientError(
  'CLIENT_ERR_REFUSED',
  Error,
  (reason: ReasonCode) => `connection refused by the server: ${describeReason(reason)}`,
);
/** No CONNACK arrived within `connectTimeoutMs` of starting an attempt. */
export const ConnectTimeout = defineClientError(
  'CLIENT_ERR_CONNECT_TIMEOUT',
  Error,
  (ms: number) => `no CONNACK within ${ms} ms`,
);
/** The server sent nothing for twice its ping interval: the connection is presumed dead. */
export const KeepaliveTimeout = defineClientError(
  'CLIENT_ERR_KEEPALIVE_TIMEOUT',
  Error,
  (ms: number) => `no data from the server for ${ms} ms`,
);
/** The server's bytes broke the protocol (undecodable, or a frame out of place). */
export const ServerProtocolError = defineClientError(
  'CLIENT_ERR_PROTOCOL',
  Error,
  (detail: string) => `protocol error from the server: ${detail}`,
);
/** The socket failed: refused, reset, a failed WebSocket handshake, a DNS error. */
export const TransportError = defineClientError(
  'CLIENT_ERR_TRANSPORT',
  Error,
  (detail: string) => `transport error: ${detail}`,
);
/** A publish was sent but the connection ended before its ACK: it may or may not have arrived. */
export const ConnectionLost = defineClientError(
  'CLIENT_ERR_CONNECTION_LOST',
  Error,
  (id: string) => `the connection ended before the ACK of ${id}: delivery unknown`,
);
