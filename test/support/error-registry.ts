/**
 * The conformance tests every package's error registry shares: each exported error class carries
 * its code, is recognised by its brand-based `is()` (not `instanceof`) and by `isSwitchboardError`,
 * rejects look-alikes, and passes `cause` through; the registry lists every class the package
 * exports and every code its `src/errors.ts` defines. Each package's `errors.test.ts` builds its
 * registry with {@link entry} and adds what is particular to it (messages, docs sections).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/runtime/errors';
import type { DefinedError, SwitchboardError } from '@switchboard/runtime/errors';

/** One exported error class, with a factory that builds an instance from sample message arguments. */
export interface Entry {
  readonly name: string;
  readonly code: string;
  readonly base: ErrorConstructor;
  readonly Class: { readonly code: string; is(value: unknown): boolean };
  readonly make: (options?: ErrorOptions) => SwitchboardError;
}

/** An {@link Entry} for `Class`, built with `args` (checked against the class's message arguments). */
export function entry<TCode extends string, TArgs extends unknown[]>(
  name: string,
  Class: DefinedError<TCode, TArgs>,
  args: TArgs,
  base: ErrorConstructor,
): Entry {
  // TypeScript cannot spread a generic `[...TArgs, options?]`; the signature has already checked
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

/** What {@link describeRegistry} checks. */
export interface RegistrySpec {
  /** The code prefix, e.g. `'TRANSPORT_ERR_'`. */
  readonly prefix: string;
  readonly registry: readonly Entry[];
  /** The code each class must carry: written out, so that a renamed code fails. */
  readonly expectedCodes: Readonly<Record<string, string>>;
  /** The package's exports (`import * as pkg`). */
  readonly exports: Readonly<Record<string, unknown>>;
  /** URL of the package's `src/errors.ts`. */
  readonly errorsSource: URL;
  /** An error of another registry, which `is()` must reject. */
  readonly stranger: () => Error;
}

/** The codes with `prefix` defined in the source file at `url`, read from its text. */
export function codesInSource(url: URL, prefix: string): string[] {
  const pattern = new RegExp(`'(${prefix}[A-Z_]+)'`, 'g');
  return [...new Set([...readFileSync(url, 'utf8').matchAll(pattern)].map((m) => m[1] as string))];
}

/** Registers the shared registry tests under `describe('error registry')`. */
export function describeRegistry(spec: RegistrySpec): void {
  const { registry, expectedCodes } = spec;
  const codes = codesInSource(spec.errorsSource, spec.prefix);

  describe('error registry', () => {
    it('lists every error class the package exports', () => {
      const exported = Object.entries(spec.exports)
        .filter(
          ([, value]) =>
            typeof value === 'function' && typeof (value as { code?: unknown }).code === 'string',
        )
        .map(([name]) => name)
        .sort();
      expect(exported).toEqual(registry.map((e) => e.name).sort());
    });

    it('covers every code defined in src/errors.ts', () => {
      expect(registry.map((e) => e.code).sort()).toEqual([...codes].sort());
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
          const other = registry.find((e) => e.code !== code);
          if (other) expect(Class.is(other.make())).toBe(false);
          expect(Class.is(spec.stranger())).toBe(false);
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
  });
}
