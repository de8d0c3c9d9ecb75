/**
 * The chat page end to end in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): two people chat in a room, see each other's presence, and one kicks itself.
 * Assertions are on DOM hooks (`data-state`, `data-count`, `data-from`), never on pixels.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startGateway } from '../src/gateway.js';
import type { Gateway } from '../src/gateway.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ARTIFACTS } from './support/chromium.js';

let gateway: Gateway;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  gateway = await startGateway({ tcpPort: 0, httpPort: 0, inspector: { port: 0 }, presenceEveryMs: 50 });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

async function open(id: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${id}: ${m.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`${id}: ${err.message}`));
  await page.goto(`${gateway.urls.http}?id=${id}`);
  await page.waitForSelector('#status[data-state="connected"]', { timeout: 15_000 });
  return page;
}

describe('the chat page in headless Chromium', () => {
  it(
    'two people chat in a room, see the presence count, and one kicks itself',
    { timeout: 60_000 },
    async () => {
      const alice = await open('alice');
      const bob = await open('bob');
      await alice.waitForSelector('#presence[data-count="2"]', { timeout: 15_000 });
      await bob.waitForSelector('#presence[data-count="2"]', { timeout: 15_000 });
      expect(gateway.server.roomMembers('lobby').sort()).toEqual(['alice', 'bob']);

      await alice.fill('#text', 'hello from alice');
      await alice.click('#send');
      const got = await bob.waitForSelector('#messages li[data-from="alice"]', { timeout: 15_000 });
      expect(await got.textContent()).toContain('hello from alice');
      // Her own message shows on her page too (added locally, not echoed).
      expect(await alice.locator('#messages li[data-from="alice"]').count()).toBe(1);

      mkdirSync(ARTIFACTS, { recursive: true });
      await bob.screenshot({ path: join(ARTIFACTS, 'chat-page.png') });

      await bob.click('#kick');
      await bob.waitForSelector('#status[data-state="closed"]', { timeout: 15_000 });
      expect(await bob.locator('#messages li.system').last().textContent()).toContain('KICKED');
      await alice.waitForSelector('#presence[data-count="1"]', { timeout: 15_000 });
      expect(consoleErrors).toEqual([]);
    },
  );
});
