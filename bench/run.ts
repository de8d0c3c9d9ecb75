/**
 * `npm run bench` — runs every benchmark (each in its own Node process), prints the tables and
 * rewrites their blocks of docs/benchmarks.md. `npm run bench -- runtime-memory` runs only the
 * named ones and replaces only their blocks in the document.
 *
 * The document is edited between markers, so other sections stay:
 *   <!-- bench:machine:start --> … <!-- bench:machine:end -->      the machine and date
 *   <!-- bench:runtime:start --> … <!-- bench:runtime:end -->      the "## Runtime" section
 *   <!-- bench:runtime-memory:start --> … (one block per runtime benchmark, inside that section)
 *   <!-- bench:channels:start --> … <!-- bench:channels:end -->    the "## Channel manager" section
 *   <!-- bench:transport:start --> … <!-- bench:transport:end -->  the "## Transport" section
 *   <!-- bench:inspector:start --> … <!-- bench:inspector:end -->  the "## Inspector" section
 *
 * Flags (`--name=value`) are passed on to every benchmark: `npm run bench -- transport --connections=5000`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { goalsTable, markdownTable, printResult, ROOT, runChild } from './lib.js';
import type { BenchResult } from './lib.js';

/** The benchmarks of the "## Runtime" section: one block each, inside it. */
const RUNTIME_BENCHMARKS = ['runtime-memory', 'runtime-throughput', 'death-storm'] as const;
/** Benchmarks whose block is a whole section of its own (`## …`), after the runtime's. */
const SECTION_BENCHMARKS = ['channels', 'transport', 'inspector'] as const;
const BENCHMARKS = [...RUNTIME_BENCHMARKS, ...SECTION_BENCHMARKS] as const;
type BenchName = (typeof BENCHMARKS)[number];

const DOC = join(ROOT, 'docs', 'benchmarks.md');

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function machineBlock(startedAt: Date, load: readonly number[]): string {
  return [
    `Last run: ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} · ${availableParallelism()} CPUs (\`nproc\`) · ${cpuModel()} · ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM · Node ${process.version} · ${process.platform}/${process.arch} · ` +
      `load average at start ${load.map((l) => l.toFixed(2)).join(' / ')}`,
    '',
    'The machine is shared and noisy: compare the ratios measured side by side in one run, not absolute figures across runs.',
  ].join('\n');
}

const HEADER = `# Benchmarks

Results of \`npm run bench\` (\`npm run bench -- <name>\` runs one). Each benchmark runs in its own Node
process (\`node --conditions=source --expose-gc --import tsx\`), against the TypeScript sources.

<!-- bench:machine:start -->
<!-- bench:machine:end -->
`;

const RUNTIME_INTRO = `## Runtime

The runtime's costs against the alternatives it replaces, measured with the 5-state connection machine of
\`bench/machines.ts\` (\`connecting → connected ⇄ takingOver → disconnected → terminated\`, 7-field context,
a 60 s \`after\` timer in \`connecting\`, every state change with an \`assign\`): a runtime process
(\`rt.spawn\`: a lean shell holding the XState snapshot, run through XState's \`ActorLogic\` interface), a raw XState
actor (\`createActor(machine).start()\`) and a bare class actor (the floor). \`connectionMachine\` starts from a
constant context (the runtime shares its initial snapshot between processes); \`connectionMachineFromInput\` builds
its context from \`input\` (the runtime shares the rest of the initial snapshot and calls the factory per process).`;

const BLOCK_TITLES: Record<BenchName, string> = {
  'runtime-memory': '### Memory per idle process (`bench/runtime-memory.ts`)',
  'runtime-throughput': '### Spawn, send and call (`bench/runtime-throughput.ts`)',
  'death-storm': '### Death storm (`bench/death-storm.ts`)',
  channels: '## Channel manager',
  transport: '## Transport',
  inspector: '## Inspector',
};

