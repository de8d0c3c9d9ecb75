/**
 * Where a server's bytes per idle connection go: heap snapshots of the server process before
 * and after N connections (the same servers, clients and settling as bench/transport.ts), diffed
 * by node type and constructor or closure name, printed per connection. A profiling aid for the
 * memory goal, not part of `npm run bench`.
 *
 *   node --conditions=source --expose-gc --import tsx bench/transport-census.ts --kind=switchboard --connections=2000
 *     [--top=40] [--tsx] [--props=closure:] [--owners=object:Object,array:(object properties)]
 *     [--anchors=Socket,WebSocket,Connection,Process] [--anchor-top=30] [--detail=Process] [--detail-top=60] [--deep=1]
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

/** The ids of a snapshot's nodes (stable across snapshots of one process). */
function idsOf(snap: HeapSnapshot): Set<number> {
  const width = snap.snapshot.meta.node_fields.length;
  const idAt = snap.snapshot.meta.node_fields.indexOf('id');
  const ids = new Set<number>();
  for (let i = 0; i < snap.nodes.length; i += width) ids.add(snap.nodes[i + idAt] as number);
  return ids;
}

/**
 * The nodes that are new since `before`, each claimed by the first anchor class (`object:Name`,
 * in `anchors` order) whose instances reach it through new nodes without entering an instance
 * of another anchor class: what each layer of a connection holds on its own. The unclaimed rest
 * is grouped by its old (pre-existing) holder, the way the server's shared tables grow.
 */
