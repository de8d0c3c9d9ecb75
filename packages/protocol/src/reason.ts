/**
 * Reason codes: the one-byte verdicts carried by CONNACK, ACK and DISCONNECT (and by every
 * `ProtocolError`, so a transport knows what to send before it closes). The numbers follow MQTT 5's
 * reason codes where the meaning is the same; below 0x80 is success, 0x80 and above is failure.
 * Codes are never reused: a retired code stays retired.
 */

/**
 * Every reason code of protocol v1, by name. An `as const` table of small integers, not an enum.
 *
 * | Name | Code | Meaning |
 * | --- | --- | --- |
 * | `SUCCESS` | 0x00 | Accepted; in a DISCONNECT, a normal disconnect |
 * | `NO_MATCHING_TARGET` | 0x10 | The message was accepted but there was no one to deliver it to |
 * | `UNSPECIFIED_ERROR` | 0x80 | A failure with no more specific code |
 * | `MALFORMED_FRAME` | 0x81 | A frame could not be decoded (bad MessagePack, wrong shape) |
 * | `PROTOCOL_ERROR` | 0x82 | A well-formed frame that breaks the protocol (unknown type, wrong order) |
 * | `HANDLER_ERROR` | 0x83 | The server's handler for the frame failed |
 * | `UNSUPPORTED_VERSION` | 0x84 | The CONNECT's version is not spoken by the server |
 * | `INVALID_CLIENT_ID` | 0x85 | The client id is refused |
 * | `NOT_AUTHORIZED` | 0x87 | The credentials do not allow this |
 * | `SERVER_BUSY` | 0x89 | Try again later |
 * | `SERVER_SHUTTING_DOWN` | 0x8B | The server is draining its connections |
 * | `IDLE_TIMEOUT` | 0x8D | Nothing arrived within the keepalive window |
 * | `SESSION_TAKEN_OVER` | 0x8E | Another connection opened the same client id |
 * | `CONNECT_TIMEOUT` | 0x90 | No CONNECT arrived in time after the socket opened |
 * | `FRAME_TOO_LARGE` | 0x95 | A frame's length header is above the receiver's limit |
 * | `SLOW_CONSUMER` | 0x97 | The connection's outbound queue overflowed |
 * | `KICKED` | 0x98 | An operator or the application ended the connection |
 * | `CONNECTION_RATE_EXCEEDED` | 0x9F | Too many connections too quickly |
 * | `DISCARDED` | 0xA0 | The session was discarded (a clean start elsewhere) |
 * | `DUPLICATE_CLIENT_ID` | 0xA1 | The client id is in use and the policy refuses a second connection |
 * | `NOT_CONNECTED` | 0xA2 | A frame that needs a session arrived before CONNACK or after the end |
 *
 * @example
 * ```ts
 * const ack: AckFrame = { type: 'ack', id: 'm1', reason: REASON.NO_MATCHING_TARGET };
 * ```
 */
export const REASON = {
  SUCCESS: 0x00,
  NO_MATCHING_TARGET: 0x10,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_FRAME: 0x81,
  PROTOCOL_ERROR: 0x82,
  HANDLER_ERROR: 0x83,
  UNSUPPORTED_VERSION: 0x84,
  INVALID_CLIENT_ID: 0x85,
  NOT_AUTHORIZED: 0x87,
  SERVER_BUSY: 0x89,
  SERVER_SHUTTING_DOWN: 0x8b,
  IDLE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  CONNECT_TIMEOUT: 0x90,
  FRAME_TOO_LARGE: 0x95,
  SLOW_CONSUMER: 0x97,
  KICKED: 0x98,
  CONNECTION_RATE_EXCEEDED: 0x9f,
  DISCARDED: 0xa0,
  DUPLICATE_CLIENT_ID: 0xa1,
  NOT_CONNECTED: 0xa2,
} as const;

/**
 * One reason code number (`0x00`, `0x81`, …).
 *
 * @example
 * ```ts
 * const reason: ReasonCode = REASON.KICKED; // 0x98
 * ```
 */
export type ReasonCode = (typeof REASON)[keyof typeof REASON];

/**
 * The name of a reason code (`'SUCCESS'`, `'MALFORMED_FRAME'`, …).
 *
 * @example
 * ```ts
 * const name: ReasonName = 'SERVER_BUSY';
 * REASON[name]; // 0x89
 * ```
 */
export type ReasonName = keyof typeof REASON;
