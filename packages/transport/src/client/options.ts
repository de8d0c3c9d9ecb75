/**
 * The client's options: their types, their defaults, and the checks `connect` runs on them
 * before anything touches the network.
 */
import { DEFAULT_MAX_FRAME_BYTES } from '@switchboard/protocol';
import type { BackoffPolicy } from './backoff.js';
import { InvalidClientOption } from './errors.js';

/** The timer functions the client uses; the runtime's `Clock` fits, so does `globalThis`. */
export interface ClientTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How the client reconnects after a connection it did not close ends. Every field has a default. */
export interface ReconnectOptions {
  /** The delay before the first retry, in ms. Default 100. */
  readonly initialDelayMs?: number;
  /** The cap on the delay, in ms. Default 10,000. */
  readonly maxDelayMs?: number;
  /** Each retry waits `factor` times longer than the previous one, up to the cap. Default 2. */
  readonly factor?: number;
  /** The fraction of each delay drawn at random (0 = exact delays, 1 = full jitter). Default 0.5. */
  readonly jitter?: number;
  /** Consecutive failed attempts before the client gives up and closes. Default `Infinity`. */
  readonly maxAttempts?: number;
}

/** The options of `connect` and `createClient`. Only `clientId` is required. */
export interface ClientOptions {
  /** Who this client is; the server keeps its session under this id. Required. */
  readonly clientId: string;
  /**
   * Whether the first connection discards a session the server kept for this id. Default `true`.
   * Once a connection has been accepted, every automatic reconnect resumes (`cleanStart: false`).
   */
  readonly cleanStart?: boolean;
  /**
   * How long the server keeps the session after the connection ends, in ms; `0` ends it with the
   * connection. Default `null`: the client asks for nothing and the server applies its policy
   * (on the wire, `null` means "no expiry requested").
   */
  readonly sessionExpiryMs?: number | null;
  /** Sent in CONNECT for the server's `authenticate` hook (any msgpack-representable value). */
  readonly credentials?: unknown;
  /** `false` never reconnects; an object tunes the backoff. Default `{}` (reconnect, defaults). */
  readonly reconnect?: false | ReconnectOptions;
  /** An attempt with no CONNACK within this many ms is closed and retried. Default 10,000. */
  readonly connectTimeoutMs?: number;
  /**
   * When CONNACK announces a ping interval: the client PINGs after an interval in which it sent
   * nothing, and presumes dead a server that sent nothing for two whole intervals (checked once per
   * interval, so noticed within three): the link is closed and the client reconnects. Default `true`.
   */
  readonly keepalive?: boolean;
  /** The largest frame body accepted from the server, in bytes. Default `DEFAULT_MAX_FRAME_BYTES`. */
  readonly maxFrameBytes?: number;
  /** Requests kept while offline (sent after the next CONNACK); more are refused. Default 1,000. */
  readonly maxQueuedWhileOffline?: number;
  /** A source of numbers in [0, 1) for the jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** The timers for backoff, connect timeout and keepalive. Default the global ones. */
  readonly timers?: ClientTimers;
}

/** The options with every default applied. */
export interface ResolvedClientOptions {
  readonly clientId: string;
  readonly cleanStart: boolean;
  readonly sessionExpiryMs: number | null;
  readonly credentials: unknown;
  readonly reconnect: (BackoffPolicy & { readonly maxAttempts: number }) | false;
  readonly connectTimeoutMs: number;
  readonly keepalive: boolean;
  readonly maxFrameBytes: number;
  readonly maxQueuedWhileOffline: number;
  readonly random: () => number;
  readonly timers: ClientTimers;
}

/** The longest delay a timer can take (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The longest client id the protocol accepts, in UTF-16 units. */
const MAX_CLIENT_ID = 65_535;

const defaultTimers: ClientTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Applies the defaults and checks every option.
 *
 * @example
 * ```ts
 * const resolved = resolveClientOptions({ clientId: 'alice', reconnect: { maxAttempts: 5 } });
 * resolved.reconnect && resolved.reconnect.initialDelayMs; // 100
 * ```
 * @throws {TypeError} CLIENT_ERR_INVALID_OPTION when an option is missing, out of range or of the wrong type.
 */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const { clientId } = options;
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID) {
    fail(`clientId must be a non-empty string of at most ${MAX_CLIENT_ID} UTF-16 units`);
  }
  const cleanStart = options.cleanStart ?? true;
  if (typeof cleanStart !== 'boolean') fail('cleanStart must be a boolean');
  const sessionExpiryMs = options.sessionExpiryMs ?? null;
  if (sessionExpiryMs !== null && !(Number.isSafeInteger(sessionExpiryMs) && sessionExpiryMs >= 0)) {
    fail('sessionExpiryMs must be null or an integer >= 0');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') fail('random must be a function');
  const timers = options.timers ?? defaultTimers;
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    fail('timers must have setTimeout and clearTimeout functions');
  }
  const keepalive = options.keepalive ?? true;
  if (typeof keepalive !== 'boolean') fail('keepalive must be a boolean');
  return {
    clientId,
    cleanStart,
    sessionExpiryMs,
    credentials: options.credentials,
    reconnect: resolveReconnect(options.reconnect),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, MAX_TIMER_MS),
    keepalive,
    maxFrameBytes: positiveInteger('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    maxQueuedWhileOffline: count('maxQueuedWhileOffline', options.maxQueuedWhileOffline ?? 1000),
    random,
    timers,
  };
}

function resolveReconnect(
  reconnect: false | ReconnectOptions | undefined,
): ResolvedClientOptions['reconnect'] {
  if (reconnect === false) return false;
  if (reconnect !== undefined && (typeof reconnect !== 'object' || reconnect === null)) {
    fail('reconnect must be false or an object');
  }
  const r = reconnect ?? {};
  const initialDelayMs = nonNegative('reconnect.initialDelayMs', r.initialDelayMs ?? 100);
  const maxDelayMs = nonNegative('reconnect.maxDelayMs', r.maxDelayMs ?? 10_000);
  if (maxDelayMs < initialDelayMs) fail('reconnect.maxDelayMs must be >= reconnect.initialDelayMs');
  if (maxDelayMs > MAX_TIMER_MS) fail(`reconnect.maxDelayMs must be at most ${MAX_TIMER_MS}`);
  const factor = r.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    fail('reconnect.factor must be a finite number >= 1');
  }
  const jitter = r.jitter ?? 0.5;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) fail('reconnect.jitter must be in [0, 1]');
  return {
    initialDelayMs,
    maxDelayMs,
    factor,
    jitter,
    maxAttempts: count('reconnect.maxAttempts', r.maxAttempts ?? Infinity),
  };
}

function fail(detail: string): never {
  throw new InvalidClientOption(detail);
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(`${name} must be a finite number >= 0`);
  return value;
}

function positive(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !(value > 0 && value <= max))
    fail(`${name} must be a number in (0, ${max}]`);
  return value;
}

function positiveInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) fail(`${name} must be a positive integer`);
  return value as number;
}

/** An integer >= 0, or `Infinity` for "no limit". */
function count(name: string, value: unknown): number {
  if (value !== Infinity && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
    fail(`${name} must be an integer >= 0 or Infinity`);
  }
  return value as number;
}
