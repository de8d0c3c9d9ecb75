/**
 * The protocol error registry: every exported error class carries its code, is recognised by its
 * brand-based `is()` guard (not `instanceof`), passes `cause` through, the decoding errors carry
 * the reason code to send in the DISCONNECT, and every `PROTO_ERR_*` code in `src/errors.ts` is
 * documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NoProc, defineError, isSwitchboardError } from '@switchboard/runtime';
import type { SwitchboardError } from '@switchboard/runtime';
import * as protocol from '../src/index.js';
import {
  BadFrameShape,
  FrameTooLarge,
  InvalidProtocolOption,
  MalformedFrame,
  REASON,
  UnknownFrameType,
  isProtocolError,
} from '../src/index.js';

const errorsSource = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

/** One exported error class, with a factory that builds an instance from sample message arguments. */
interface Entry {
  readonly name: string;
  readonly code: string;
  readonly base: ErrorConstructor;
  readonly Class: { readonly code: string; is(value: unknown): boolean };
  readonly make: (options?: ErrorOptions) => SwitchboardError;
  /** The reason code the error carries; undefined for misuse errors. */
  readonly reason: number | undefined;
}

const registry: readonly Entry[] = [
  {
    name: 'FrameTooLarge',
    code: FrameTooLarge.code,
    base: RangeError,
    Class: FrameTooLarge,
    make: (options) => new FrameTooLarge(2048, 1024, options),
    reason: REASON.FRAME_TOO_LARGE,
  },
  {
    name: 'MalformedFrame',
    code: MalformedFrame.code,
    base: Error,
    Class: MalformedFrame,
    make: (options) => new MalformedFrame('truncated MessagePack', options),
    reason: REASON.MALFORMED_FRAME,
  },
  {
    name: 'BadFrameShape',
    code: BadFrameShape.code,
    base: TypeError,
    Class: BadFrameShape,
    make: (options) => new BadFrameShape('the body is not an array', options),
    reason: REASON.MALFORMED_FRAME,
  },
  {
    name: 'UnknownFrameType',
    code: UnknownFrameType.code,
    base: Error,
    Class: UnknownFrameType,
    make: (options) => new UnknownFrameType('99', options),
    reason: REASON.PROTOCOL_ERROR,
  },
  {
    name: 'InvalidProtocolOption',
    code: InvalidProtocolOption.code,
    base: TypeError,
    Class: InvalidProtocolOption,
    make: (options) => new InvalidProtocolOption('maxDepth must be an integer', options),
    reason: undefined,
  },
];

/** The code each class must carry: written out, so that a renamed code fails here. */
const expectedCodes: Readonly<Record<string, string>> = {
  FrameTooLarge: 'PROTO_ERR_FRAME_TOO_LARGE',
  MalformedFrame: 'PROTO_ERR_MALFORMED',
  BadFrameShape: 'PROTO_ERR_BAD_SHAPE',
  UnknownFrameType: 'PROTO_ERR_UNKNOWN_TYPE',
  InvalidProtocolOption: 'PROTO_ERR_INVALID_OPTION',
};

/** The codes defined in `src/errors.ts`, read from its source text. */
function codesInSource(): string[] {
  return [...new Set([...errorsSource.matchAll(/'(PROTO_ERR_[A-Z_]+)'/g)].map((m) => m[1] as string))];
}

describe('error registry', () => {
  it('lists every error class the package exports', () => {
    const exported = Object.entries(protocol)
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

  for (const { name, Class, code, base, make, reason } of registry) {
    describe(name, () => {
      it(`carries ${expectedCodes[name] ?? '?'} on the class and on each instance`, () => {
        const err = make();
        expect(code).toBe(expectedCodes[name]);
        expect(Class.code).toBe(code);
        expect(err.code).toBe(code);
        expect(err.name).toBe(`${base.name} [${code}]`);
        expect(err.message.length).toBeGreaterThan(0);
        expect(err).toBeInstanceOf(base);
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
        expect(Class.is(Object.assign(new Error('look-alike'), { code }))).toBe(false);
        expect(Class.is(undefined)).toBe(false);
        expect(Class.is(code)).toBe(false);
      });

      it('passes a cause through the options argument', () => {
        const cause = new Error('underlying failure');
        expect(make({ cause }).cause).toBe(cause);
        expect(make().cause).toBeUndefined();
      });

      it(
        reason === undefined
          ? 'is not a ProtocolError and carries no reason'
          : `is a ProtocolError carrying reason 0x${reason.toString(16)}`,
        () => {
          const err = make();
          expect(isProtocolError(err)).toBe(reason !== undefined);
          expect((err as { reason?: unknown }).reason).toBe(reason);
        },
      );
    });
  }

  it('recognises an error from another copy of the registry by its brand and code, not instanceof', () => {
    const OtherMalformed = defineError('PROTO_ERR_MALFORMED', Error, (detail: string) => detail);
    const foreign = new OtherMalformed('bad');
    expect(foreign).not.toBeInstanceOf(MalformedFrame);
    expect(MalformedFrame.is(foreign)).toBe(true);
    expect(isProtocolError(foreign)).toBe(true);
    expect(BadFrameShape.is(foreign)).toBe(false);
  });

  it('puts the announced length and the limit in the message of PROTO_ERR_FRAME_TOO_LARGE', () => {
    expect(new FrameTooLarge(2048, 1024).message).toBe(
      'frame body of 2048 bytes is above maxFrameBytes (1024)',
    );
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every PROTO_ERR_* code defined in src/errors.ts', () => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(0);
    const undocumented = codes.filter((code) => !errorsDoc.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents them in the protocol section', () => {
    const start = errorsDoc.indexOf('## Protocol codes');
    expect(start).toBeGreaterThan(0);
    const next = errorsDoc.indexOf('\n## ', start + 1);
    const section = errorsDoc.slice(start, next < 0 ? undefined : next);
    for (const code of codesInSource()) expect(section).toContain(`| \`${code}\``);
  });
});
