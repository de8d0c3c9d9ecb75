/**
 * The transport error registry: every exported error class carries its code, is recognised by its
 * brand-based `is()` guard (not `instanceof`), passes `cause` through, and every `TRANSPORT_ERR_*`
 * code in `src/errors.ts` is documented in `docs/reference/errors.md`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createChannelManager } from '@switchboard/channels';
import { NoProc, createRuntime, defineError } from '@switchboard/runtime';
import { codesInSource as codesIn, describeRegistry, entry } from '../../../test/support/error-registry.js';
import type { Entry } from '../../../test/support/error-registry.js';
import * as transport from '../src/index.js';
import { InvalidServerOption, ListenFailed, createServer } from '../src/index.js';

const errorsDoc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');

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

const errorsSource = new URL('../src/errors.ts', import.meta.url);
const codesInSource = () => codesIn(errorsSource, 'TRANSPORT_ERR_');

describeRegistry({
  prefix: 'TRANSPORT_ERR_',
  registry,
  expectedCodes,
  exports: transport,
  errorsSource,
  stranger: () => new NoProc('<local.1.0>'),
});

describe('transport errors', () => {
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
