/**
 * docs/reference/trace-points.md lists exactly the trace points the sources record. (Reads the
 * sources as text, so the mutation run, whose sources are instrumented, leaves this file out.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/reference/trace-points.md', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * Every trace point name the sources use: the first argument of each `.tp('…'` call, plus every
 * `'cm.…'` literal (the stepdown points are written out in a table; no message type starts `cm.`).
 */
function pointsInSources(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\.tp\(\s*'([^']+)'/g)) names.add(m[1] as string);
    for (const m of text.matchAll(/'(cm\.[a-z.-]+)'/g)) names.add(m[1] as string);
  }
  return names;
}

/** The names in the first column of the doc's tables. */
function pointsInDoc(): Set<string> {
  const names = new Set<string>();
  for (const m of readFileSync(DOC, 'utf8').matchAll(/^\|\s*`((?:cm|locker|ch)\.[a-z.-]+)`\s*\|/gm))
    names.add(m[1] as string);
  return names;
}

describe('docs/reference/trace-points.md', () => {
  it('documents every trace point the sources record, and no other', () => {
    const used = pointsInSources();
    const documented = pointsInDoc();
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((n) => !documented.has(n)).sort()).toEqual([]);
    expect([...documented].filter((n) => !used.has(n)).sort()).toEqual([]);
  });
});
