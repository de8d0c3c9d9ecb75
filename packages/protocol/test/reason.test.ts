/**
 * The reason-code table: the codes the spec lists, their names, and the guard for untrusted numbers.
 */
import { describe, expect, it } from 'vitest';
import { InvalidProtocolOption, REASON, isReasonCode, reasonName } from '../src/index.js';
import type { ReasonCode } from '../src/index.js';

describe('REASON', () => {
  it('holds the codes of protocol v1, each once', () => {
    expect(REASON).toStrictEqual({
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
    });
    expect(new Set(Object.values(REASON)).size).toBe(Object.keys(REASON).length);
  });
});

describe('reasonName', () => {
  it('names every code', () => {
    for (const [name, code] of Object.entries(REASON)) expect(reasonName(code)).toBe(name);
  });

  it('refuses a number that is not a reason code with PROTO_ERR_INVALID_OPTION', () => {
    expect(() => reasonName(0x86 as ReasonCode)).toThrow(
      expect.objectContaining({ code: InvalidProtocolOption.code }),
    );
  });
});

describe('isReasonCode', () => {
  it('accepts every code and nothing else', () => {
    for (const code of Object.values(REASON)) expect(isReasonCode(code)).toBe(true);
    for (const value of [0x01, 0x86, 0xff, -0x81, 0.5, '0', null, undefined, NaN])
      expect(isReasonCode(value)).toBe(false);
  });
});
