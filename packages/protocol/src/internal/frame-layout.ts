/**
 * The body layout of every frame type, in both directions: `frameFromBody` checks a decoded body
 * array and builds the frame; `bodyFromFrame` checks a frame and builds the array to encode. One
 * set of field rules serves both, so whatever `encodeFrame` produces, `decodeFrame` accepts.
 */
import { BadFrameShape, UnknownFrameType } from '../errors.js';
import { FRAME_TYPE } from '../frames.js';
import type {
  AckFrame,
  ConnackFrame,
  ConnectFrame,
  DisconnectFrame,
  Frame,
  JoinFrame,
  LeaveFrame,
  MessageFrame,
} from '../frames.js';
import { isReasonCode } from '../reason-name.js';
import type { ReasonCode } from '../reason.js';
import { checkPlainData, isWellFormed } from './plain-data.js';

/** Field limits of protocol v1, in UTF-16 code units or items. */
const MAX_CLIENT_ID = 65_535;
const MAX_ID = 256;
const MAX_ROOMS = 1_000;
const MAX_ROOM = 1_024;
/** Timer hints must fit a 32-bit signed millisecond delay (setTimeout's limit). */
const MAX_DELAY_MS = 2 ** 31 - 1;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// --- Decoding

/**
 * Builds the frame a decoded body array describes. Optional fields that are null or omitted are
 * absent from the frame.
 *
 * @throws PROTO_ERR_BAD_SHAPE for anything but an array with the right fields; PROTO_ERR_UNKNOWN_TYPE
 * for an integer type that is not a v1 frame type.
 */
export function frameFromBody(body: unknown): Frame {
  if (!Array.isArray(body)) throw new BadFrameShape('the body is not an array');
  const fields = body as readonly unknown[];
  const type = fields[0];
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    throw new BadFrameShape(
      fields.length === 0 ? 'the body array is empty' : 'the frame type is not an integer',
    );
  }
  switch (type) {
    case FRAME_TYPE.CONNECT: {
      checkCount(fields, 4, 6, 'CONNECT');
      const frame: Mutable<ConnectFrame> = {
        type: 'connect',
        version: checkVersion(fields[1]),
        clientId: checkClientId(fields[2], 'clientId'),
        cleanStart: checkBoolean(fields[3], 'cleanStart'),
        sessionExpiryMs: optionalInteger(fields[4], Number.MAX_SAFE_INTEGER, 'sessionExpiryMs'),
      };
      // The scan let through nothing but plain data: no walk needed for the credentials.
      const credentials = fields[5];
      if (credentials !== undefined && credentials !== null) frame.credentials = credentials;
      return frame;
    }
    case FRAME_TYPE.CONNACK: {
      checkCount(fields, 3, 4, 'CONNACK');
      const frame: Mutable<ConnackFrame> = {
        type: 'connack',
        sessionPresent: checkBoolean(fields[1], 'sessionPresent'),
        reason: checkReason(fields[2]),
      };
      if (isPresent(fields[3]))
        frame.pingIntervalMs = checkInteger(fields[3], Number.MAX_SAFE_INTEGER, 'pingIntervalMs');
      return frame;
    }
    case FRAME_TYPE.MESSAGE: {
      checkCount(fields, 5, 6, 'MESSAGE');
      const frame: Mutable<MessageFrame> = { type: 'message', id: checkId(fields[1]), payload: fields[4] };
      if (isPresent(fields[2])) frame.room = checkRoom(fields[2], 'room');
      if (isPresent(fields[3])) frame.target = checkClientId(fields[3], 'target');
      if (isPresent(fields[5])) frame.from = checkClientId(fields[5], 'from');
      return frame;
    }
    case FRAME_TYPE.ACK:
      checkCount(fields, 3, 3, 'ACK');
      return { type: 'ack', id: checkId(fields[1]), reason: checkReason(fields[2]) } satisfies AckFrame;
    case FRAME_TYPE.JOIN:
      checkCount(fields, 3, 3, 'JOIN');
      return { type: 'join', id: checkId(fields[1]), rooms: checkRooms(fields[2]) } satisfies JoinFrame;
    case FRAME_TYPE.LEAVE:
      checkCount(fields, 3, 3, 'LEAVE');
      return { type: 'leave', id: checkId(fields[1]), rooms: checkRooms(fields[2]) } satisfies LeaveFrame;
    case FRAME_TYPE.PING:
      checkCount(fields, 1, 1, 'PING');
      return { type: 'ping' };
    case FRAME_TYPE.PONG:
      checkCount(fields, 1, 1, 'PONG');
      return { type: 'pong' };
    case FRAME_TYPE.DISCONNECT: {
      checkCount(fields, 2, 4, 'DISCONNECT');
      const frame: Mutable<DisconnectFrame> = { type: 'disconnect', reason: checkReason(fields[1]) };
      if (isPresent(fields[2]))
        frame.reconnectAfterMs = checkInteger(fields[2], MAX_DELAY_MS, 'reconnectAfterMs');
      if (isPresent(fields[3])) frame.message = checkString(fields[3], 'message');
      return frame;
    }
    default:
      throw new UnknownFrameType(String(type));
  }
}