/** Text between a block's title and its "Measured …" line. */
const BLOCK_INTROS: Partial<Record<BenchName, string>> = {
  channels: `The channel manager of \`@switchboard/channels\` (\`bench/channels.ts\`) on the live runtime, with its default
options: in-memory registry, locker and session store, DOWN batches of at most 1000, a cleanup pool of 2. Registration
is compared with the least a registry by client id can be (a bare \`Map\` with a per-key promise lock); \`openSession\`
is measured for a clean start and for a resume that takes over a connected old channel; the DOWN storm kills 100k
registered channels at once.`,
  transport: `The WebSocket server of \`@switchboard/transport\` (\`bench/transport.ts\`) against a raw \`ws\` server and
Socket.IO 4.8, on loopback: memory per idle connection, server CPU per connect, and broadcast throughput counted by
the clients. Each server runs in its own Node process and its clients in four more, one per source address
(127.0.0.2–127.0.0.5); all three servers hold their clients at once and every step alternates between them, so the
load of the shared machine falls on all three alike.`,
  inspector: `The cost of \`@switchboard/inspector\` (\`bench/inspector.ts\`): runtime message throughput with no inspector, with
the inspector attached and no browser, and with headless Chromium (Debian's) watching one process's detail view (live
chart and event stream) — three identical runtimes of 10,000 processes in one process, one per mode, measured in
rotating order; then the gateway with 10,000 real WebSocket connections (four client
processes, one source address each) and Chromium loading the inspector page in a fresh context.`,
};

const isSection = (name: BenchName): boolean => (SECTION_BENCHMARKS as readonly string[]).includes(name);

const start = (key: string): string => `<!-- bench:${key}:start -->`;
const end = (key: string): string => `<!-- bench:${key}:end -->`;

/** Replaces the text between a key's markers (markers kept); appends the marked block when absent. */
function replaceBlock(
  doc: string,
  key: string,
  body: string,
  appendTo: (doc: string, block: string) => string,
): string {
  const s = doc.indexOf(start(key));
  const e = doc.indexOf(end(key));
  if (s >= 0 && e > s) return `${doc.slice(0, s + start(key).length)}\n${body}\n${doc.slice(e)}`;
  return appendTo(doc, `${start(key)}\n${body}\n${end(key)}`);
}

function resultMarkdown(name: BenchName, result: BenchResult, when: Date): string {
  const intro = BLOCK_INTROS[name];
  const parts = [
    BLOCK_TITLES[name],
    '',
    ...(intro === undefined ? [] : [intro, '']),
    `Measured ${when.toISOString().slice(0, 10)}, Node ${process.version}.`,
  ];
  for (const table of result.tables) parts.push('', `**${table.title}**`, '', markdownTable(table));
  if (result.goals.length > 0) parts.push('', markdownTable(goalsTable(result.goals)));
  if (result.notes.length > 0) parts.push('', ...result.notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

async function updateDoc(
  results: ReadonlyMap<BenchName, BenchResult>,
  startedAt: Date,
  load: readonly number[],
): Promise<void> {
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : HEADER;
  doc = replaceBlock(doc, 'machine', machineBlock(startedAt, load), (d, block) => {
    const firstSection = d.indexOf('\n## ');
    return firstSection < 0
      ? `${d.trimEnd()}\n\n${block}\n`
      : `${d.slice(0, firstSection)}\n${block}\n${d.slice(firstSection)}`;
  });
  if (!doc.includes(start('runtime'))) {
    const skeleton = RUNTIME_BENCHMARKS.map((n) => `${start(n)}\n${end(n)}`).join('\n\n');
    doc = `${doc.trimEnd()}\n\n${start('runtime')}\n${RUNTIME_INTRO}\n\n${skeleton}\n${end('runtime')}\n`;
  }
  for (const [name, result] of results) {
    doc = replaceBlock(doc, name, resultMarkdown(name, result, startedAt), (d, block) => {
      // A section of its own goes at the end of the document; a runtime block inside its section.
      if (isSection(name)) return `${d.trimEnd()}\n\n${block}\n`;
      const e = d.indexOf(end('runtime'));
      return `${d.slice(0, e)}\n${block}\n${d.slice(e)}`;
    });
  }
  // Formatted as `npm run lint` (prettier --check .) expects.
  writeFileSync(DOC, await format(doc, { ...(await resolveConfig(DOC)), filepath: DOC }));
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const unknown = requested.filter((r) => !(BENCHMARKS as readonly string[]).includes(r));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
  const selected = requested.length > 0 ? (requested as BenchName[]) : [...BENCHMARKS];
  const startedAt = new Date();
  const load = loadavg();
  const results = new Map<BenchName, BenchResult>();
  for (const name of selected) {
    const t0 = performance.now();
    console.log(`\n# ${name}`);
    const result = await runChild<BenchResult>(`bench/${name}.ts`, flags);
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    results.set(name, result);
  }
  for (const result of results.values()) printResult(result);
  await updateDoc(results, startedAt, load);
  const failed = [...results.values()].flatMap((r) =>
    r.goals.filter((g) => !g.pass).map((g) => `${r.name}: ${g.name}`),
  );
  console.log(`\nwrote ${DOC}`);
  if (failed.length > 0) console.log(`goals missed: ${failed.join('; ')}`);
}

await main();
