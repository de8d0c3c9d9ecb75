/** The options of `connect`: defaults, and every bad value refused at once with its code. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from '@switchboard/protocol';
import {
  InvalidClientOption,
  connect,
  type ClientOptions,
  type ClientTimers,
} from '../../src/client/node.js';
import { resolveClientOptions } from '../../src/client/options.js';

describe('client options', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveClientOptions({ clientId: 'alice' });
    expect(resolved).toMatchObject({
      clientId: 'alice',
      cleanStart: true,
      sessionExpiryMs: null,
      credentials: undefined,
      reconnect: { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.5, maxAttempts: Infinity },
      connectTimeoutMs: 10_000,
      keepalive: true,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      maxQueuedWhileOffline: 1000,
      random: Math.random,
    });
  });

  it('keeps reconnect: false and partial reconnect options', () => {
    expect(resolveClientOptions({ clientId: 'a', reconnect: false }).reconnect).toBe(false);
    expect(
      resolveClientOptions({ clientId: 'a', reconnect: { maxAttempts: 3, jitter: 0 } }).reconnect,
    ).toEqual({
      initialDelayMs: 100,
      maxDelayMs: 10_000,
      factor: 2,
      jitter: 0,
      maxAttempts: 3,
    });
  });

  const bad: [string, Partial<ClientOptions> & Record<string, unknown>][] = [
    ['an empty clientId', { clientId: '' }],
    ['a clientId that is not a string', { clientId: 42 as unknown as string }],
    ['a clientId over 65,535 units', { clientId: 'x'.repeat(65_536) }],
    ['a cleanStart that is not a boolean', { cleanStart: 'yes' as unknown as boolean }],
    ['a negative sessionExpiryMs', { sessionExpiryMs: -1 }],
    ['a fractional sessionExpiryMs', { sessionExpiryMs: 1.5 }],
    ['a factor below 1', { reconnect: { factor: 0.5 } }],
    ['a jitter above 1', { reconnect: { jitter: 1.5 } }],
    ['a maxDelayMs below initialDelayMs', { reconnect: { initialDelayMs: 500, maxDelayMs: 100 } }],
    ['a maxDelayMs beyond what a timer can wait', { reconnect: { maxDelayMs: 2 ** 31 } }],
    ['a negative maxAttempts', { reconnect: { maxAttempts: -1 } }],
    ['reconnect: true', { reconnect: true as unknown as false }],
    ['a zero connectTimeoutMs', { connectTimeoutMs: 0 }],
    ['a fractional maxFrameBytes', { maxFrameBytes: 10.5 }],
    ['a NaN maxQueuedWhileOffline', { maxQueuedWhileOffline: Number.NaN }],
    ['a random that is not a function', { random: 0.5 as unknown as () => number }],
    ['timers without clearTimeout', { timers: { setTimeout: () => 0 } as unknown as ClientTimers }],
  ];
  it.each(bad)('refuses %s with CLIENT_ERR_INVALID_OPTION', (_, options) => {
    const attempt = (): unknown => resolveClientOptions({ clientId: 'alice', ...options });
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'CLIENT_ERR_INVALID_OPTION' }));
  });

  it.each(['http://127.0.0.1:1', 'tcp://127.0.0.1', 'tcp://127.0.0.1:70000', 'not a url', ''])(
    'connect refuses the URL %j before opening anything',
    (url) => {
      expect(() => connect(url, { clientId: 'alice' })).toThrow(
        expect.objectContaining({ code: 'CLIENT_ERR_INVALID_OPTION' }),
      );
    },
  );

  it('refuses bad publish, join and leave arguments at the call', async () => {
    const client = connect('tcp://127.0.0.1:1', { clientId: 'alice', reconnect: false });
    const invalid = (fn: () => unknown): void => {
      expect(fn).toThrow(expect.objectContaining({ code: 'CLIENT_ERR_INVALID_OPTION' }));
    };
    invalid(() => client.publish({} as unknown as { room: string }, 1));
    invalid(() => client.publish({ room: 'a', target: 'b' }, 1));
    invalid(() => client.publish({ room: '' }, 1));
    invalid(() => client.publish({ room: 'x'.repeat(1025) }, 1));
    invalid(() => client.publish({ room: 'a' }, 1, { id: 'x'.repeat(257) }));
    invalid(() => client.join());
    invalid(() => client.join(''));
    invalid(() => client.leave(...Array.from({ length: 1001 }, (_, i) => `r${i}`)));
    // A payload the protocol cannot carry fails at the call too, with the protocol's own error.
    expect(() => client.publish({ room: 'a' }, new Map())).toThrow();
    expect(InvalidClientOption.code).toBe('CLIENT_ERR_INVALID_OPTION');
    await client.close();
  });

  it('refuses an id already used by a request in flight', async () => {
    const client = connect('tcp://127.0.0.1:1', { clientId: 'alice', reconnect: false });
    const first = client.publish({ room: 'a' }, 1, { id: 'same' }).catch(() => undefined);
    expect(() => client.publish({ room: 'a' }, 2, { id: 'same' })).toThrow(/already in use/);
    await client.close();
    await first;
  });
});
