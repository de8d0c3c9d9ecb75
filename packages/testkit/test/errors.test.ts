/**
 * The race kit's error registry: every exported error class carries its code and brand, and every
 * `TK_ERR_*` code in `src/errors.ts` is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/runtime';
import * as kit from '../src/index.js';
import { InvalidKitOption, InvalidReplayLine, RaceFound, ReplayNotExact } from '../src/errors.js';

const errorsSource = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const codesInSource = (): string[] => [
  ...new Set([...errorsSource.matchAll(/'(TK_ERR_[A-Z_]+)'/g)].map((m) => m[1] as string)),
];

const samples = [
  { Class: InvalidReplayLine, make: () => new InvalidReplayLine('not JSON'), base: TypeError },
  { Class: InvalidKitOption, make: () => new InvalidKitOption('runs must be positive'), base: TypeError },
  { Class: ReplayNotExact, make: () => new ReplayNotExact('aa', 'bb'), base: Error },
  { Class: RaceFound, make: () => new RaceFound('race found'), base: Error },
];

describe('error registry', () => {
  it('exports every error class and covers every code in src/errors.ts', () => {
    const exported = Object.values(kit).filter(
      (v) => typeof v === 'function' && typeof (v as { code?: unknown }).code === 'string',
    );
    expect(exported.length).toBe(samples.length);
    expect(samples.map((s) => s.Class.code).sort()).toEqual(codesInSource().sort());
  });

  for (const { Class, make, base } of samples) {
    it(`${Class.code} carries its code, its base and its brand`, () => {
      const err = make();
      expect(err.code).toBe(Class.code);
      expect(err).toBeInstanceOf(base);
      expect(Class.is(err)).toBe(true);
      expect(isSwitchboardError(err)).toBe(true);
      expect(Class.is(new Error(Class.code))).toBe(false);
    });
  }

  it('documents every TK_ERR_* code in the race kit section of docs/reference/errors.md', () => {
    const section = errorsDoc.slice(errorsDoc.indexOf('## Race kit codes'));
    expect(section.length).toBeLessThan(errorsDoc.length);
    for (const code of codesInSource()) expect(section).toContain(`| \`${code}\``);
  });
});
