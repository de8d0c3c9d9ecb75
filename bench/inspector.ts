/**
 * The inspector's cost, side by side in one run:
 * - runtime message throughput (10k connection processes, 100k state-changing messages per sample)
 *   with no inspector, with the inspector attached and no browser, and with headless Chromium
 *   watching one of the 10k processes (its detail view: live chart and event stream); the three
 *   alternate, medians of `--reps` samples;
 * - page load with 10,000 real connections: the gateway with its inspector, 10,000 WebSocket
 *   clients in four client processes (one source address each), and Chromium loading the page
 *   until the overview shows all 10,000 live connections, then the processes view's first page.
 *
 *   npm run bench -- inspector [--connections=10000] [--reps=7]
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { attachInspector } from '@switchboard/inspector';
import type { Inspector } from '@switchboard/inspector';
import { createRuntime } from '@switchboard/runtime';
import type { Pid, Runtime } from '@switchboard/runtime';
import { startGateway } from '../examples/gateway/src/gateway.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../examples/gateway/test/support/chromium.js';
import { arg, int, isMain, median, num, printResult, ratio, settleHeap } from './lib.js';
import type { BenchResult, Goal, Table } from './lib.js';
import { connectionMachine } from './machines.js';
import { compileScript } from './support/compile.js';
import { spawnRpc } from './support/rpc.js';
import type { RpcChild } from './support/rpc.js';

const PROCS = 10_000;
const ROUNDS = 10;
const REPS = Number(arg('reps') ?? 7);
const CONNECTIONS = Number(arg('connections') ?? 10_000);

/** Chromium with a fresh profile (playwright's \`launch\` makes a new temporary one each time). */
async function launch(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  return { browser, close: () => browser.close() };
}

/** Waits until `check` holds (polling the event loop, never a fixed sleep). */
async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// ------------------------------------------------------------------ throughput

/** Messages per second: `ROUNDS` round-robin passes over every process, then `await rt.idle()`. */
async function send(rt: Runtime, pids: readonly Pid[]): Promise<number> {
  settleHeap();
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const pid of pids) rt.send(pid, { type: 'conn.toggle', at: r });
  await rt.idle();
  return (ROUNDS * pids.length) / ((performance.now() - t0) / 1000);
}

type Mode = 'none' | 'attached' | 'watching';
const MODES: readonly Mode[] = ['none', 'attached', 'watching'];

async function throughput(
  browser: Browser,
): Promise<{ samples: Record<Mode, number[]>; watchedEvents: number }> {
  // Three identical runtimes, one per mode, each with its own 10k processes: only the inspector
  // differs. While one is measured the others are idle (no messages; the watching one's page and
  // timers keep running, and cost all three alike).
  const populations = {} as Record<Mode, { rt: Runtime; pids: Pid[]; inspector?: Inspector }>;
  for (const mode of MODES) {
    const rt = createRuntime();
    const pids = Array.from({ length: PROCS }, (_, i) =>
      rt.spawn(connectionMachine, { input: { clientId: `c${i}` } }),
    );
    pids.forEach((pid, i) => rt.send(pid, { type: 'conn.open', peer: `p${i}`, at: i }));
    await rt.idle();
    populations[mode] = { rt, pids, ...(mode === 'none' ? {} : { inspector: await attachInspector(rt) }) };
  }
  const watching = populations.watching;
  const watched = watching.pids[PROCS >> 1] as Pid;
  const page: Page = await browser.newPage();
  await page.goto(`${watching.inspector?.url ?? ''}#/actor/${encodeURIComponent(String(watched))}`);
  await page.waitForSelector('svg[data-statechart][data-layout="done"]', { timeout: 30_000 });
  await until(() => watching.inspector?.handler.hub.watchedCount === 1, 'the page to watch its actor');
  if (populations.attached.inspector?.handler.hub.attached !== false)
    throw new Error('no page may be attached');

  const samples: Record<Mode, number[]> = { none: [], attached: [], watching: [] };
  for (const mode of MODES) await send(populations[mode].rt, populations[mode].pids); // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate the order so no mode always runs first.
    const order = MODES.map((_, i) => MODES[(i + rep) % MODES.length] as Mode);
    for (const mode of order) samples[mode].push(await send(populations[mode].rt, populations[mode].pids));
    console.log(
      `  rep ${rep + 1}/${REPS}: ${order.map((m) => `${m} ${int(samples[m].at(-1) ?? 0)}/s`).join(', ')}`,
    );
  }
  // The watched process's events reached the page (ROUNDS per sample; the timeline keeps 200).
  // A string, evaluated in the page (the benchmark itself has no DOM types).
  await page.waitForFunction(
    `document.querySelectorAll('[data-events] [data-event]').length >= ${Math.min(200, ROUNDS * (REPS + 1))}`,
    undefined,
    { timeout: 30_000 },
  );
  const watchedEvents = await page.locator('[data-events] [data-event]').count();
  await page.close();
  for (const mode of MODES) {
    await populations[mode].inspector?.close();
    await populations[mode].rt.shutdown();
  }
  return { samples, watchedEvents };
}

// ------------------------------------------------------------------ page load

interface PageLoad {
  readonly overviewMs: number[];
  readonly processesMs: number[];
  readonly rows: number;
}

