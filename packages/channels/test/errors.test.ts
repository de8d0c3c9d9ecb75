/**
 * The channel error registry: every exported error class carries its code, is recognised by its
 * brand-based `is()` guard (not `instanceof`), passes `cause` through, and every `CH_ERR_*` code in
 * `src/errors.ts` is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NoProc, defineError } from '@switchboard/runtime';
import { codesInSource as codesIn, describeRegistry, entry } from '../../../test/support/error-registry.js';
import type { Entry } from '../../../test/support/error-registry.js';
import * as channels from '@switchboard/channels';
import {
  BadSession,
  ClientIdUnavailable,
  InvalidChannelOption,
  InvalidClientId,
  ManagerDown,
} from '@switchboard/channels';

const errorsSourceUrl = new URL('../src/errors.ts', import.meta.url);
const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

/** Every exported error class, with its base class. */
const registry: readonly Entry[] = [
  entry('ClientIdUnavailable', ClientIdUnavailable, ['c1', 'locked by another open'], Error),
  entry('InvalidClientId', InvalidClientId, ['must be a non-empty string'], TypeError),
  entry('InvalidChannelOption', InvalidChannelOption, ['batchSize must be a positive integer'], TypeError),
  entry('ManagerDown', ManagerDown, [], Error),
  entry('BadSession', BadSession, ['truncated'], TypeError),
];

/** The code each class must carry: written out, so that a renamed code fails here. */
const expectedCodes: Readonly<Record<string, string>> = {
  ClientIdUnavailable: 'CH_ERR_CLIENT_ID_UNAVAILABLE',
  InvalidClientId: 'CH_ERR_INVALID_CLIENT_ID',
  InvalidChannelOption: 'CH_ERR_INVALID_OPTION',
  ManagerDown: 'CH_ERR_MANAGER_DOWN',
  BadSession: 'CH_ERR_BAD_SESSION',
};

const codesInSource = () => codesIn(errorsSourceUrl, 'CH_ERR_');

describeRegistry({
  prefix: 'CH_ERR_',
  registry,
  expectedCodes,
  exports: channels,
  errorsSource: errorsSourceUrl,
  stranger: () => new NoProc('<local.1.0>'),
});

describe('channels errors', () => {
  it('recognises an error from another copy of the registry by its brand and code, not instanceof', () => {
    // A second install of the package defines its own class for the same code.
    const OtherUnavailable = defineError(
      'CH_ERR_CLIENT_ID_UNAVAILABLE',
      Error,
      (clientId: string) => `client id ${clientId} is unavailable`,
    );
    const foreign = new OtherUnavailable('c1');
    expect(foreign).not.toBeInstanceOf(ClientIdUnavailable);
    expect(ClientIdUnavailable.is(foreign)).toBe(true);
    expect(ManagerDown.is(foreign)).toBe(false);
  });

  it('puts the client id and the reason in the message of CH_ERR_CLIENT_ID_UNAVAILABLE', () => {
    expect(new ClientIdUnavailable('c1', 'locked by another open').message).toBe(
      'client id c1 is unavailable: locked by another open',
    );
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every CH_ERR_* code defined in src/errors.ts', () => {
    const codes = codesInSource();
    expect(codes.length).toBeGreaterThan(0);
    const undocumented = codes.filter((code) => !errorsDoc.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents them in the channel section', () => {
    const section = errorsDoc.slice(errorsDoc.indexOf('## Channel codes'));
    expect(section.length).toBeLessThan(errorsDoc.length);
    for (const code of codesInSource()) expect(section).toContain(`| \`${code}\``);
  });
});
