/**
 * The createServer reference page stays in step with the code: every limit, outbound and keepalive
 * option has a row with its default as the code has it, every counter of `stats()` is described, and
 * every exit reason `reasonForExit` maps is in the reason-code table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reasonName } from '@switchboard/protocol';
import { DEFAULT_KEEPALIVE, DEFAULT_LIMITS, DEFAULT_OUTBOUND } from '../src/options.js';
import { reasonForExit } from '../src/server.js';
import { newCounters } from '../src/stats.js';

const page = readFileSync(new URL('../../../docs/reference/create-server.md', import.meta.url), 'utf8');

/** How the page writes a default: `100_000`, `1000`, `Infinity`, `'disconnect'`. */
function written(value: unknown): string {
  if (typeof value === 'string') return `\`'${value}'\``;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 10_000)
    return `\`${String(value).replace(/\B(?=(\d{3})+$)/g, '_')}\``;
  return `\`${String(value)}\``;
}

/** The table row of an option: the line that starts with `| \`name\``. */
function row(name: string): string {
  const line = page.split('\n').find((l) => l.startsWith(`| \`${name}\``));
  expect(line, `a row for ${name}`).toBeDefined();
  return line ?? '';
}

describe('docs/reference/create-server.md', () => {
  it.each([
    ...Object.entries(DEFAULT_LIMITS),
    ...Object.entries(DEFAULT_OUTBOUND),
    ...Object.entries(DEFAULT_KEEPALIVE),
  ])('documents %s with its default %s', (name, value) => {
    expect(row(name)).toContain(written(value));
  });

  it('describes every counter of stats()', () => {
    const { refused, ...counters } = newCounters();
    for (const name of [...Object.keys(counters), ...Object.keys(refused)])
      expect(page, `counter ${name}`).toMatch(new RegExp(`\\b${name}: number`));
  });

  it('lists every reason a connection process exit is mapped to', () => {
    const exits = [
      { shutdown: 'kicked' },
      { shutdown: 'discarded' },
      { shutdown: 'takenover' },
      { shutdown: 'other' },
      { error: new Error('x') },
      'shutdown',
      'killed',
    ] as const;
    const table = page.slice(page.indexOf('## Reason codes the server sends'));
    for (const exit of exits) expect(table).toContain(`\`${reasonName(reasonForExit(exit))}\``);
    expect(table).toContain('`SLOW_CONSUMER`');
  });
});
