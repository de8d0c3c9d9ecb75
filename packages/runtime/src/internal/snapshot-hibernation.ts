/**
 * Hibernation, after Erlang's `erlang:hibernate` (EMQX hibernates idle connections): a process whose
 * mailbox has drained keeps its XState snapshot in 40 B instead of 144 B.
 *
 * An XState machine snapshot is an object of 15 properties. Only two belong to the process: its
 * context and its active state nodes (`_nodes`, an array shared by every process in the same
 * states, see `sharedNodes`). The rest is the same for every running process of a machine in those
 * states:
 * - XState's five methods and the machine;
 * - `status: 'active'`, no `output`, no `error`;
 * - empty `tags`, `children` and `historyValue`, shared ones (see `compact`);
 * - the state value, a function of the active nodes.
 *
 * So an idle process keeps those two in its own fields (see `Process.hibernate`), and a read that
 * must not wake it sees a `HibernatedSnapshot` view of them, reading the rest through getters. The
 * next message, or anyone asking for the snapshot (`getSnapshot`, `rt.processSnapshot`), wakes it:
 * the full snapshot is rebuilt in XState's own property order, equal to the one put away. Only a
 * snapshot exactly of that shape is put away; any other is kept as it is.
 */

/** Shared by every process while empty: XState copies before it writes them (see `compact`). */
export const EMPTY_TAGS: ReadonlySet<string> = new Set<string>();
export const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});

/** The parts of an XState machine snapshot this module reads and rebuilds. */
interface MachineSnapshot {
  readonly status: unknown;
  readonly output: unknown;
  readonly error: unknown;
  readonly machine: unknown;
  readonly context: unknown;
  readonly _nodes: readonly { readonly machine?: unknown }[];
  readonly value: unknown;
  readonly tags: unknown;
  readonly children: unknown;
  readonly historyValue: unknown;
  readonly matches: unknown;
  readonly hasTag: unknown;
  readonly can: unknown;
  readonly getMeta: unknown;
  readonly toJSON: unknown;
}

type Methods = Pick<MachineSnapshot, 'matches' | 'hasTag' | 'can' | 'getMeta' | 'toJSON'>;

/** XState's snapshot methods: functions of its module, the same in every snapshot; taken from the first one put away. */
let methods: Methods | undefined;

/** The state value of each shared `_nodes` array (frozen: every process in those states reads it). */
const VALUES = new WeakMap<object, unknown>();

/** A view of an idle process's snapshot: its own two parts; the rest is read through getters. */
export class HibernatedSnapshot {
  constructor(
    readonly context: unknown,
    readonly _nodes: readonly { readonly machine?: unknown }[],
  ) {}

  get status(): 'active' {
    return 'active';
  }
  get output(): undefined {
    return undefined;
  }
  get error(): undefined {
    return undefined;
  }
  /** The root state node (first of the active nodes) knows its machine. */
  get machine(): unknown {
    return this._nodes[0]?.machine;
  }
  get value(): unknown {
    return VALUES.get(this._nodes);
  }
  get tags(): ReadonlySet<string> {
    return EMPTY_TAGS;
  }
  get children(): Readonly<Record<string, never>> {
    return EMPTY_RECORD;
  }
  get historyValue(): Readonly<Record<string, never>> {
    return EMPTY_RECORD;
  }
  // XState's methods, on a full snapshot built for the call: they are rare (a process's own
  // transitions and every reader of its snapshot wake it first).
  matches(value: unknown): boolean {
    return call(this, 'matches', value) as boolean;
  }
  hasTag(tag: string): boolean {
    return call(this, 'hasTag', tag) as boolean;
  }
  can(event: unknown): boolean {
    return call(this, 'can', event) as boolean;
  }
  getMeta(): unknown {
    return call(this, 'getMeta');
  }
  toJSON(): unknown {
    return call(this, 'toJSON');
  }
}

function call(h: HibernatedSnapshot, method: keyof Methods, arg?: unknown): unknown {
  const full = wake(h.context, h._nodes) as Record<keyof Methods, (arg?: unknown) => unknown>;
  return full[method](arg);
}

/** The active state nodes of a snapshot, shared by every process in those states. */
export type ActiveNodes = readonly { readonly machine?: unknown }[];

/**
 * What an idle process keeps of `snapshot` besides its context: the shared active nodes when
 * `snapshot` is a running machine's with nothing but its context and those nodes of its own, else
 * undefined (the snapshot is kept whole).
 */
export function hibernatable(snapshot: unknown): ActiveNodes | undefined {
  if (snapshot === null || typeof snapshot !== 'object') return undefined;
  const s = snapshot as Partial<MachineSnapshot>;
  if (
    s.status !== 'active' ||
    s.output !== undefined ||
    s.error !== undefined ||
    s.tags !== EMPTY_TAGS ||
    s.children !== EMPTY_RECORD ||
    s.historyValue !== EMPTY_RECORD
  )
    return undefined;
  const nodes = s._nodes;
  // Shared node arrays are frozen (see `sharedNodes`): their value is the same for every process.
  if (nodes === undefined || !Object.isFrozen(nodes) || nodes[0]?.machine !== s.machine) return undefined;
  methods ??= { matches: s.matches, hasTag: s.hasTag, can: s.can, getMeta: s.getMeta, toJSON: s.toJSON };
  if (
    s.matches !== methods.matches ||
    s.hasTag !== methods.hasTag ||
    s.can !== methods.can ||
    s.getMeta !== methods.getMeta ||
    s.toJSON !== methods.toJSON
  )
    return undefined;
  if (!VALUES.has(nodes)) VALUES.set(nodes, deepFreeze(s.value));
  return nodes;
}

/** The full XState snapshot of a hibernated one (a new object, in XState's property order). */
export function wake(context: unknown, nodes: ActiveNodes): unknown {
  const m = methods as Methods;
  return {
    status: 'active',
    output: undefined,
    error: undefined,
    machine: nodes[0]?.machine,
    context,
    _nodes: nodes,
    value: VALUES.get(nodes),
    tags: EMPTY_TAGS,
    children: EMPTY_RECORD,
    historyValue: EMPTY_RECORD,
    matches: m.matches,
    hasTag: m.hasTag,
    can: m.can,
    getMeta: m.getMeta,
    toJSON: m.toJSON,
  };
}

/** A state value (a string, or nested objects of them) frozen all the way down: processes share it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
