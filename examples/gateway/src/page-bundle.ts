/**
 * The chat page's script, bundled once at start-up with esbuild from `browser/chat-page.ts` and
 * the browser build of `@switchboard/transport/client`, and kept in memory: nothing is fetched
 * from a CDN and nothing is written to disk.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The bundled page script (ES module). */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/chat-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the chat page');
  return file.text;
}