// --- Encoding

/**
 * Builds the body array of `frame`, after checking every field against the same rules the decoder
 * applies and the payload against plain data. Trailing optional fields that are absent are
 * omitted, so a PING is `[7]` and a MESSAGE without `from` has five elements.
 *
 * @throws PROTO_ERR_BAD_SHAPE for a field the decoder would refuse or a payload msgpack cannot carry
 * unchanged; PROTO_ERR_UNKNOWN_TYPE for a `type` that is not a v1 frame.
 */
export function bodyFromFrame(frame: Frame, maxDepth: number): unknown[] {
  if (typeof frame !== 'object' || frame === null) throw new BadFrameShape('the frame is not an object');
  const body = checkedBody(frame, maxDepth);
  // Skip the payload of a MESSAGE and the credentials of a CONNECT: checkPlainData saw them.
  return checkWellFormed(body, frame.type === 'message' ? 4 : frame.type === 'connect' ? 5 : -1);
}

function checkedBody(frame: Frame, maxDepth: number): unknown[] {
  // Each case reads the fields it knows by name: extra properties of the object are never sent.
  switch (frame.type) {
    case 'connect': {
      const credentials = frame.credentials ?? null;
      checkPlainData(credentials, 'credentials', 1, maxDepth);
      return trimmed(
        [
          FRAME_TYPE.CONNECT,
          checkVersion(frame.version),
          checkClientId(frame.clientId, 'clientId'),
          checkBoolean(frame.cleanStart, 'cleanStart'),
          optionalInteger(frame.sessionExpiryMs, Number.MAX_SAFE_INTEGER, 'sessionExpiryMs'),
          credentials,
        ],
        4,
      );
    }
    case 'connack':
      return trimmed(
        [
          FRAME_TYPE.CONNACK,
          checkBoolean(frame.sessionPresent, 'sessionPresent'),
          checkReason(frame.reason),
          optionalInteger(frame.pingIntervalMs, Number.MAX_SAFE_INTEGER, 'pingIntervalMs'),
        ],
        3,
      );
    case 'message':
      checkPlainData(frame.payload, 'payload', 1, maxDepth);
      return trimmed(
        [
          FRAME_TYPE.MESSAGE,
          checkId(frame.id),
          isPresent(frame.room) ? checkRoom(frame.room, 'room') : null,
          isPresent(frame.target) ? checkClientId(frame.target, 'target') : null,
          frame.payload,
          isPresent(frame.from) ? checkClientId(frame.from, 'from') : null,
        ],
        5,
      );
    case 'ack':
      return [FRAME_TYPE.ACK, checkId(frame.id), checkReason(frame.reason)];
    case 'join':
      return [FRAME_TYPE.JOIN, checkId(frame.id), checkRooms(frame.rooms)];
    case 'leave':
      return [FRAME_TYPE.LEAVE, checkId(frame.id), checkRooms(frame.rooms)];
    case 'ping':
      return [FRAME_TYPE.PING];
    case 'pong':
      return [FRAME_TYPE.PONG];
    case 'disconnect':
      return trimmed(
        [
          FRAME_TYPE.DISCONNECT,
          checkReason(frame.reason),
          optionalInteger(frame.reconnectAfterMs, MAX_DELAY_MS, 'reconnectAfterMs'),
          isPresent(frame.message) ? checkString(frame.message, 'message') : null,
        ],
        2,
      );
    default: {
      const type: unknown = (frame as { type?: unknown }).type;
      throw new UnknownFrameType(typeof type === 'string' ? `'${type}'` : String(type));
    }
  }
}

