/**
 * Process identifiers and monitor references: opaque, serialisable, comparable values that a
 * process can be addressed by long after it is gone (sends to a dead pid are dropped, not errors).
 */

/** The serialised form of a {@link Pid}: what `JSON.stringify(pid)` and msgpack carry. */
export interface PidJSON {
  readonly node: string;
  readonly id: number;
  readonly incarnation: number;
}

/**
 * Identifies one process for its whole life. `id` is never reused within a runtime;
 * `incarnation` tells two runtimes that used the same node name apart (Erlang's "creation").
 *
 * @example
 * ```ts
 * const pid = rt.spawn(machine);
 * String(pid); // '<local.1.0>'
 * pidEquals(pid, Pid.fromJSON(JSON.parse(JSON.stringify(pid)))); // true
 * ```
 */
export class Pid implements PidJSON {
  readonly node: string;
  readonly id: number;
  readonly incarnation: number;
  /**
   * The text, built on first use and kept: tables key pids by it (one shared string hashes once
   * and compares by identity), and logs and labels reuse it. Costs the pid nothing while unused:
   * it fills the object's fourth slot, which its allocation has anyway.
   */
  #text: string | undefined = undefined;

  constructor(node: string, id: number, incarnation: number) {
    this.node = node;
    this.id = id;
    this.incarnation = incarnation;
  }

  /** Rebuilds a pid from its serialised form (for example after crossing a wire). */
  static fromJSON(json: PidJSON): Pid {
    return new Pid(json.node, json.id, json.incarnation);
  }

  /** Parses the output of `String(pid)`. Returns undefined for anything else. */
  static parse(text: string): Pid | undefined {
    const match = /^<(.+)\.(\d+)\.(\d+)>$/.exec(text);
    if (!match) return undefined;
    return new Pid(match[1] as string, Number(match[2]), Number(match[3]));
  }

  /** `<node.id.incarnation>`, the same string object on every call (a flat string: `join` builds it in one piece). */
  toString(): string {
    return (this.#text ??= [`<${this.node}`, this.id, `${this.incarnation}>`].join('.'));
  }

  toJSON(): PidJSON {
    return { node: this.node, id: this.id, incarnation: this.incarnation };
  }
}

/** True when both values name the same process. */
export function pidEquals(a: PidJSON, b: PidJSON): boolean {
  return a.id === b.id && a.incarnation === b.incarnation && a.node === b.node;
}

/** A total order on pids: by node, then incarnation, then id. */
export function comparePids(a: PidJSON, b: PidJSON): number {
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  if (a.incarnation !== b.incarnation) return a.incarnation - b.incarnation;
  return a.id - b.id;
}

/** True for a {@link Pid} or its serialised form. */
export function isPid(value: unknown): value is PidJSON {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<PidJSON>;
  return typeof v.node === 'string' && typeof v.id === 'number' && typeof v.incarnation === 'number';
}

/**
 * A unique reference, as returned by `monitor` and carried in `call` requests.
 *
 * @example
 * ```ts
 * const ref = rt.monitor(watcher, target);
 * String(ref); // '#Ref<local.7>'
 * ```
 */
export class Ref {
  readonly node: string;
  readonly id: number;

  constructor(node: string, id: number) {
    this.node = node;
    this.id = id;
  }

  toString(): string {
    return `#Ref<${this.node}.${this.id}>`;
  }

  toJSON(): { node: string; id: number } {
    return { node: this.node, id: this.id };
  }
}
