/** How tests launch Debian's Chromium (installed by `npm test`'s pretest step or `.ci/run`). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Flags of every launch. No `--user-data-dir`: playwright's `chromium.launch` already gives each
 * browser a fresh, empty temporary profile (and refuses the flag), which is what a fresh
 * `--user-data-dir` per run is for.
 */
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