/** Drops trailing nulls past the required fields: the wire form the decoder reads as absent. */
function trimmed(body: unknown[], required: number): unknown[] {
  let length = body.length;
  while (length > required && body[length - 1] === null) length--;
  body.length = length;
  return body;
}

// --- Field rules, shared by both directions

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function checkCount(fields: readonly unknown[], min: number, max: number, name: string): void {
  if (fields.length < min || fields.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new BadFrameShape(`a ${name} body has ${expected} elements, got ${fields.length}`);
  }
}

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new BadFrameShape(`${name} must be a boolean`);
  return value;
}

function checkInteger(value: unknown, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new BadFrameShape(`${name} must be an integer from 0 to ${max}`);
  }
  return value;
}

function optionalInteger(value: unknown, max: number, name: string): number | null {
  return isPresent(value) ? checkInteger(value, max, name) : null;
}

function checkVersion(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new BadFrameShape('version must be a positive integer');
  }
  return value;
}

function checkReason(value: unknown): ReasonCode {
  if (!isReasonCode(value)) throw new BadFrameShape(`reason ${String(value)} is not a reason code`);
  return value;
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new BadFrameShape(`${name} must be a string`);
  return value;
}

/**
 * Refuses lone surrogates in the frame's own string fields (the payload and credentials are checked
 * with the rest of plain data). Only the encoder needs this: msgpackr decodes invalid UTF-8 to
 * U+FFFD, so a decoded string is always well-formed, while a lone surrogate given to the encoder
 * would arrive altered.
 */
function checkWellFormed(body: unknown[], skip: number): unknown[] {
  for (let i = 1; i < body.length; i++) {
    if (i === skip) continue;
    const field = body[i];
    const strings = Array.isArray(field) ? (field as unknown[]) : [field];
    for (const value of strings) {
      if (typeof value === 'string' && !isWellFormed(value)) {
        throw new BadFrameShape(
          `a string field has a lone surrogate, which UTF-8 cannot carry: ${JSON.stringify(value)}`,
        );
      }
    }
  }
  return body;
}

function checkLength(value: unknown, min: number, max: number, name: string): string {
  const text = checkString(value, name);
  if (text.length < min || text.length > max) {
    throw new BadFrameShape(`${name} must have ${min} to ${max} UTF-16 units, got ${text.length}`);
  }
  return text;
}

function checkClientId(value: unknown, name: string): string {
  return checkLength(value, 1, MAX_CLIENT_ID, name);
}

function checkId(value: unknown): string {
  return checkLength(value, 0, MAX_ID, 'id');
}

function checkRoom(value: unknown, name: string): string {
  return checkLength(value, 1, MAX_ROOM, name);
}

function checkRooms(value: unknown): readonly string[] {
  if (!Array.isArray(value)) throw new BadFrameShape('rooms must be an array');
  const rooms = value as readonly unknown[];
  if (rooms.length > MAX_ROOMS) throw new BadFrameShape(`rooms has more than ${MAX_ROOMS} entries`);
  for (let i = 0; i < rooms.length; i++) checkRoom(rooms[i], `rooms[${i}]`);
  return rooms as readonly string[];
}
