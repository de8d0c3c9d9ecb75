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
import { codesInSource as codesIn, describeRegistry, entry } from '../../../test/support/error-registry.js';
import type { Entry } from '../../../test/support/error-registry.js';

const errorsSourceUrl = new URL('../src/errors.ts', import.meta.url);
const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

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

const codesInSource = () => codesIn(errorsSourceUrl, 'RT_ERR_');
/** An error of a registry other than the runtime's. */
const Foreign = defineError('TEST_ERR_FOREIGN', Error, () => 'from another registry');

describeRegistry({
  prefix: 'RT_ERR_',
  registry,
  expectedCodes,
  exports: runtime,
  errorsSource: errorsSourceUrl,
  stranger: () => new Foreign(),
});

describe('runtime errors', () => {
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
