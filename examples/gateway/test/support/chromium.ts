/** How tests launch Debian's Chromium (installed by `npm test`'s pretest step or `.ci/run`). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
/** Screenshots and other test artefacts (git-ignored). */
export const ARTIFACTS = join(fileURLToPath(new URL('../../../../', import.meta.url)), 'test-artifacts');
