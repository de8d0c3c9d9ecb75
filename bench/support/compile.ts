/**
 * The transport benchmark's server and client scripts, compiled to plain JavaScript with esbuild
 * before they run: the workspace packages bundled in from their TypeScript sources (the `source`
 * condition, as everywhere in the benchmarks), every npm dependency left external and loaded from
 * where the importing package would load it.
 *
 * Why not tsx, as the other benchmarks: tsx compiles with esbuild's `keepNames`, which wraps every
 * named function in `__name(fn, "name")` — an `Object.defineProperty` that moves each such
 * closure's properties into a dictionary of its own (≈ 256 B). A connection creates about eight
 * named closures, so under tsx Switchboard would carry ≈ 2 KB per connection that no built
 * package has (and pay the `defineProperty` calls at every connect), while `ws` and Socket.IO,
 * plain JavaScript, would not.
 */
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { ROOT } from '../lib.js';

/** Marks every bare import but `@switchboard/*` external, at the path the importer would resolve. */
const dependenciesExternal: Plugin = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, async (args) => {
      if (args.path.startsWith('@switchboard/') || args.pluginData === 'inner') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

let cleanupInstalled = false;

/**
 * Compiles `script` (relative to the repository root) into one ES module and returns its path.
 *
 * @example
 * ```ts
 * const server = await spawnRpc(await compileScript('bench/support/server-process.ts'), ['--kind=ws']);
 * ```
 */
export async function compileScript(script: string): Promise<string> {
  // One directory per benchmark process, so that concurrent runs never overwrite each other's scripts.
  const dir = join(ROOT, 'node_modules', '.cache', 'switchboard-bench', String(process.pid));
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, basename(script).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join(ROOT, script)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    plugins: [dependenciesExternal],
    logLevel: 'warning',
  });
  return outfile;
}
