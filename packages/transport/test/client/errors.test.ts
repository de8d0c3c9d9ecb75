/**
 * The client's error registry: every class carries its code, is recognised by its brand-based
 * `is()` (and by the runtime's `isSwitchboardError`), passes `cause` and `reason` through, and
 * every `CLIENT_ERR_*` code in `src/client/errors.ts` is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/runtime';
import * as client from '../../src/client/node.js';
import * as browser from '../../src/client/browser.js';
import {
  ClientClosed,
  ConnectTimeout,
  ConnectionLost,
  ConnectionRefused,
  InvalidClientOption,
  KeepaliveTimeout,
  OfflineQueueFull,
  REASON,
  RequestRejected,
  ServerProtocolError,
  TransportError,
  isClientError,
  type ClientError,
} from '../../src/client/node.js';

const errorsSource = readFileSync(new URL('../../src/client/errors.ts', import.meta.url), 'utf8');
const errorsDoc = readFileSync(new URL('../../../../docs/reference/errors.md', import.meta.url), 'utf8');

interface Entry {
  readonly name: string;
  readonly Class: { readonly code: string; is(value: unknown): boolean };
  readonly base: ErrorConstructor;
  readonly make: (options?: { cause?: unknown; reason?: client.ReasonCode }) => ClientError;
}

/** Every exported error class, with its base class and sample arguments. */
const registry: readonly Entry[] = [
  {
    name: 'InvalidClientOption',
    Class: InvalidClientOption,
    base: TypeError,
    make: (o) => new InvalidClientOption('bad', o),
  },
  {
    name: 'ClientClosed',
    Class: ClientClosed,
    base: Error,
    make: (o) => new ClientClosed('closed by close()', o),
  },
  {
    name: 'OfflineQueueFull',
    Class: OfflineQueueFull,
    base: RangeError,
    make: (o) => new OfflineQueueFull(10, o),
  },
  {
    name: 'RequestRejected',
    Class: RequestRejected,
    base: Error,
    make: (o) => new RequestRejected('join a', REASON.NOT_AUTHORIZED, o),
  },
  {
    name: 'ConnectionRefused',
    Class: ConnectionRefused,
    base: Error,
    make: (o) => new ConnectionRefused(REASON.SERVER_BUSY, o),
  },
  { name: 'ConnectTimeout', Class: ConnectTimeout, base: Error, make: (o) => new ConnectTimeout(100, o) },
  {
    name: 'KeepaliveTimeout',
    Class: KeepaliveTimeout,
    base: Error,
    make: (o) => new KeepaliveTimeout(100, o),
  },
  {
    name: 'ServerProtocolError',
    Class: ServerProtocolError,
    base: Error,
    make: (o) => new ServerProtocolError('bad bytes', o),
  },
  {
    name: 'TransportError',
    Class: TransportError,
    base: Error,
    make: (o) => new TransportError('ECONNRESET', o),
  },
  {
    name: 'ConnectionLost',
    Class: ConnectionLost,
    base: Error,
    make: (o) => new ConnectionLost('alice-1', o),
  },
];

/** The code each class must carry: written out, so that a renamed code fails here. */
const expectedCodes: Readonly<Record<string, string>> = {
  InvalidClientOption: 'CLIENT_ERR_INVALID_OPTION',
  ClientClosed: 'CLIENT_ERR_CLOSED',
  OfflineQueueFull: 'CLIENT_ERR_QUEUE_FULL',
  RequestRejected: 'CLIENT_ERR_REJECTED',
  ConnectionRefused: 'CLIENT_ERR_REFUSED',
  ConnectTimeout: 'CLIENT_ERR_CONNECT_TIMEOUT',
  KeepaliveTimeout: 'CLIENT_ERR_KEEPALIVE_TIMEOUT',
  ServerProtocolError: 'CLIENT_ERR_PROTOCOL',
  TransportError: 'CLIENT_ERR_TRANSPORT',
  ConnectionLost: 'CLIENT_ERR_CONNECTION_LOST',
};

/** The codes defined in `src/client/errors.ts`, read from its source text. */
function codesInSource(): string[] {
  return [
    ...new Set([...errorsSource.matchAll(/^\s+'(CLIENT_ERR_[A-Z_]+)',$/gm)].map((m) => m[1] as string)),
  ];
}

function exportedErrorClasses(entry: object): string[] {
  return Object.entries(entry)
    .filter(
      ([, value]) => typeof value === 'function' && typeof (value as { code?: unknown }).code === 'string',
    )
    .map(([name]) => name)
    .sort();
}

describe('client error registry', () => {
  it('lists every error class both entry points export', () => {
    expect(exportedErrorClasses(client)).toEqual(registry.map((e) => e.name).sort());
    expect(exportedErrorClasses(browser)).toEqual(registry.map((e) => e.name).sort());
  });

  it('covers every code defined in src/client/errors.ts', () => {
    expect(registry.map((e) => e.Class.code).sort()).toEqual(codesInSource().sort());
  });

  for (const { name, Class, base, make } of registry) {
    describe(name, () => {
      it(`carries ${expectedCodes[name] ?? '?'} on the class and on each instance`, () => {
        const err = make();
        expect(Class.code).toBe(expectedCodes[name]);
        expect(err.code).toBe(Class.code);
        expect(err.name).toBe(`${base.name} [${Class.code}]`);
        expect(err.message.length).toBeGreaterThan(0);
        expect(err).toBeInstanceOf(base);
      });

      it('is recognised by its own is(), isClientError and isSwitchboardError', () => {
        const err = make();
        expect(Class.is(err)).toBe(true);
        expect(isClientError(err)).toBe(true);
        expect(isSwitchboardError(err)).toBe(true);
      });

      it('is() rejects other client errors, look-alikes and non-errors', () => {
        const other = registry.find((e) => e.Class.code !== Class.code) as Entry;
        expect(Class.is(other.make())).toBe(false);
        expect(Class.is(Object.assign(new Error('look-alike'), { code: Class.code }))).toBe(false);
        expect(Class.is(undefined)).toBe(false);
        expect(isClientError(new Error('plain'))).toBe(false);
      });

      it('passes cause and reason through the options argument', () => {
        const cause = new Error('underlying');
        const err = make({ cause, reason: REASON.KICKED });
        expect(err.cause).toBe(cause);
        expect(err.reason).toBe(REASON.KICKED);
        expect(make().cause).toBeUndefined();
        expect('reason' in make()).toBe(false);
      });
    });
  }

  it('names the reason in the message', () => {
    expect(new RequestRejected('join vip', REASON.NOT_AUTHORIZED).message).toBe(
      'join vip rejected by the server: NOT_AUTHORIZED (0x87)',
    );
    expect(new ConnectionRefused(REASON.SERVER_BUSY).message).toBe(
      'connection refused by the server: SERVER_BUSY (0x89)',
    );
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every CLIENT_ERR_* code in the client section', () => {
    const codes = codesInSource();
    expect(codes.length).toBe(registry.length);
    const section = errorsDoc.slice(errorsDoc.indexOf('## Client codes'));
    expect(section.length).toBeLessThan(errorsDoc.length);
    for (const code of codes) expect(section).toContain(`| \`${code}\``);
  });
});
