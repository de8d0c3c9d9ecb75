/**
 * Where a server's bytes per idle connection go: heap snapshots of the server process before
 * and after N connections (the same servers, clients and settling as bench/transport.ts), diffed
 * by node type and constructor or closure name, printed per connection. A profiling aid for the
 * memory goal, not part of `npm run bench`.
 *
 *   node --conditions=source --expose-gc --import tsx bench/transport-census.ts --kind=switchboard --connections=2000
 *     [--top=40] [--tsx] [--props=closure:] [--owners=object:Object,array:(object properties)]
 */
import { readFile, rm } from 'node:fs/promises';
import { arg, int, isMain, num } from './lib.js';
import type { ServerKind } from './support/bench-servers.js';
import { compileScript } from './support/compile.js';
import { spawnRpc } from './support/rpc.js';
import type { RpcChild } from './support/rpc.js';

/** The parts of a `.heapsnapshot` file this reads. */
interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[]];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

/** Count and self size of the heap's nodes, by `type:name`. */
type Census = Map<string, { count: number; bytes: number }>;

/** A node's `type:name` key (strings and numbers by type only: their name is their value). */
function keyOf(snap: HeapSnapshot, index: number): string {
  const fields = snap.snapshot.meta.node_fields;
  const type = snap.snapshot.meta.node_types[0][snap.nodes[index + fields.indexOf('type')] as number] ?? '?';
  const name = snap.strings[snap.nodes[index + fields.indexOf('name')] as number] ?? '?';
  const byType = ['string', 'concatenated string', 'sliced string', 'number'].includes(type);
  return `${type}:${byType ? '' : name.slice(0, 60)}`;
}

/**
 * For the nodes of `key` that own an out-of-object property store (`properties` edge), the names
 * of their properties, grouped: which objects or closures carry those stores.
 */
function propertySignatures(snap: HeapSnapshot, key: string): Map<string, number> {
  const { node_fields, edge_fields, edge_types } = snap.snapshot.meta;
  const width = node_fields.length;
  const edgeWidth = edge_fields.length;
  const countAt = node_fields.indexOf('edge_count');
  const edgeTypeAt = edge_fields.indexOf('type');
  const edgeNameAt = edge_fields.indexOf('name_or_index');
  const out = new Map<string, number>();
  let edge = 0;
  for (let from = 0; from < snap.nodes.length; from += width) {
    const edges = snap.nodes[from + countAt] as number;
    const first = edge;
    edge += edges * edgeWidth;
    if (keyOf(snap, from) !== key) continue;
    const names: string[] = [];
    let hasStore = false;
    for (let e = first; e < edge; e += edgeWidth) {
      const type = edge_types[0][snap.edges[e + edgeTypeAt] as number];
      const name = snap.strings[snap.edges[e + edgeNameAt] as number] ?? '?';
      if (type === 'internal' && name === 'properties') hasStore = true;
      if (type === 'property') names.push(name);
    }
    if (!hasStore) continue;
    const signature = names.join(',').slice(0, 160);
    out.set(signature, (out.get(signature) ?? 0) + 1);
  }
  return out;
}

async function load(path: string): Promise<HeapSnapshot> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as HeapSnapshot;
  await rm(path, { force: true });
  return snap;
}