async function pageLoad(browser: Browser): Promise<PageLoad> {
  const gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0 } });
  const clientScript = await compileScript('bench/support/client-process.ts');
  const perProcess = Math.ceil(CONNECTIONS / 4);
  const fleet: RpcChild[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      fleet.push(
        await spawnRpc(clientScript, [
          '--kind=switchboard',
          `--url=${gateway.urls.ws}`,
          `--n=${Math.min(perProcess, CONNECTIONS - i * perProcess)}`,
          `--local-address=127.0.0.${2 + i}`,
          `--index=${i}`,
        ]),
      );
    }
    const t0 = performance.now();
    await Promise.all(fleet.map((c) => c.call('connect', { concurrency: 100 })));
    console.log(`  ${int(CONNECTIONS)} connections in ${num((performance.now() - t0) / 1000, 1)} s`);
    await until(
      () => gateway.channels.stats().live_connections.count === CONNECTIONS,
      'every connection live',
      120_000,
    );

    const overviewMs: number[] = [];
    const processesMs: number[] = [];
    let rows = 0;
    for (let rep = 0; rep < REPS; rep++) {
      // A fresh page each time: nothing cached but what a first visit has.
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(gateway.urls.inspector);
      await page.waitForSelector(`[data-metric="liveConnections"][data-value="${CONNECTIONS}"]`, {
        timeout: 30_000,
      });
      overviewMs.push(performance.now() - start);
      const startProcesses = performance.now();
      await page.click('a[data-nav="processes"]');
      await page.waitForSelector('[data-view="processes"] tr[data-id]', { timeout: 30_000 });
      processesMs.push(performance.now() - startProcesses);
      rows = Number(await page.getAttribute('[data-metric="total"]', 'data-value'));
      await context.close();
      console.log(
        `  page load ${rep + 1}/${REPS}: overview ${int(overviewMs.at(-1) ?? 0)} ms, processes ${int(processesMs.at(-1) ?? 0)} ms`,
      );
    }
    return { overviewMs, processesMs, rows };
  } finally {
    await Promise.all(fleet.map((c) => c.kill()));
    await gateway.close();
  }
}

// ------------------------------------------------------------------ report

export async function run(): Promise<BenchResult> {
  const { browser, close } = await launch();
  try {
    console.log('throughput: none / attached / watching');
    const { samples, watchedEvents } = await throughput(browser);
    console.log(`page load with ${int(CONNECTIONS)} connections`);
    const load = await pageLoad(browser);

    const none = median(samples.none);
    const attached = median(samples.attached);
    const watching = median(samples.watching);
    const attachedRatios = samples.attached.map((a, i) => a / (samples.none[i] as number));
    const watchingRatios = samples.watching.map((w, i) => w / (samples.none[i] as number));
    const throughputTable: Table = {
      title: `Runtime message throughput, ${int(PROCS)} processes, ${int(PROCS * ROUNDS)} messages per sample (median of ${REPS})`,
      columns: ['inspector', 'messages/s', 'vs none (median of per-rep ratios)'],
      rows: [
        ['not attached', int(none), '1.00×'],
        ['attached, no browser', int(attached), ratio(median(attachedRatios))],
        ['attached, Chromium watching one process', int(watching), ratio(median(watchingRatios))],
      ],
    };
    const overview = median(load.overviewMs);
    const processes = median(load.processesMs);
    const loadTable: Table = {
      title: `Page load with ${int(CONNECTIONS)} live WebSocket connections (fresh browser context each, median of ${REPS})`,
      columns: ['step', 'median', 'max'],
      rows: [
        [
          'navigate → overview shows every live connection',
          `${int(overview)} ms`,
          `${int(Math.max(...load.overviewMs))} ms`,
        ],
        [
          `→ processes view's first page (of ${int(load.rows)} rows, server-sorted)`,
          `${int(processes)} ms`,
          `${int(Math.max(...load.processesMs))} ms`,
        ],
      ],
    };
    const goals: Goal[] = [
      {
        name: 'throughput, attached without a browser vs not attached',
        goal: '≥ 0.97×',
        measured: ratio(median(attachedRatios)),
        pass: median(attachedRatios) >= 0.97,
      },
      {
        name: 'throughput, a browser watching one connection vs not attached',
        goal: '≥ 0.8×',
        measured: ratio(median(watchingRatios)),
        pass: median(watchingRatios) >= 0.8,
      },
      {
        name: `page load with ${int(CONNECTIONS)} connections (overview with counts)`,
        goal: '< 2 s',
        measured: `${int(overview)} ms`,
        pass: overview < 2000 && CONNECTIONS >= 10_000,
      },
    ];
    return {
      name: 'inspector',
      tables: [throughputTable, loadTable],
      goals,
      notes: [
        `Per-rep ratios attached/none: ${attachedRatios.map((r) => num(r, 3)).join(', ')}; watching/none: ${watchingRatios.map((r) => num(r, 3)).join(', ')}.`,
        `Each mode has its own runtime with its own ${int(PROCS)} processes; the watched process received ${ROUNDS} of each sample's messages, and the page's timeline showed ${watchedEvents} events at the end (it keeps the last 200).`,
        'Chromium runs on the same 2 cores as the server: its rendering competes with the runtime, as it would on a developer machine.',
      ],
    };
  } finally {
    await close();
  }
}

if (isMain(import.meta.url)) {
  const result = await run();
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify(result));
  else printResult(result);
}
