/**
 * Shared plumbing of the benchmarks: result shapes, statistics, formatting, and running a
 * benchmark (or one measurement) in a fresh Node process so that heaps and JIT state of one
 * measurement never leak into another.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One table of a benchmark's results. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One goal of the issue, checked against a measured value. */
export interface Goal {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly pass: boolean;
}

/** What a benchmark reports. */
export interface BenchResult {
  readonly name: string;
  readonly tables: readonly Table[];
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
}

/** The flags every benchmark process runs with: TypeScript sources through tsx, and `global.gc`. */
export const NODE_FLAGS: readonly string[] = ['--conditions=source', '--expose-gc', '--import', 'tsx'];

/** The repository root (benchmarks run from there so `tsx` and the workspace resolve). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** True when `moduleUrl` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}

/** Forces full garbage collections until the heap stops shrinking. Needs `--expose-gc`. */
export function settleHeap(): number {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 1024) return used;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}

/** Lets pending immediates and timers of 0 ms run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** 1234567 → "1,234,567". */
export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A number with `digits` decimals and thousands separators. */
export function num(value: number, digits = 2): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(value: number): string {
  return `${num(value, 2)}×`;
}

export function mib(bytes: number): string {
  return `${num(bytes / 1024 / 1024, 1)} MiB`;
}

/**
 * Runs `script` (a path relative to the repository root) in a fresh Node process with the
 * benchmark flags plus `extraFlags`, passing `args`, and returns the JSON it writes to the file
 * named by its `--out=` argument. The child's stdout and stderr go to ours (progress lines).
 */
export async function runChild<T>(
  script: string,
  args: readonly string[],
  extraFlags: readonly string[] = [],
): Promise<T> {
  const out = join(
    tmpdir(),
    `switchboard-bench-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`,
  );
  const child = spawn(process.execPath, [...NODE_FLAGS, ...extraFlags, script, ...args, `--out=${out}`], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(signal ? -1 : c));
  });
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${String(code)}`);
  try {
    return JSON.parse(await readFile(out, 'utf8')) as T;
  } finally {
    await rm(out, { force: true });
  }
}

/** The value of `--name=value` on the command line. */
export function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Renders a table as GitHub markdown. */
export function markdownTable(table: Table): string {
  const lines = [`| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Renders a table as aligned plain text for the terminal. */
export function textTable(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    table.title,
    line(table.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.rows.map(line),
  ].join('\n');
}

export function goalsTable(goals: readonly Goal[]): Table {
  return {
    title: 'Goals',
    columns: ['goal', 'target', 'measured', 'pass'],
    rows: goals.map((g) => [g.name, g.goal, g.measured, g.pass ? 'pass' : '**FAIL**']),
  };
}

/** Prints a result to the terminal. */
export function printResult(result: BenchResult): void {
  console.log(`\n== ${result.name}`);
  for (const table of result.tables) console.log(`\n${textTable(table)}`);
  if (result.goals.length > 0) console.log(`\n${textTable(goalsTable(result.goals))}`);
  for (const note of result.notes) console.log(`note: ${note}`);
}
