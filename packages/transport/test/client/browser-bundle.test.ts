/**
 * The browser entry point bundles for a page: esbuild with the `browser` condition and no
 * externals builds it (esbuild resolves every import it parses, so a `node:` import reachable from
 * `browser.ts`, even one tree-shaking would drop, fails the build), and nothing from Node, `ws`,
 * xstate or pino is in the output.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = new URL('../../src/client/browser.ts', import.meta.url).pathname;

describe('the browser bundle', () => {
  it('builds with esbuild for the browser and reaches nothing from Node', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['source', 'browser'],
      minify: true,
      metafile: true,
      write: false,
      logLevel: 'silent',
    });

    expect(result.errors).toEqual([]);
    const [output] = result.outputFiles;
    const code = output?.text ?? '';
    expect(code.length).toBeGreaterThan(0);
    // No import of a Node built-in, in any spelling, survives tree-shaking.
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/from\s*["'](net|tls|events|crypto|buffer|stream)["']/);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.includes('node_modules/ws/'))).toBe(false);
    expect(inputs.some((file) => file.endsWith('tcp-link.ts') || file.endsWith('ws-node-link.ts'))).toBe(
      false,
    );
    // What the page loads: the client, the protocol codec and msgpackr. The size is printed so a
    // change shows up in the test log; the bound only catches a dependency pulled in by mistake.
    const bytesIn = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
    const shipped = Object.entries(bytesIn)
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([file]) => file);
    expect(shipped.some((file) => file.includes('xstate'))).toBe(false);
    expect(shipped.some((file) => file.includes('pino'))).toBe(false);
    console.log(`browser bundle: ${code.length} bytes minified, from ${shipped.length} modules`);
    expect(code.length).toBeLessThan(120_000);
  });
});
