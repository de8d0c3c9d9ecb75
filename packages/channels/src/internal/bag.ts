/**
 * A bag of rows `outer → (key → value)` in insertion order: the shape of EMQX's `bag` tables
 * (client id → pids). Almost every client id has one row, so a one-row bucket is a small object
 * and a `Map` is made only for the second row: ≈ 150 B less per client id and table.
 */

/** A bucket holding exactly one row. */
class Single<TValue> {
  constructor(
    readonly key: string,
    readonly value: TValue,
  ) {}
}

type Bucket<TValue> = Single<TValue> | Map<string, TValue>;

/**
 * @example
 * ```ts
 * const bag = new Bag<Pid>();
 * bag.add('c1', pidKey(pid), pid); // true
 * bag.values('c1'); // [pid]
 * ```
 */
export class Bag<TValue> {
  readonly #buckets = new Map<string, Bucket<TValue>>();
  #rows = 0;

  /** Number of rows. */
  get rows(): number {
    return this.#rows;
  }

  get(outer: string, key: string): TValue | undefined {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return undefined;
    if (bucket instanceof Single) return bucket.key === key ? bucket.value : undefined;
    return bucket.get(key);
  }

  has(outer: string, key: string): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return false;
    return bucket instanceof Single ? bucket.key === key : bucket.has(key);
  }

  /** Adds a row; a row already present keeps its value and its place. Returns true if it was new. */
  add(outer: string, key: string, value: TValue): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) {
      this.#buckets.set(outer, new Single(key, value));
    } else if (bucket instanceof Single) {
      if (bucket.key === key) return false;
      this.#buckets.set(
        outer,
        new Map([
          [bucket.key, bucket.value],
          [key, value],
        ]),
      );
    } else {
      if (bucket.has(key)) return false;
      bucket.set(key, value);
    }
    this.#rows++;
    return true;
  }

  /** Removes a row; an emptied bucket goes. Returns true if it was there. */
  delete(outer: string, key: string): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return false;
    if (bucket instanceof Single) {
      if (bucket.key !== key) return false;
      this.#buckets.delete(outer);
    } else {
      if (!bucket.delete(key)) return false;
      if (bucket.size === 0) this.#buckets.delete(outer);
    }
    this.#rows--;
    return true;
  }

  /** The values under `outer`, oldest first. */
  values(outer: string): TValue[] {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return [];
    return bucket instanceof Single ? [bucket.value] : [...bucket.values()];
  }

  /** Every outer key with at least one row, in insertion order. */
  outerKeys(): string[] {
    return [...this.#buckets.keys()];
  }

  /** Every row as `[outer, key, value]`, bucket by bucket. */
  *entries(): IterableIterator<[string, string, TValue]> {
    for (const [outer, bucket] of this.#buckets) {
      if (bucket instanceof Single) yield [outer, bucket.key, bucket.value];
      else for (const [key, value] of bucket) yield [outer, key, value];
    }
  }

  /** Outer keys whose bucket is empty (never, unless the bag is broken: an invariant check). */
  emptyBuckets(): string[] {
    const out: string[] = [];
    for (const [outer, bucket] of this.#buckets)
      if (!(bucket instanceof Single) && bucket.size === 0) out.push(outer);
    return out;
  }
}
