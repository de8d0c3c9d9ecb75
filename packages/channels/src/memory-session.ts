/**
 * The in-memory session store: the default `SessionStore`. A session keeps the client's queued
 * messages (bounded, oldest dropped first, drops counted), its rooms (subscriptions carried across
 * a takeover) and its expiry. Sessions serialise to MessagePack for a later cross-node takeover;
 * decoding treats the bytes as hostile (another node, a corrupted store) and never lets them run
 * code: no extension, no record definition, bounded nesting, a checked shape.
 */
import { Packr, Unpackr } from 'msgpackr';
import { BadSession, InvalidChannelOption } from './errors.js';
import type { ChannelMessage, ClientInfo, ConnInfo, SessionStore } from './session.js';

/**
 * A session of the in-memory store. The store mutates it in place (it owns the object until
 * `resume` hands a copy to the next channel, so an old and a new channel never share one).
 *
 * @example
 * ```ts
 * const s: MemorySession = store.create({ clientId: 'c1' }, { transport: 'ws' }, now);
 * s.queue.length; // 0
 * ```
 */
export interface MemorySession {
  readonly clientId: string;
  /** Clock time of `create`. */
  readonly createdAt: number;
  /** 0: ends with its connection and is never handed over; `Infinity`: never expires. */
  expiryMs: number;
  /** Messages waiting for a connection, oldest first. */
  queue: ChannelMessage[];
  /** Rooms (topics) the client is subscribed to, in join order, each once. */
  rooms: string[];
  /** Messages dropped because the queue was full. */
  dropped: number;
}

/**
 * Options of {@link createMemorySessionStore}.
 *
 * @example
 * ```ts
 * const options: MemorySessionStoreOptions = { defaultExpiryMs: 2 * 3600_000, maxQueue: 1000 };
 * ```
 */
export interface MemorySessionStoreOptions {
  /** Expiry of a session whose `ClientInfo` has no `sessionExpiryMs`. Default `Infinity`. */
  readonly defaultExpiryMs?: number | undefined;
  /** Most queued messages per session; beyond it the oldest is dropped. Default 1000 (EMQX's `max_mqueue_len`). */
  readonly maxQueue?: number | undefined;
}

/**
 * The in-memory store: a `SessionStore` plus room membership.
 *
 * @example
 * ```ts
 * const store: MemorySessionStore = createMemorySessionStore();
 * store.join(session, 'lobby'); // carried across a takeover with the session
 * ```
 */
export interface MemorySessionStore extends SessionStore<MemorySession> {
  /** Adds `room` to the session's rooms (no-op if present). */
  join(session: MemorySession, room: string): MemorySession;
  /** Removes `room` from the session's rooms (no-op if absent). */
  leave(session: MemorySession, room: string): MemorySession;
}

/** The version tag of the serialised form; a decoder refuses any other. */
const FORMAT_VERSION = 1;
/** Deepest nesting accepted in either direction: the envelope uses 3 levels, a payload the rest. */
const MAX_DEPTH = 64;
/**
 * The empty queue and room list every idle session shares (≈ 64 B per session less); frozen, and
 * replaced by a fresh array on the first push, so one session's writes never reach another.
 */
const NONE = Object.freeze([]) as unknown as never[];

const SESSION_KEYS = new Set(['v', 'clientId', 'createdAt', 'expiryMs', 'dropped', 'rooms', 'queue']);
const MESSAGE_KEYS = new Set(['id', 'payload', 'room', 'from']);

// Neither side registers an extension or uses records. msgpackr's built-in extensions (Error,
// RegExp, Set, typed arrays, …) are global and cannot be unregistered, which is why `deserialise`
// scans the bytes first and refuses every extension before msgpackr sees them.
// `variableMapSize`: msgpackr's default writes every object with a 16-bit map header and throws a
// plain Error for 65,536 keys or more; sized headers encode any object (and small ones shorter).
const packr = new Packr({ useRecords: false, structuredClone: false, variableMapSize: true });
const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  mapsAsObjects: true,
  copyBuffers: true,
});

