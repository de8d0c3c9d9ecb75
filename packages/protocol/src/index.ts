/**
 * @switchboard/protocol: the Switchboard wire protocol v1. Length-prefixed MessagePack frames,
 * reason codes, and a codec that treats every byte from the wire as hostile.
 */
export { FRAME_TYPE, PROTOCOL_VERSION } from './frames.js';
export type {
  AckFrame,
  ConnackFrame,
  ConnectFrame,
  DisconnectFrame,
  Frame,
  JoinFrame,
  LeaveFrame,
  MessageFrame,
  PingFrame,
  PongFrame,
} from './frames.js';
export { REASON } from './reason.js';
export type { ReasonCode, ReasonName } from './reason.js';
export { isReasonCode, reasonName } from './reason-name.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './limits.js';
export type { DecoderOptions } from './limits.js';
export { encodeFrame } from './encode-frame.js';
export { decodeFrame } from './decode-frame.js';
export { createDecoder } from './create-decoder.js';
export type { DecodeResult, FrameDecoder } from './create-decoder.js';
export {
  BadFrameShape,
  FrameTooLarge,
  InvalidProtocolOption,
  MalformedFrame,
  UnknownFrameType,
  isProtocolError,
} from './errors.js';
export type { ProtocolError } from './errors.js';