function census(snap: HeapSnapshot): Census {
  const width = snap.snapshot.meta.node_fields.length;
  const sizeAt = snap.snapshot.meta.node_fields.indexOf('self_size');
  const out: Census = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const key = keyOf(snap, i);
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

/**
 * Who holds the nodes of each `key` in `keys`: the bytes of those nodes by retainer
 * (`retainer type:name --edge-->`), so an anonymous property array or plain object is pinned on
 * the class or closure that owns it. A node with several retainers counts for each.
 */
function owners(snap: HeapSnapshot, keys: ReadonlySet<string>): Map<string, Census> {
  const { node_fields, edge_fields, edge_types } = snap.snapshot.meta;
  const width = node_fields.length;
  const edgeWidth = edge_fields.length;
  const countAt = node_fields.indexOf('edge_count');
  const sizeAt = node_fields.indexOf('self_size');
  const edgeTypeAt = edge_fields.indexOf('type');
  const edgeNameAt = edge_fields.indexOf('name_or_index');
  const toAt = edge_fields.indexOf('to_node');
  const out = new Map<string, Census>();
  let edge = 0;
  for (let from = 0; from < snap.nodes.length; from += width) {
    const edges = snap.nodes[from + countAt] as number;
    for (let e = 0; e < edges; e++, edge += edgeWidth) {
      const to = snap.edges[edge + toAt] as number;
      const key = keyOf(snap, to);
      if (!keys.has(key)) continue;
      const edgeType = edge_types[0][snap.edges[edge + edgeTypeAt] as number] ?? '?';
      if (edgeType === 'weak') continue;
      const rawName = snap.edges[edge + edgeNameAt] as number;
      const edgeName =
        edgeType === 'element' || edgeType === 'hidden' ? `[${rawName}]` : snap.strings[rawName];
      const by = `${keyOf(snap, from)} --${edgeName ?? '?'}-->`;
      const table = out.get(key) ?? new Map<string, { count: number; bytes: number }>();
      const entry = table.get(by) ?? { count: 0, bytes: 0 };
      entry.count++;
      entry.bytes += snap.nodes[to + sizeAt] as number;
      table.set(by, entry);
      out.set(key, table);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const kind = (arg('kind') ?? 'switchboard') as ServerKind;
  const n = Number(arg('connections') ?? 2000);
  const top = Number(arg('top') ?? 40);
  // `--tsx`: run the TypeScript through tsx instead of compiling it (to see what keepNames costs).
  const tsx = process.argv.includes('--tsx');
  const script = async (path: string): Promise<string> => (tsx ? path : await compileScript(path));
  const server = await spawnRpc(await script('bench/support/server-process.ts'), [`--kind=${kind}`]);
  let client: RpcChild | undefined;
  try {
    const { url } = await server.call<{ url: string }>('address');
    client = await spawnRpc(await script('bench/support/client-process.ts'), [
      `--kind=${kind}`,
      `--url=${url}`,
      `--n=${n}`,
      '--local-address=127.0.0.2',
    ]);
    const before = census(await load(await server.call<string>('snapshot', { label: 'before' })));
    await server.call('arm', { n });
    await client.call('connect', { concurrency: 50 });
    await server.call('established');
    const snap = await load(await server.call<string>('snapshot', { label: 'after' }));
    const after = census(snap);
    const rows = [...after.entries()]
      .map(([key, a]) => {
        const b = before.get(key) ?? { count: 0, bytes: 0 };
        return { key, count: (a.count - b.count) / n, bytes: (a.bytes - b.bytes) / n };
      })
      .sort((x, y) => y.bytes - x.bytes);
    const total = rows.reduce((sum, r) => sum + r.bytes, 0);
    console.log(`${kind}: ${int(n)} connections, ${num(total, 0)} B of self size per connection in all\n`);
    console.log('B/conn  objects/conn  type:name');
    for (const r of rows.slice(0, top))
      console.log(`${num(r.bytes, 0).padStart(6)}  ${num(r.count, 2).padStart(12)}  ${r.key}`);
    // `--props=closure:`: the property names of those nodes that have an out-of-object store.
    const propsKey = arg('props');
    if (propsKey !== undefined) {
      console.log(`\nproperties of ${propsKey} with an out-of-object store (per connection):`);
      const sigs = [...propertySignatures(snap, propsKey).entries()].sort((x, y) => y[1] - x[1]).slice(0, 15);
      for (const [sig, count] of sigs) console.log(`${num(count / n, 2).padStart(8)}  ${sig}`);
    }
    // `--owners=array:(object properties),object:Object`: who holds those (bytes per connection).
    const ownerKeys = new Set((arg('owners') ?? '').split(',').filter((k) => k !== ''));
    for (const [key, table] of owners(snap, ownerKeys)) {
      console.log(`\nholders of ${key}:`);
      const held = [...table.entries()].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, 20);
      for (const [by, { count, bytes }] of held)
        console.log(`${num(bytes / n, 0).padStart(6)}  ${num(count / n, 2).padStart(12)}  ${by}`);
    }
  } finally {
    await server.kill();
    await client?.kill();
  }
}

if (isMain(import.meta.url)) await main();
