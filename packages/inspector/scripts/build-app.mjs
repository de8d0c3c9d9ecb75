#!/usr/bin/env node
// Builds the inspector's browser page into dist/app/: app.js (ESM, preact + msgpackr), the layout
// worker layout-worker.js (IIFE, so it runs as a classic worker; elkjs), app.css, index.html and
// THIRD-PARTY-LICENSES.txt with the licence texts of the bundled third-party code (elkjs is EPL-2.0
// and its notice must ship with the bundle). Runs from any cwd; exits non-zero on any error.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const appDir = join(packageDir, 'app');
const outDir = join(packageDir, 'dist', 'app');
const require = createRequire(join(packageDir, 'package.json'));

/** The bundled third-party packages whose licences ship with the page. */
const BUNDLED_PACKAGES = ['elkjs', 'preact', 'msgpackr'];

const LICENSE_BANNER =
  '/*! Switchboard inspector. Bundles third-party code under its own licences (elkjs: EPL-2.0; ' +
  'preact, msgpackr: MIT); see THIRD-PARTY-LICENSES.txt next to this file. */';

/**
 * msgpackr compiles record readers with `new Function`, which a page CSP without 'unsafe-eval'
 * refuses (with a console error). Its own no-eval builds do the same rename: `BlockedFunction` is
 * undefined, the compile throws and msgpackr falls back to its interpreted reader for good.
 */
const msgpackrNoEval = {
  name: 'msgpackr-no-eval',
  setup(build) {
    build.onLoad({ filter: /[\\/]msgpackr[\\/]unpack\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(/new Function\(/g, 'new BlockedFunction('),
      loader: 'js',
    }));
  },
};

/** Where Node would load `name` from (not every package exports its package.json, msgpackr doesn't). */
function packageJsonOf(name) {
  for (const modulesDir of require.resolve.paths(name) ?? []) {
    const candidate = join(modulesDir, name, 'package.json');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find the package ${name} from ${packageDir}`);
}

async function packageLicense(name) {
  const packageJsonPath = packageJsonOf(name);
  const packageRoot = dirname(packageJsonPath);
  const { version, license } = JSON.parse(await readFile(packageJsonPath, 'utf8'));
  const licenseFile = (await readdir(packageRoot)).find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
  if (!licenseFile) throw new Error(`${name}: no licence file in ${packageRoot}`);
  const text = await readFile(join(packageRoot, licenseFile), 'utf8');
  return `${'='.repeat(78)}\n${name} ${version} (${license})\n${'='.repeat(78)}\n\n${text.trim()}\n`;
}

async function build() {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const common = {
    absWorkingDir: packageDir,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(appDir, 'tsconfig.json'),
    banner: { js: LICENSE_BANNER },
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [join(appDir, 'main.tsx')],
      outfile: join(outDir, 'app.js'),
      format: 'esm',
      plugins: [msgpackrNoEval],
    }),
    esbuild.build({
      ...common,
      entryPoints: [join(appDir, 'layout-worker.ts')],
      outfile: join(outDir, 'layout-worker.js'),
      format: 'iife',
      // Nearly all of it is elkjs's generated code; a 4.6 MB map of that would only bloat the package
      // (and the server, which holds the page in memory).
      sourcemap: false,
    }),
    copyFile(join(appDir, 'index.html'), join(outDir, 'index.html')),
    copyFile(join(appDir, 'styles.css'), join(outDir, 'app.css')),
  ]);
  const licenses = await Promise.all(BUNDLED_PACKAGES.map(packageLicense));
  await writeFile(
    join(outDir, 'THIRD-PARTY-LICENSES.txt'),
    'The Switchboard inspector page (app.js, layout-worker.js) bundles the following third-party\n' +
      'software, each under its own licence reproduced in full below.\n\n' +
      licenses.join('\n'),
  );
}

const started = performance.now();
try {
  await build();
  const files = (await readdir(outDir)).filter((file) => !file.endsWith('.map')).sort();
  const sizes = await Promise.all(
    files.map(async (file) => `${file} ${((await stat(join(outDir, file))).size / 1024).toFixed(1)} KiB`),
  );
  console.log(
    `inspector app → dist/app in ${Math.round(performance.now() - started)} ms: ${sizes.join(', ')}`,
  );
} catch (error) {
  // esbuild has already printed its diagnostics; anything else gets its message here.
  if (!(error && Array.isArray(error.errors))) console.error(error);
  process.exitCode = 1;
}