function byAnchor(
  snap: HeapSnapshot,
  before: ReadonlySet<number>,
  anchors: readonly string[],
  detail: Census = new Map(),
): Census {
  const { node_fields, edge_fields, edge_types } = snap.snapshot.meta;
  const width = node_fields.length;
  const edgeWidth = edge_fields.length;
  const countAt = node_fields.indexOf('edge_count');
  const sizeAt = node_fields.indexOf('self_size');
  const idAt = node_fields.indexOf('id');
  const edgeTypeAt = edge_fields.indexOf('type');
  const edgeNameAt = edge_fields.indexOf('name_or_index');
  const toAt = edge_fields.indexOf('to_node');
  const nodeCount = snap.nodes.length / width;
  const firstEdge = new Int32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++)
    firstEdge[n + 1] = (firstEdge[n] as number) + (snap.nodes[n * width + countAt] as number) * edgeWidth;
  const isNew = (n: number): boolean => !before.has(snap.nodes[n * width + idAt] as number);
  const anchorIndex = new Map(anchors.map((a, i) => [`object:${a}`, i]));
  const anchorOf = (n: number): number | undefined => anchorIndex.get(keyOf(snap, n * width));
  const owner = new Int32Array(nodeCount).fill(-1);
  const deep = arg('deep') !== undefined;
  const out: Census = new Map();
  const claim = (key: string, n: number): void => {
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[n * width + sizeAt] as number;
    out.set(key, entry);
  };
  anchors.forEach((anchor, a) => {
    const queue: number[] = [];
    for (let n = 0; n < nodeCount; n++)
      if (owner[n] === -1 && isNew(n) && anchorOf(n) === a) {
        owner[n] = a;
        queue.push(n);
      }
    const via = new Map<number, string>();
    const edgeTo = new Map<number, string>();
    for (let head = 0; head < queue.length; head++) {
      const from = queue[head] as number;
      claim(`${anchor} (and what only it reaches)`, from);
      const detailKey = `${anchor}: ${via.get(from) ?? ''}${keyOf(snap, from * width)}`;
      const entry = detail.get(detailKey) ?? { count: 0, bytes: 0 };
      entry.count++;
      entry.bytes += snap.nodes[from * width + sizeAt] as number;
      detail.set(detailKey, entry);
      for (let e = firstEdge[from] as number; e < (firstEdge[from + 1] as number); e += edgeWidth) {
        if (edge_types[0][snap.edges[e + edgeTypeAt] as number] === 'weak') continue;
        const to = (snap.edges[e + toAt] as number) / width;
        if (owner[to] !== -1 || !isNew(to)) continue;
        const other = anchorOf(to);
        if (other !== undefined && other !== a) continue;
        owner[to] = a;
        const type = edge_types[0][snap.edges[e + edgeTypeAt] as number];
        const raw = snap.edges[e + edgeNameAt] as number;
        const edge = type === 'element' || type === 'hidden' ? '[]' : (snap.strings[raw] ?? '?');
        // `--deep`: the holder named by the edge it was reached by, to tell one array from another.
        const holder = deep ? (edgeTo.get(from) ?? keyOf(snap, from * width)) : keyOf(snap, from * width);
        edgeTo.set(to, `${keyOf(snap, from * width)}.${edge}`);
        via.set(to, `${holder}.${edge} → `);
        queue.push(to);
      }
    }
  });
  // What holds each node (its first named retainer), to tell one shared Map from another.
  const holder = new Array<string | undefined>(nodeCount);
  for (let from = 0; from < nodeCount; from++) {
    for (let e = firstEdge[from] as number; e < (firstEdge[from + 1] as number); e += edgeWidth) {
      const edgeType = edge_types[0][snap.edges[e + edgeTypeAt] as number];
      if (edgeType !== 'property' && edgeType !== 'context' && edgeType !== 'internal') continue;
      const to = (snap.edges[e + toAt] as number) / width;
      if (holder[to] !== undefined) continue;
      const name = snap.strings[snap.edges[e + edgeNameAt] as number] ?? '?';
      if (name === '__proto__' || name === 'map') continue;
      holder[to] = `${keyOf(snap, from * width)}.${name}`;
    }
  }
  // The rest, region by region: each starts at a new node an old node holds (a shared table's
  // entry, a module-level map's value) and takes what only it reaches.
  for (let from = 0; from < nodeCount; from++) {
    if (isNew(from)) continue;
    for (let e = firstEdge[from] as number; e < (firstEdge[from + 1] as number); e += edgeWidth) {
      const root = (snap.edges[e + toAt] as number) / width;
      if (owner[root] !== -1 || !isNew(root)) continue;
      const edgeType = edge_types[0][snap.edges[e + edgeTypeAt] as number] ?? '?';
      if (edgeType === 'weak') continue;
      const raw = snap.edges[e + edgeNameAt] as number;
      const name = edgeType === 'element' || edgeType === 'hidden' ? '[]' : (snap.strings[raw] ?? '?');
      const label = `other: (${holder[from] ?? '?'}) ${keyOf(snap, from * width)} --${name}--> ${keyOf(snap, root * width)}`;
      owner[root] = anchors.length;
      const queue = [root];
      for (let head = 0; head < queue.length; head++) {
        const at = queue[head] as number;
        claim(label, at);
        for (let f = firstEdge[at] as number; f < (firstEdge[at + 1] as number); f += edgeWidth) {
          if (edge_types[0][snap.edges[f + edgeTypeAt] as number] === 'weak') continue;
          const to = (snap.edges[f + toAt] as number) / width;
          if (owner[to] !== -1 || !isNew(to)) continue;
          owner[to] = anchors.length;
          queue.push(to);
        }
      }
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
    const first = await load(await server.call<string>('snapshot', { label: 'before' }));
    const before = census(first);
    const beforeIds = idsOf(first);
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
    // `--anchors=Socket,WebSocket,Connection,Process`: what each layer holds on its own.
    const anchors = (arg('anchors') ?? '').split(',').filter((a) => a !== '');
    if (anchors.length > 0) {
      console.log('\nby anchor (B/conn, objects/conn):');
      const detail: Census = new Map();
      const rows = [...byAnchor(snap, beforeIds, anchors, detail).entries()].sort(
        (x, y) => y[1].bytes - x[1].bytes,
      );
      for (const [key, { count, bytes }] of rows.slice(0, Number(arg('anchor-top') ?? 30)))
        console.log(`${num(bytes / n, 0).padStart(6)}  ${num(count / n, 2).padStart(12)}  ${key}`);
      // `--detail=Process`: that anchor's objects, each with the edge it was reached by.
      const detailOf = arg('detail');
      if (detailOf !== undefined) {
        console.log(`\n${detailOf} in detail (B/conn, objects/conn, holder.edge → type:name):`);
        const lines = [...detail.entries()]
          .filter(([key]) => key.startsWith(`${detailOf}: `))
          .sort((x, y) => y[1].bytes - x[1].bytes);
        for (const [key, { count, bytes }] of lines.slice(0, Number(arg('detail-top') ?? 60)))
          console.log(`${num(bytes / n, 0).padStart(6)}  ${num(count / n, 2).padStart(12)}  ${key}`);
      }
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
