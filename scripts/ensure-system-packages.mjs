#!/usr/bin/env node
/**
 * `npm test`'s pretest step: makes sure the system packages the tests drive are installed —
 * Debian's `chromium` (the browser tests). When one is missing and we may install (root, apt-get
 * present, SWITCHBOARD_NO_APT unset), it runs `apt-get install`; otherwise it fails, naming the
 * package to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the file that proves it is installed. */
const REQUIRED = [{ pkg: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }];

const missing = REQUIRED.filter((r) => !existsSync(r.file));
if (missing.length === 0) process.exit(0);

const names = missing.map((m) => m.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt || process.env.SWITCHBOARD_NO_APT) {
  console.error(
    `The tests need these system packages: ${names.join(', ')}.\n` +
      `Install them (Debian/Ubuntu: sudo apt-get install -y ${names.join(' ')}), ` +
      'or set CHROMIUM_PATH to an installed Chromium.',
  );
  process.exit(1);
}
console.log(`Installing ${names.join(', ')} with apt-get (needed by the tests)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
  stdio: 'inherit',
  env,
});
const still = missing.filter((r) => !existsSync(r.file));
if (still.length > 0) {
  console.error(`apt-get ran but these are still missing: ${still.map((s) => s.file).join(', ')}`);
  process.exit(1);
}
