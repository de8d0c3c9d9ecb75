/**
 * Makes any value safe to put on the feed: plain data only, cut at a depth, with pids, functions,
 * actor refs, Maps, Sets, binary data, bigints and cycles turned into readable stand-ins. A
 * context can hold anything; the feed must never throw or grow without bound because of it.
 */
import { Ref, isPid } from '@switchboard/runtime';
import type { Pid } from '@switchboard/runtime';

/** Longest string kept whole. */
const MAX_STRING = 1000;
/** Most entries of one array, object, Map or Set. */
const MAX_ENTRIES = 100;
/** Most values converted in all: a wide and deep context (a host object, say) stays small. */
const MAX_VALUES = 2000;

/** What a conversion has left of its budget. */
interface Budget {
  readonly seen: Set<object>;
  left: number;
}

export function toSerializable(value: unknown, maxDepth: number): unknown {
  return convert(value, maxDepth, { seen: new Set(), left: MAX_VALUES });
}

function convert(value: unknown, depth: number, budget: Budget): unknown {
  if (--budget.left < 0) return '…';
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
    case 'number':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'object':
      break;
  }
  if (value === null) return null;
  const object = value;
  if (isPid(object)) return (object as Pid).toString();
  // A monitor's ref is also its record (watcher and target processes): shown as the ref only.
  if (object instanceof Ref) return object.toString();
  if (object instanceof Date) return object.toISOString();
  if (object instanceof Uint8Array) return `[${object.byteLength} bytes]`;
  if (object instanceof Error) return `[${object.name}: ${object.message}]`;
  if (
    typeof (object as { sessionId?: unknown }).sessionId === 'string' &&
    typeof (object as { send?: unknown }).send === 'function'
  ) {
    return `[Actor ${(object as { id?: string }).id ?? (object as { sessionId: string }).sessionId}]`;
  }
  const seen = budget.seen;
  if (seen.has(object)) return '[Circular]';
  if (depth <= 0) return Array.isArray(object) ? `[Array(${object.length})]` : '[Object]';
  seen.add(object);
  try {
    if (object instanceof Map)
      return entries(
        [...object.entries()].map(([k, v]) => [String(k), v]),
        object.size,
        depth,
        budget,
        'Map',
      );
    if (object instanceof Set) return list([...object], depth, budget);
    if (Array.isArray(object)) return list(object, depth, budget);
    const own = Object.entries(object);
    return entries(own, own.length, depth, budget, undefined);
  } finally {
    seen.delete(object);
  }
}

function list(items: readonly unknown[], depth: number, budget: Budget): unknown[] {
  const out = items.slice(0, MAX_ENTRIES).map((item) => convert(item, depth - 1, budget));
  if (items.length > MAX_ENTRIES) out.push(`… ${items.length - MAX_ENTRIES} more`);
  return out;
}

function entries(
  pairs: readonly (readonly [string, unknown])[],
  size: number,
  depth: number,
  budget: Budget,
  kind: string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = kind ? { '[type]': kind } : {};
  for (const [key, item] of pairs.slice(0, MAX_ENTRIES)) {
    // `__proto__` as an own key would become the prototype on the page's side.
    out[key === '__proto__' ? '[__proto__]' : key] = convert(item, depth - 1, budget);
  }
  if (size > MAX_ENTRIES) out['…'] = `${size - MAX_ENTRIES} more`;
  return out;
}
