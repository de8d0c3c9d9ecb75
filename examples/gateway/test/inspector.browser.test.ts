/**
 * The inspector end to end in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the running gateway with 100 real TCP clients: the counts, every view,
 * one connection's live state chart, a takeover by a second client moving the highlight and ending
 * the old connection `takenover`, and a 401 without the token. Assertions are on DOM hooks
 * (`data-state`, `data-id`, `data-value`), never on pixels; the page must log no errors.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { connect } from '@switchboard/transport/client';
import type { Client } from '@switchboard/transport/client';
import { startGateway } from '../src/gateway.js';
import type { Gateway } from '../src/gateway.js';
import { ARTIFACTS, CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium.js';

const CLIENTS = 100;
const WAIT = { timeout: 20_000 };

let gateway: Gateway;
let browser: Browser;
const clients: Client[] = [];
const consoleProblems: string[] = [];

beforeAll(async () => {
  gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0, allowCommands: true } });
  for (let i = 0; i < CLIENTS; i++) {
    clients.push(
      connect(gateway.urls.tcp, { clientId: `user-${i}`, reconnect: false, sessionExpiryMs: 60_000 }),
    );
  }
  await Promise.all(clients.map((c) => c.connected()));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(clients.map((c) => c.close()));
  await gateway?.close();
});

async function openInspector(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  await page.goto(gateway.urls.inspector);
  await page.waitForSelector('[data-feed-status="open"]', WAIT);
  return page;
}

describe('the inspector in headless Chromium', () => {
  it('answers 401 without the token, on the page and on the feed', async () => {
    const origin = new URL(gateway.urls.inspector).origin;
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect((await fetch(`${origin}/app.js`)).status).toBe(401);
    const page = await browser.newPage();
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(401);
    await page.close();
  });

  it(
    'shows the counts and every view, a live chart of one connection, and a takeover moving its highlight',
    { timeout: 120_000 },
    async () => {
      const page = await openInspector();

      // 1. Overview: the counts of the running gateway.
      await page.waitForSelector(`[data-metric="liveConnections"][data-value="${CLIENTS}"]`, WAIT);
      await page.waitForSelector(`[data-metric="connections"][data-value="${CLIENTS}"]`, WAIT);
      await page.waitForSelector(`[data-metric="transportConnections"][data-value="${CLIENTS}"]`, WAIT);
      const processes = Number(await page.getAttribute('[data-metric="processes"]', 'data-value'));
      expect(processes).toBeGreaterThan(CLIENTS);
      await page.waitForSelector('svg[data-chart="history"]', WAIT);

      // 3. Supervision tree: the connection supervisor holds the 100 connections.
      await page.click('a[data-nav="tree"]');
      await page.waitForSelector('[data-view="tree"] [data-tree-node][data-kind="supervisor"]', WAIT);

      // 4. Registry tables: 100 live rows, no anomaly.
      await page.click('a[data-nav="tables"]');
      await page.waitForSelector(`[data-table="live"][data-count="${CLIENTS}"]`, WAIT);
      await page.waitForSelector(`[data-table="channel"][data-count="${CLIENTS}"]`, WAIT);
      expect(await page.locator('[data-anomaly]').count()).toBe(0);

      // 2. Processes: filter to one client id, open it.
      await page.click('a[data-nav="processes"]');
      await page.waitForSelector('[data-view="processes"] tr[data-id]', WAIT);
      await page.fill('input[data-filter]', 'user-42');
      const row = await page.waitForSelector('tr[data-client-id="user-42"]', WAIT);
      const pid = (await row.getAttribute('data-id')) ?? '';
      const [registered] = await gateway.channels.lookupChannels('user-42', 'local');
      expect(pid).toBe(String(registered));
      await row.click();

      // 6. Connection detail: the chart, laid out, with the connected state lit.
      const detail = `[data-view="actor"][data-id="${pid}"]`;
      await page.waitForSelector(`${detail}[data-status="running"]`, WAIT);
      await page.waitForSelector('svg[data-statechart][data-layout="done"]', WAIT);
      await page.waitForSelector('[data-state="channel.connected"][data-active="true"]', WAIT);
      await page.waitForSelector('[data-state="channel.opening"][data-active="false"]', WAIT);
      expect(await page.locator('[data-statechart] [data-state]').count()).toBeGreaterThan(5);
      await page.waitForSelector('pre[data-context]', WAIT);
      expect(await page.textContent('pre[data-context]')).toContain('user-42');
      // Commands are allowed in this gateway: the buttons are there.
      expect(await page.locator('button[data-command="kick"]').count()).toBe(1);

      // A second client takes user-42 over: the old connection's highlight leaves `connected`,
      // and it ends `takenover`.
      const taker = connect(gateway.urls.tcp, {
        clientId: 'user-42',
        cleanStart: false,
        reconnect: false,
        sessionExpiryMs: 60_000,
      });
      clients.push(taker);
      await taker.connected();
      await page.waitForSelector(`${detail}[data-status="stopped"][data-exit-reason*="takenover"]`, WAIT);
      await page.waitForSelector('[data-state="channel.connected"][data-active="false"]', WAIT);
      const lit = await page.$$eval('[data-statechart] [data-state][data-active="true"]', (nodes) =>
        nodes.map((n) => n.getAttribute('data-state')),
      );
      expect(lit.some((id) => id?.startsWith('channel.takingOver'))).toBe(true);
      await page.waitForSelector('[data-events] [data-event][data-type="ch.takeover.end"]', WAIT);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-takeover.png'), fullPage: true });

      // The new owner is live under the same client id; the old pid's rows are cleaned.
      const [owner] = await gateway.channels.lookupChannels('user-42', 'local');
      expect(String(owner)).not.toBe(pid);

      // 5. DOWN batches: the old connection's death went through a batch and its cleanup.
      await page.click('a[data-nav="downs"]');
      await page.waitForSelector('svg[data-chart="downs"] [data-batch]', WAIT);
      expect(
        Number(await page.getAttribute('[data-metric="totalDowns"]', 'data-value')),
      ).toBeGreaterThanOrEqual(1);

      await page.click('a[data-nav="overview"]');
      await page.waitForSelector(`[data-metric="liveConnections"][data-value="${CLIENTS}"]`, WAIT);
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-overview.png') });
      expect(consoleProblems).toEqual([]);
    },
  );
});
