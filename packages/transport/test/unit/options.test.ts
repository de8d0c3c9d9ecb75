// Unit tests of the server's options: every default by name, `undefined` never overriding a default,
// and every range check throwing TRANSPORT_ERR_INVALID_OPTION (a TypeError) that names the option.
// `createServer` itself refuses a missing listener and bad nested options before it listens.
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from '@switchboard/protocol';
import { createRuntime } from '@switchboard/runtime';
import { createChannelManager } from '@switchboard/channels';
import {
  DEFAULT_KEEPALIVE,
  DEFAULT_LIMITS,
  DEFAULT_OUTBOUND,
  resolveKeepalive,
  resolveLimits,
  resolveOutbound,
} from '../../src/options.js';
import type { KeepaliveOptions, Limits, OutboundOptions, OutboundPolicy } from '../../src/options.js';
import { InvalidServerOption } from '../../src/errors.js';
import { createServer } from '../../src/server.js';

/** Runs `fn`, expecting TRANSPORT_ERR_INVALID_OPTION whose message names `option`. */
function expectInvalid(fn: () => unknown, option: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(InvalidServerOption.is(thrown), `expected TRANSPORT_ERR_INVALID_OPTION for ${option}`).toBe(true);
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).message).toContain(option);
}

describe('defaults', () => {
  it('limits', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxConnections: 100_000,
      maxConnRate: Infinity,
      connectTimeoutMs: 10_000,
      maxFrameBytes: 1_048_576,
      maxFramesWhileOpening: 100,
      authTimeoutMs: 5000,
    });
    expect(DEFAULT_LIMITS.maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({})).toEqual(DEFAULT_LIMITS);
  });

  it('outbound', () => {
    expect(DEFAULT_OUTBOUND).toEqual({
      maxQueueBytes: 1_048_576,
      maxQueueMessages: 1000,
      policy: 'disconnect',
      socketHighWaterBytes: 65_536,
    });
    expect(resolveOutbound()).toEqual(DEFAULT_OUTBOUND);
  });

  it('keepalive', () => {
    expect(DEFAULT_KEEPALIVE).toEqual({ pingIntervalMs: 30_000, idleTimeoutMs: 90_000 });
    expect(resolveKeepalive()).toEqual(DEFAULT_KEEPALIVE);
  });

  it('fills in only what was not given, and an undefined value keeps the default', () => {
    // A JavaScript caller, or a config object spread from optional settings, may pass undefined.
    const limits = { maxConnections: 10, connectTimeoutMs: undefined } as unknown as Limits;
    const outbound = { policy: 'drop-oldest', maxQueueBytes: undefined } as unknown as OutboundOptions;
    const keepalive = { idleTimeoutMs: 5000, pingIntervalMs: undefined } as unknown as KeepaliveOptions;
    expect(resolveLimits(limits)).toEqual({ ...DEFAULT_LIMITS, maxConnections: 10 });
    expect(resolveOutbound(outbound)).toEqual({ ...DEFAULT_OUTBOUND, policy: 'drop-oldest' });
    expect(resolveKeepalive(keepalive)).toEqual({ pingIntervalMs: 30_000, idleTimeoutMs: 5000 });
  });

  it('does not share or change the default objects', () => {
    const r = resolveLimits({ maxConnections: 1 });
    expect(r).not.toBe(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS.maxConnections).toBe(100_000);
  });
});

describe('accepted values', () => {
  it('maxConnRate may be Infinity or a fraction; timeouts may be fractions', () => {
    expect(resolveLimits({ maxConnRate: Infinity }).maxConnRate).toBe(Infinity);
    expect(resolveLimits({ maxConnRate: 0.5 }).maxConnRate).toBe(0.5);
    expect(resolveLimits({ connectTimeoutMs: 0.5 }).connectTimeoutMs).toBe(0.5);
  });

  it('pingIntervalMs 0 turns PINGs off', () => {
    expect(resolveKeepalive({ pingIntervalMs: 0 }).pingIntervalMs).toBe(0);
  });

  it.each<OutboundPolicy>(['disconnect', 'drop-oldest', 'drop-newest'])('policy %s', (policy) => {
    expect(resolveOutbound({ policy }).policy).toBe(policy);
  });

  it('the largest maxFrameBytes a 32-bit length header can announce', () => {
    expect(resolveLimits({ maxFrameBytes: 0xffff_ffff }).maxFrameBytes).toBe(0xffff_ffff);
  });
});

describe('range checks throw TRANSPORT_ERR_INVALID_OPTION', () => {
  const notPositiveIntegers = [0, -1, 1.5, NaN, Infinity, '10' as unknown as number];
  const notPositive = [0, -1, NaN, -Infinity, '10' as unknown as number];

  it.each(['maxConnections', 'maxFrameBytes', 'maxFramesWhileOpening'] as const)(
    'limits.%s must be a positive integer',
    (name) => {
      for (const value of notPositiveIntegers)
        expectInvalid(() => resolveLimits({ [name]: value }), `limits.${name}`);
    },
  );

  it.each(['maxConnRate', 'connectTimeoutMs', 'authTimeoutMs'] as const)('limits.%s must be > 0', (name) => {
    for (const value of notPositive) expectInvalid(() => resolveLimits({ [name]: value }), `limits.${name}`);
  });

  it('limits.maxFrameBytes must fit the 32-bit length header', () => {
    // A larger limit would pass here and make the protocol decoder throw on the first accepted socket.
    expectInvalid(() => resolveLimits({ maxFrameBytes: 2 ** 32 }), 'limits.maxFrameBytes');
  });

  it.each(['maxQueueBytes', 'maxQueueMessages', 'socketHighWaterBytes'] as const)(
    'outbound.%s must be a positive integer',
    (name) => {
      for (const value of notPositiveIntegers)
        expectInvalid(() => resolveOutbound({ [name]: value }), `outbound.${name}`);
    },
  );

  it('outbound.policy must be one of the three', () => {
    expectInvalid(() => resolveOutbound({ policy: 'drop-all' as OutboundPolicy }), 'outbound.policy');
  });

  it('keepalive.pingIntervalMs must be a finite number ≥ 0', () => {
    for (const value of [-1, NaN, Infinity, '5' as unknown as number])
      expectInvalid(() => resolveKeepalive({ pingIntervalMs: value }), 'keepalive.pingIntervalMs');
  });

  it('keepalive.idleTimeoutMs must be > 0', () => {
    for (const value of notPositive)
      expectInvalid(() => resolveKeepalive({ idleTimeoutMs: value }), 'keepalive.idleTimeoutMs');
  });
});

describe('createServer', () => {
  const rt = createRuntime();
  const channels = createChannelManager(rt, { name: 'options-test-cm' });
  afterAll(async () => {
    await channels.close();
    await rt.shutdown();
  });

  it('needs tcp, ws or both', () => {
    expectInvalid(() => createServer({ runtime: rt, channels }), 'tcp, ws');
  });

  it('checks limits, outbound and keepalive before it listens', () => {
    const tcp = { host: '127.0.0.1', port: 0 };
    expectInvalid(
      () => createServer({ runtime: rt, channels, tcp, limits: { maxConnections: 0 } }),
      'limits.maxConnections',
    );
    expectInvalid(
      () => createServer({ runtime: rt, channels, tcp, outbound: { maxQueueBytes: -1 } }),
      'outbound.maxQueueBytes',
    );
    expectInvalid(
      () => createServer({ runtime: rt, channels, tcp, keepalive: { idleTimeoutMs: 0 } }),
      'keepalive.idleTimeoutMs',
    );
  });
});
