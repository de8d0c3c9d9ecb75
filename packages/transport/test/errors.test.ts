/**
 * The transport error registry: every exported error class carries its code, is recognised by its
 * brand-based `is()` guard (not `instanceof`), passes `cause` through, and every `TRANSPORT_ERR_*`
 * code in `src/errors.ts` is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createChannelManager } from '@switchboard/channels';
import { NoProc, createRuntime, defineError, isSwitchboardError } from '@switchboard/runtime';
import type { DefinedError, SwitchboardError } from '@switchboard/runtime';
import * as transport from '../src/index.js';
import { InvalidServerOption, ListenFailed, createServer } from '../src/index.js';

const errorsSource = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

/** One exported error class, with a factory that builds an instance from sample message arguments. */
interface Entry {
  readonly name: string;
  readonly code: string;
  readonly base: ErrorConstructor;
  readonly Class: { readonly code: string; is(value: unknown): boolean };
  readonly make: (options?: ErrorOptions) => SwitchboardError;
}

function entry<TCode extends string, TArgs extends unknown[]>(
  name: string,
  Class: DefinedError<TCode, TArgs>,
  args: TArgs,
  base: ErrorConstructor,
): Entry {
  // TypeScript cannot spread a generic `[...TArgs, options?]`; entry()'s signature has already checked
  // `args` against this class, so the constructor is called through a looser type.
  const Ctor = Class as unknown as new (...args: unknown[]) => SwitchboardError;
  return {
    name,
    code: Class.code,
    base,
    Class,
    make: (options) => (options ? new Ctor(...args, options) : new Ctor(...args)),
  };
}

/** Every exported error class, with its base class. */
const registry: readonly Entry[] = [
  entry('InvalidServerOption', InvalidServerOption, ['limits.maxConnections must be > 0'], TypeError),
  entry('ListenFailed', ListenFailed, ['tcp 127.0.0.1:7000: EADDRINUSE'], Error),
];

/** The code each class must carry: written out, so that a renamed code fails here. */
const expectedCodes: Readonly<Record<string, string>> = {
  InvalidServerOption: 'TRANSPORT_ERR_INVALID_OPTION',
  ListenFailed: 'TRANSPORT_ERR_LISTEN',
};

/** The codes defined in `src/errors.ts`, read from its source text. */
function codesInSource(): string[] {
  return [...new Set([...errorsSource.matchAll(/'(TRANSPORT_ERR_[A-Z_]+)'/g)].map((m) => m[1] as string))];
}

describe('error registry', () => {
  it('lists every error class the package exports', () => {
    const exported = Object.entries(transport)
      .filter(
        ([, value]) => typeof value === 'function' && typeof (value as { code?: unknown }).code === 'string',
      )
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual(registry.map((e) => e.name).sort());
  });

  it('covers every code defined in src/errors.ts', () => {
    expect(registry.map((e) => e.code).sort()).toEqual(codesInSource().sort());
  });

  for (const { name, Class, code, base, make } of registry) {
    describe(name, () => {
      it(`carries ${expectedCodes[name] ?? '?'} on the class and on each instance`, () => {
        const err = make();
        expect(code).toBe(expectedCodes[name]);
        expect(Class.code).toBe(code);
        expect(err.code).toBe(code);
        expect(err.name).toBe(`${base.name} [${code}]`);
        expect(err.message.length).toBeGreaterThan(0);
        expect(err).toBeInstanceOf(base);
        expect(err).toBeInstanceOf(Error);
      });

      it('is recognised by its own is() and by isSwitchboardError', () => {
        const err = make();
        expect(Class.is(err)).toBe(true);
        expect(isSwitchboardError(err)).toBe(true);
      });

      it('is() rejects other registry errors, plain errors and non-errors', () => {
        const other = registry.find((e) => e.code !== code) as Entry;
        expect(Class.is(other.make())).toBe(false);
        expect(Class.is(new NoProc('<local.1.0>'))).toBe(false);
        expect(Class.is(new Error(code))).toBe(false);
        expect(Class.is(Object.assign(new Error('look-alike'), { code }))).toBe(false);
        expect(Class.is(undefined)).toBe(false);
        expect(Class.is(code)).toBe(false);
      });

      it('passes a cause through the options argument', () => {
        const cause = new Error('underlying failure');
        expect(make({ cause }).cause).toBe(cause);
        expect(make().cause).toBeUndefined();
      });
    });
  }

  it('recognises an error from another copy of the registry by its brand and code, not instanceof', () => {
    // A second install of the package defines its own class for the same code.
    const OtherListenFailed = defineError(
      'TRANSPORT_ERR_LISTEN',
      Error,
      (what: string) => `cannot listen: ${what}`,
    );
    const foreign = new OtherListenFailed('tcp 127.0.0.1:1');
    expect(foreign).not.toBeInstanceOf(ListenFailed);
    expect(ListenFailed.is(foreign)).toBe(true);
    expect(InvalidServerOption.is(foreign)).toBe(false);
  });

  it('puts what could not listen in the message of TRANSPORT_ERR_LISTEN', () => {
    expect(new ListenFailed('tcp 127.0.0.1:7000: EADDRINUSE').message).toBe(
      'cannot listen: tcp 127.0.0.1:7000: EADDRINUSE',
    );
  });
});

describe('where the codes come from', () => {
  it('TRANSPORT_ERR_INVALID_OPTION: createServer throws it at once, before listening', () => {
    const rt = createRuntime();
    const channels = createChannelManager(rt, { name: 'errors-test-cm-1' });
    let thrown: unknown;
    try {
      createServer({
        runtime: rt,
        channels,
        tcp: { port: 0 },
        outbound: { policy: 'drop' as 'drop-oldest' },
      });
    } catch (err) {
      thrown = err;
    }
    expect(InvalidServerOption.is(thrown)).toBe(true);
  });

  it('TRANSPORT_ERR_LISTEN: ready rejects when the port is taken, with the cause, and close() still works', async () => {
    const rt = createRuntime();
    const channels = createChannelManager(rt, { name: 'errors-test-cm-2' });
    const first = createServer({ runtime: rt, channels, tcp: { host: '127.0.0.1', port: 0 } });
    const port = (await first.ready).tcp?.port ?? 0;
    const second = createServer({ runtime: rt, channels, tcp: { host: '127.0.0.1', port } });
    const err: unknown = await second.ready.catch((e: unknown) => e);
    expect(ListenFailed.is(err)).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('EADDRINUSE');
    await second.close();
    await first.close();
    await channels.close();
    await rt.shutdown();
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every TRANSPORT_ERR_* code defined in src/errors.ts', () => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(0);
    const undocumented = codes.filter((code) => !errorsDoc.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents them in the transport section', () => {
    const section = errorsDoc.slice(errorsDoc.indexOf('## Transport codes'));
    expect(section.length).toBeLessThan(errorsDoc.length);
    for (const code of codesInSource()) expect(section).toContain(`| \`${code}\``);
  });
});
