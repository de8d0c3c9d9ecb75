/**
 * The package must work in a browser bundle: bundled by esbuild for the browser platform (which
 * refuses Node built-ins), then run in a bare V8 context that has no Buffer, no process and no
 * require, it still encodes and decodes a frame with a binary payload.
 */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles without Node built-ins and round-trips a frame without Buffer', async () => {
    const result = await build({
      entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'protocol',
      conditions: ['source'],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/require\(["'](node:)?(fs|buffer|util|stream|module)["']\)/);

    // Only what every browser has; TextEncoder/TextDecoder are passed in because a bare V8
    // context lacks them (browsers do not).
    const sandbox = { TextEncoder, TextDecoder, result: undefined as unknown };
    runInNewContext(
      `${code}
      const bytes = protocol.encodeFrame({ type: 'message', id: 'm1', room: 'lobby', payload: { bin: new Uint8Array([1, 2, 3]), n: 5 } });
      const decoder = protocol.createDecoder();
      const first = decoder.push(bytes.subarray(0, 7));
      const second = decoder.push(bytes.subarray(7));
      result = {
        hasBuffer: typeof Buffer !== 'undefined',
        firstCount: first.frames.length,
        frame: second.frames[0],
        binIsUint8Array: second.frames[0].payload.bin instanceof Uint8Array,
        bin: Array.from(second.frames[0].payload.bin),
        badCode: protocol.createDecoder().push(new Uint8Array([0, 0, 0, 1, 0xc1])).error.code,
      };`,
      sandbox,
    );
    expect(sandbox.result).toMatchObject({
      hasBuffer: false,
      firstCount: 0,
      frame: { type: 'message', id: 'm1', room: 'lobby', payload: { n: 5 } },
      binIsUint8Array: true,
      bin: [1, 2, 3],
      badCode: 'PROTO_ERR_MALFORMED',
    });
  });
});