/**
 * Creates the in-memory session store.
 *
 * @example
 * ```ts
 * const store = createMemorySessionStore({ maxQueue: 100 });
 * let s = store.create({ clientId: 'c1', sessionExpiryMs: 60_000 }, { transport: 'ws' }, 0);
 * s = store.enqueue(s, { id: 'm1', payload: 'hi' });
 * store.deserialise(store.serialise(s)); // an equal session
 * ```
 * @throws CH_ERR_INVALID_OPTION when `defaultExpiryMs` is negative or NaN, or `maxQueue` is not a
 * non-negative integer (or `Infinity`). The store's `create` and `resume` throw it too for a
 * negative or NaN `sessionExpiryMs`; `serialise` throws CH_ERR_BAD_SESSION for a payload outside
 * MessagePack data, and `deserialise` for any bytes it refuses.
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): MemorySessionStore {
  const defaultExpiryMs = checkExpiry(options.defaultExpiryMs ?? Infinity, 'defaultExpiryMs');
  const maxQueue = options.maxQueue ?? 1000;
  if (maxQueue !== Infinity && (!Number.isSafeInteger(maxQueue) || maxQueue < 0)) {
    throw new InvalidChannelOption(`maxQueue must be a non-negative integer or Infinity, got ${maxQueue}`);
  }

  return {
    create(clientInfo: ClientInfo, _connInfo: ConnInfo, now: number): MemorySession {
      return {
        clientId: clientInfo.clientId,
        createdAt: now,
        expiryMs: expiryOf(clientInfo, defaultExpiryMs),
        queue: NONE,
        rooms: NONE,
        dropped: 0,
      };
    },

    resume(session: MemorySession, clientInfo: ClientInfo, _connInfo: ConnInfo, _now: number): MemorySession {
      // The new connection's CONNECT decides the expiry (MQTT 5); without one the session keeps its own.
      return {
        clientId: session.clientId,
        createdAt: session.createdAt,
        expiryMs: expiryOf(clientInfo, session.expiryMs),
        queue: session.queue.length === 0 ? NONE : [...session.queue],
        rooms: session.rooms.length === 0 ? NONE : [...session.rooms],
        dropped: session.dropped,
      };
    },

    enqueue(session: MemorySession, message: ChannelMessage): MemorySession {
      if ((session.queue as unknown[]) === NONE) session.queue = [];
      session.queue.push(message);
      // EMQX's mqueue drops the oldest when full: a reconnecting client wants the newest state.
      while (session.queue.length > maxQueue) {
        session.queue.shift();
        session.dropped++;
      }
      return session;
    },

    drain(session: MemorySession) {
      const messages = session.queue;
      session.queue = NONE;
      return { session, messages };
    },

    expiryMs: (session: MemorySession): number => session.expiryMs,

    join(session: MemorySession, room: string): MemorySession {
      if (session.rooms.includes(room)) return session;
      if ((session.rooms as unknown[]) === NONE) session.rooms = [];
      session.rooms.push(room);
      return session;
    },

    leave(session: MemorySession, room: string): MemorySession {
      const i = session.rooms.indexOf(room);
      if (i >= 0) session.rooms.splice(i, 1);
      return session;
    },

    serialise: serialiseSession,
    deserialise: deserialiseSession,
  };
}

// --- Internals

function checkExpiry(value: number, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidChannelOption(`${what} must be a number >= 0 (or Infinity), got ${String(value)}`);
  }
  return value;
}

function expiryOf(clientInfo: ClientInfo, fallback: number): number {
  const value = clientInfo.sessionExpiryMs;
  return value === undefined ? fallback : checkExpiry(value, 'sessionExpiryMs');
}

/**
 * Encodes a session. Payloads must be MessagePack data: null, undefined, booleans, numbers (-0
 * becomes 0), int64/uint64-range bigints, well-formed strings, Uint8Arrays, arrays and plain
 * objects (no `__proto__` key), at most 61 containers deep; anything else (a Date, a Map, a class
 * instance, a cycle) throws rather than producing bytes that would not decode to an equal session.
 */
function serialiseSession(session: MemorySession): Uint8Array {
  const doc = {
    v: FORMAT_VERSION,
    clientId: session.clientId,
    createdAt: session.createdAt,
    expiryMs: session.expiryMs,
    dropped: session.dropped,
    rooms: [...session.rooms],
    // Rebuilt, so an explicit `room: undefined` does not become a key and no extra field leaks out.
    queue: session.queue.map((m) => ({
      id: m.id,
      payload: m.payload,
      ...(m.room === undefined ? {} : { room: m.room }),
      ...(m.from === undefined ? {} : { from: m.from }),
    })),
  };
  const problem = unencodable(doc, 0);
  if (problem !== undefined) throw new BadSession(`cannot serialise: ${problem}`);
  checkShape(doc); // the fields the type does not guarantee at runtime (counts, expiry)
  // A standalone copy: msgpackr returns a view into its shared 8 KiB slab.
  return new Uint8Array(packr.pack(doc));
}

