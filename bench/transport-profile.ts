/**
 * Where a server's CPU goes while clients connect: the server process of bench/transport.ts
 * under the V8 CPU profiler while N clients connect (and, with `--broadcast`, while it broadcasts to
 * them), its self time summed by source module and by function. A profiling aid for the connect
 * and broadcast goals, not part of `npm run bench`.
 *
 *   node --conditions=source --expose-gc --import tsx bench/transport-profile.ts --kind=switchboard --connections=2000
 *     [--broadcast] [--top=30] [--warm=N] [--keep]
 *
 * `--warm=N`: N clients connect first, unprofiled, so the profile shows a warm server's connects
 * (JIT-compiled code, a grown heap) rather than a cold one's. `--keep` keeps the `.cpuprofile`
 * (its path is printed) for a closer look, e.g. in Chrome DevTools.
 */
import { readFile, rm } from 'node:fs/promises';
import { arg, int, isMain, num } from './lib.js';
import type { ServerKind } from './support/bench-servers.js';
import { compileScript } from './support/compile.js';
import { spawnRpc } from './support/rpc.js';
import type { RpcChild } from './support/rpc.js';

/** The parts of a `.cpuprofile` this reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The bundle's module of each line: esbuild heads every module's code with `// <path>`. */
function moduleLines(bundle: string): (line: number) => string {
  const starts: { line: number; path: string }[] = [];
  bundle.split('\n').forEach((text, line) => {
    const m = /^\/\/ ((?:packages|bench)\/\S+\.ts)$/.exec(text);
    if (m) starts.push({ line, path: (m[1] as string).replace(/^packages\/([^/]+)\/src\//, '$1/') });
  });
  return (line) => {
    let found = 'bundle';
    for (const s of starts) {
      if (s.line > line) break;
      found = s.path;
    }
    return found;
  };
}

/** Where a frame's code lives: a workspace module, an npm package, Node itself, or V8's own. */
function placeOf(url: string, line: number, bundlePath: string, moduleOf: (line: number) => string): string {
  if (url === '') return '(V8)';
  if (url.endsWith(bundlePath)) return moduleOf(line);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node';
  return url;
}

function summarise(profile: CpuProfile, bundle: string, bundlePath: string, top: number): void {
  const moduleOf = moduleLines(bundle);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, lineNumber, bundlePath, moduleOf);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${place}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
  const print = (title: string, table: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [key, us] of [...table.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${num((100 * us) / total, 1).padStart(6)}%  ${int(us / 1000).padStart(7)} ms  ${key}`);
  };
  console.log(`busy: ${int(total / 1000)} ms of samples (idle excluded)`);
  print('self time by module or package', byPlace);
  print('self time by function', byFunction);
}

async function main(): Promise<void> {
  const kind = (arg('kind') ?? 'switchboard') as ServerKind;
  const n = Number(arg('connections') ?? 2000);
  const top = Number(arg('top') ?? 30);
  const warm = Number(arg('warm') ?? 0);
  const serverScript = await compileScript('bench/support/server-process.ts');
  const server = await spawnRpc(serverScript, [`--kind=${kind}`]);
  let client: RpcChild | undefined;
  try {
    const { url } = await server.call<{ url: string }>('address');
    client = await spawnRpc(await compileScript('bench/support/client-process.ts'), [
      `--kind=${kind}`,
      `--url=${url}`,
      `--n=${warm + n}`,
      '--local-address=127.0.0.2',
    ]);
    const broadcast = process.argv.includes('--broadcast');
    if (warm > 0) {
      await server.call('arm', { n: warm });
      await client.call('connect', { count: warm, concurrency: 50 });
      await server.call('established');
      await server.call('settled');
    }
    if (!broadcast) await server.call('profileStart');
    await server.call('arm', { n: warm + n });
    await client.call('connect', { count: n, concurrency: 50 });
    await server.call('established');
    await server.call('settled');
    if (broadcast) {
      await server.call('profileStart');
      await client.call('expect', { total: (warm + n) * 100 });
      const arrived = client.call('wait');
      await server.call('broadcast', { count: 100 });
      await arrived;
    }
    const path = await server.call<string>('profileStop');
    const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
    if (process.argv.includes('--keep')) console.log(`profile: ${path}`);
    else await rm(path, { force: true });
    summarise(profile, await readFile(serverScript, 'utf8'), serverScript, top);
  } finally {
    await server.kill();
    await client?.kill();
  }
}

if (isMain(import.meta.url)) await main();
