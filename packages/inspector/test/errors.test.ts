/**
 * The inspector error registry: every exported class carries its code, is recognised by its
 * brand, passes `cause` through, and every `INSPECTOR_ERR_*` code is documented in its section of
 * `docs/reference/errors.md`. Where each code comes from is tested beside the code that raises it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NoProc } from '@switchboard/runtime';
import { codesInSource as codesIn, describeRegistry, entry } from '../../../test/support/error-registry.js';
import type { Entry } from '../../../test/support/error-registry.js';
import * as inspector from '../src/index.js';
import {
  AppNotBuilt,
  BadFeedMessage,
  CommandFailed,
  CommandsDisabled,
  InspectorListenFailed,
  InvalidInspectorOption,
  NoChannelManager,
  attachInspector,
} from '../src/index.js';
import { loadApp } from '../src/static-app.js';
import { createRuntime } from '@switchboard/runtime';

const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

const registry: readonly Entry[] = [
  entry(
    'InvalidInspectorOption',
    InvalidInspectorOption,
    ['limits.maxFeeds must be a positive integer'],
    TypeError,
  ),
  entry('AppNotBuilt', AppNotBuilt, ['/x/dist/app/'], Error),
  entry('InspectorListenFailed', InspectorListenFailed, ['127.0.0.1:7002: EADDRINUSE'], Error),
  entry('BadFeedMessage', BadFeedMessage, ['not an object'], TypeError),
  entry('CommandsDisabled', CommandsDisabled, [], Error),
  entry('NoChannelManager', NoChannelManager, [], Error),
  entry('CommandFailed', CommandFailed, ['kick', 'c1', 'CH_ERR_X'], Error),
];

const expectedCodes: Readonly<Record<string, string>> = {
  InvalidInspectorOption: 'INSPECTOR_ERR_INVALID_OPTION',
  AppNotBuilt: 'INSPECTOR_ERR_APP_NOT_BUILT',
  InspectorListenFailed: 'INSPECTOR_ERR_LISTEN',
  BadFeedMessage: 'INSPECTOR_ERR_BAD_MESSAGE',
  CommandsDisabled: 'INSPECTOR_ERR_COMMANDS_DISABLED',
  NoChannelManager: 'INSPECTOR_ERR_NO_CHANNELS',
  CommandFailed: 'INSPECTOR_ERR_COMMAND_FAILED',
};

const errorsSource = new URL('../src/errors.ts', import.meta.url);

describeRegistry({
  prefix: 'INSPECTOR_ERR_',
  registry,
  expectedCodes,
  exports: inspector,
  errorsSource,
  stranger: () => new NoProc('<local.1.0>'),
});

describe('where the codes come from', () => {
  it('INSPECTOR_ERR_APP_NOT_BUILT: loading a directory without the bundle', () => {
    let thrown: unknown;
    try {
      loadApp('/nonexistent/app/');
    } catch (error) {
      thrown = error;
    }
    expect(AppNotBuilt.is(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/build:app/);
  });

  it('INSPECTOR_ERR_LISTEN: attachInspector rejects on a taken port, with the cause', async () => {
    const rt = createRuntime();
    const first = await attachInspector(rt);
    const err: unknown = await attachInspector(rt, { port: first.port }).catch((e: unknown) => e);
    expect(InspectorListenFailed.is(err)).toBe(true);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('EADDRINUSE');
    await first.close();
    await rt.shutdown();
  });
});

describe('docs/reference/errors.md', () => {
  it('documents every INSPECTOR_ERR_* code in the inspector section', () => {
    const codes = codesIn(errorsSource, 'INSPECTOR_ERR_');
    expect(codes.length).toBe(Object.keys(expectedCodes).length);
    const section = errorsDoc.slice(errorsDoc.indexOf('## Inspector codes'));
    expect(section.length).toBeLessThan(errorsDoc.length);
    for (const code of codes) expect(section).toContain(`| \`${code}\``);
  });
});