function deserialiseSession(bytes: Uint8Array): MemorySession {
  if (!(bytes instanceof Uint8Array)) throw new BadSession('not a Uint8Array');
  // A plain view, so decoded binary payloads come back as Uint8Array rather than Buffer.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const problem = scan(view);
  if (problem !== undefined) throw new BadSession(problem);
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(view);
  } catch (err) {
    // The scan makes this unreachable in practice; kept so no other error type can escape.
    throw new BadSession('undecodable MessagePack', { cause: err });
  }
  return checkShape(decoded);
}

/** Validates the decoded envelope (payloads were already limited by the scan) and builds the session. */
function checkShape(value: unknown): MemorySession {
  if (!isPlainObject(value)) throw new BadSession('not a map');
  for (const key of Object.keys(value))
    if (!SESSION_KEYS.has(key)) throw new BadSession(`unknown field ${key}`);
  const { v, clientId, createdAt, expiryMs, dropped, rooms, queue } = value;
  if (v !== FORMAT_VERSION) throw new BadSession(`unsupported version ${String(v)}`);
  if (typeof clientId !== 'string') throw new BadSession('clientId is not a string');
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) throw new BadSession('bad createdAt');
  if (typeof expiryMs !== 'number' || Number.isNaN(expiryMs) || expiryMs < 0)
    throw new BadSession('bad expiryMs');
  if (typeof dropped !== 'number' || !Number.isSafeInteger(dropped) || dropped < 0) {
    throw new BadSession('bad dropped count');
  }
  if (!Array.isArray(rooms) || !rooms.every((r) => typeof r === 'string')) throw new BadSession('bad rooms');
  if (new Set(rooms).size !== rooms.length) throw new BadSession('duplicate room');
  if (!Array.isArray(queue)) throw new BadSession('queue is not an array');
  return {
    clientId,
    createdAt,
    expiryMs,
    dropped,
    rooms: rooms,
    queue: queue.map(checkMessage),
  };
}

