/**
 * The error registry: every exported error class carries its code, is recognised by its brand-based
 * `is()` guard (not `instanceof`), passes `cause` through, and every `RT_ERR_*` code in `src/errors.ts`
 * is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as runtime from '@switchboard/runtime';
import {
  CallTimeout,
  CalleeExited,
  ChildExists,
  InvalidOption,
  MailboxFull,
  MailboxOverflow,
  NameTaken,
  NoProc,
  NondeterminismDetected,
  MaxChildren,
  PoolClosed,
  ReplayDiverged,
  RuntimeStopped,
  StepLimit,
  UnknownChild,
  defineError,
  isSwitchboardError,
} from '@switchboard/runtime';
import type { DefinedError, SwitchboardError } from '@switchboard/runtime';

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
  entry('NoProc', NoProc, ['<local.1.0>'], Error),
  entry('CallTimeout', CallTimeout, ['<local.1.0>', 5000], Error),
  entry('CalleeExited', CalleeExited, ['<local.1.0>', 'killed'], Error),
  entry('MailboxFull', MailboxFull, ['<local.1.0>', 10], RangeError),
  entry('MailboxOverflow', MailboxOverflow, ['<local.1.0>', 10], RangeError),
  entry('NameTaken', NameTaken, ['manager'], Error),
  entry('InvalidOption', InvalidOption, ['size must be a positive integer'], TypeError),
  entry('RuntimeStopped', RuntimeStopped, [], Error),
  entry('ReplayDiverged', ReplayDiverged, [3, 'deliver:ext>1@0', 'exit:1@0'], Error),
  entry('UnknownChild', UnknownChild, ['db'], Error),
  entry('ChildExists', ChildExists, ['db'], Error),
  entry('PoolClosed', PoolClosed, ['cleanup'], Error),
  entry('StepLimit', StepLimit, [1000], RangeError),
  entry('MaxChildren', MaxChildren, [10], RangeError),
  entry('NondeterminismDetected', NondeterminismDetected, ['setTimeout'], Error),
];

/** The code each class must carry: written out, so that a renamed code fails here. */
const expectedCodes: Readonly<Record<string, string>> = {
  NoProc: 'RT_ERR_NOPROC',
  CallTimeout: 'RT_ERR_CALL_TIMEOUT',
  CalleeExited: 'RT_ERR_CALLEE_EXITED',
  MailboxFull: 'RT_ERR_MAILBOX_FULL',
  MailboxOverflow: 'RT_ERR_MAILBOX_OVERFLOW',
  NameTaken: 'RT_ERR_NAME_TAKEN',
  InvalidOption: 'RT_ERR_INVALID_OPTION',
  RuntimeStopped: 'RT_ERR_RUNTIME_STOPPED',
  ReplayDiverged: 'RT_ERR_REPLAY_DIVERGED',
  UnknownChild: 'RT_ERR_UNKNOWN_CHILD',
  ChildExists: 'RT_ERR_CHILD_EXISTS',
  PoolClosed: 'RT_ERR_POOL_CLOSED',
  StepLimit: 'RT_ERR_STEP_LIMIT',
  MaxChildren: 'RT_ERR_MAX_CHILDREN',
  NondeterminismDetected: 'RT_ERR_NONDETERMINISM',
};

/** The codes defined in `src/errors.ts`, read from its source text. */
function codesInSource(): string[] {
  return [...new Set([...errorsSource.matchAll(/'(RT_ERR_[A-Z_]+)'/g)].map((m) => m[1] as string))];
}

describe('error registry', () => {
  it('lists every error class the package exports', () => {
    const exported = Object.entries(runtime)
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
    const OtherNoProc = defineError('RT_ERR_NOPROC', Error, (target: string) => `no process ${target}`);
    const foreign = new OtherNoProc('<local.1.0>');
    expect(foreign).not.toBeInstanceOf(NoProc);
    expect(NoProc.is(foreign)).toBe(true);
    expect(CallTimeout.is(foreign)).toBe(false);
  });

  it('isSwitchboardError is false for anything not created by a registry', () => {
    expect(isSwitchboardError(new TypeError('plain'))).toBe(false);
    expect(isSwitchboardError({ code: 'RT_ERR_NOPROC' })).toBe(false);
    expect(isSwitchboardError(null)).toBe(false);
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every RT_ERR_* code defined in src/errors.ts', () => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(0);
    const undocumented = codes.filter((code) => !errorsDoc.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });
});