function checkMessage(value: unknown): ChannelMessage {
  if (!isPlainObject(value)) throw new BadSession('queued message is not a map');
  for (const key of Object.keys(value))
    if (!MESSAGE_KEYS.has(key)) throw new BadSession(`unknown message field ${key}`);
  const { id, payload, room, from } = value;
  if (typeof id !== 'string') throw new BadSession('message id is not a string');
  if (room !== undefined && typeof room !== 'string') throw new BadSession('message room is not a string');
  if (from !== undefined && typeof from !== 'string') throw new BadSession('message from is not a string');
  return { id, payload, ...(room === undefined ? {} : { room }), ...(from === undefined ? {} : { from }) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const INT64_MIN = -(2n ** 63n);
/** In `u` mode a paired surrogate is one code point, so only a lone one matches (`isWellFormed` is ES2024). */
const LONE_SURROGATE = /\p{Cs}/u;
const UINT64_MAX = 2n ** 64n - 1n;

/** Why `value` would not survive a MessagePack round trip, or undefined if it would. */
function unencodable(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
    case 'number':
      return undefined;
    case 'string':
      return LONE_SURROGATE.test(value) ? 'a string with a lone surrogate' : undefined;
    case 'bigint':
      return value >= INT64_MIN && value <= UINT64_MAX ? undefined : 'a bigint outside the 64-bit range';
    case 'symbol':
    case 'function':
      return `a ${typeof value}`;
    case 'object':
      break;
  }
  if (value === null || value instanceof Uint8Array) return undefined;
  if (depth >= MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH} (or a cycle)`;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const problem = unencodable(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return `an instance of ${value.constructor?.name ?? 'a class'}`;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return 'a __proto__ key';
    if (LONE_SURROGATE.test(key)) return 'a key with a lone surrogate';
    const problem = unencodable(value[key], depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The UTF-8 bytes of `__proto__`, a key the decoder would rename: refused rather than altered. */
const PROTO_KEY = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];

/**
 * Walks MessagePack bytes without decoding them and returns why they are refused, or undefined.
 * Refuses: truncation, trailing bytes, the reserved byte 0xc1, every extension except msgpackr's
 * `undefined` (fixext 1 of type 0), non-string or `__proto__` map keys, and nesting beyond
 * MAX_DEPTH (msgpackr decodes recursively: deep input would overflow the stack). Iterative, so
 * the scan itself cannot overflow; it visits each byte once.
 */
function scan(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  // One frame per open container: items still to read, and whether it is a map (keys at odd counts).
  const remaining: number[] = [1];
  const isMap: boolean[] = [false];
  let pos = 0;

  const uint = (size: 1 | 2 | 4): number | undefined => {
    if (pos + size > end) return undefined;
    const value = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += size;
    return value;
  };

  while (remaining.length > 0) {
    const top = remaining.length - 1;
    const left = remaining[top] as number;
    if (left === 0) {
      remaining.pop();
      isMap.pop();
      continue;
    }
    remaining[top] = left - 1;
    const isKey = (isMap[top] as boolean) && (left - 1) % 2 === 1;
    if (pos >= end) return 'truncated';
    const token = view.getUint8(pos++);

    // Strings: the only kind allowed as a map key.
    let strLength: number | undefined;
    if (token >= 0xa0 && token <= 0xbf) strLength = token - 0xa0;
    else if (token === 0xd9) strLength = uint(1);
    else if (token === 0xda) strLength = uint(2);
    else if (token === 0xdb) strLength = uint(4);
    if (strLength !== undefined || token === 0xd9 || token === 0xda || token === 0xdb) {
      if (strLength === undefined || pos + strLength > end) return 'truncated';
      if (isKey && strLength === PROTO_KEY.length && PROTO_KEY.every((b, i) => bytes[pos + i] === b)) {
        return 'a __proto__ key';
      }
      pos += strLength;
      continue;
    }
    if (isKey) return 'a map key that is not a string';

    let items = -1; // set for containers
    let map = false;
    let skip = 0; // fixed-size scalars: bytes after the token
    if (token <= 0x7f || token >= 0xe0 || token === 0xc0 || token === 0xc2 || token === 0xc3) skip = 0;
    else if (token >= 0x80 && token <= 0x8f) [items, map] = [token - 0x80, true];
    else if (token >= 0x90 && token <= 0x9f) items = token - 0x90;
    else if (token === 0xdc || token === 0xdd) items = uint(token === 0xdc ? 2 : 4) ?? -2;
    else if (token === 0xde || token === 0xdf) [items, map] = [uint(token === 0xde ? 2 : 4) ?? -2, true];
    else if (token === 0xc4 || token === 0xc5 || token === 0xc6) {
      const length = uint(token === 0xc4 ? 1 : token === 0xc5 ? 2 : 4);
      if (length === undefined) return 'truncated';
      skip = length;
    } else if (token === 0xca || token === 0xce || token === 0xd2) skip = 4;
    else if (token === 0xcb || token === 0xcf || token === 0xd3) skip = 8;
    else if (token === 0xcc || token === 0xd0) skip = 1;
    else if (token === 0xcd || token === 0xd1) skip = 2;
    else if (token === 0xd4) {
      // msgpackr writes `undefined` as fixext 1, type 0, one filler byte; nothing else is allowed.
      if (pos + 2 > end) return 'truncated';
      if (view.getUint8(pos) !== 0) return `extension type ${view.getUint8(pos)}`;
      skip = 2;
    } else return `unsupported MessagePack type 0x${token.toString(16)}`; // 0xc1, ext 8/16/32, fixext 2..16

    if (items === -2) return 'truncated';
    if (items >= 0) {
      const count = map ? items * 2 : items;
      // Each item takes at least one byte: a count beyond the rest of the input is a lie.
      if (count > end - pos) return 'truncated';
      // remaining[0] is the root slot, not a container: up to MAX_DEPTH containers may be open.
      if (remaining.length > MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH}`;
      remaining.push(count);
      isMap.push(map);
      continue;
    }
    if (pos + skip > end) return 'truncated';
    pos += skip;
  }
  return pos === end ? undefined : 'trailing bytes after the session';
}
