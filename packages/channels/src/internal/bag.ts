/**
 * A bag of rows `outer → (key → value)` in insertion order: the shape of EMQX's `bag` tables
 * (client id → pids). Almost every client id has one row, so a one-row bucket is a small object
 * and a `Map` is made only for the second row: ≈ 150 B less per client id and table. A bag told how
 * to read a row's key from its value (`keyOf`: a pid's text, say) keeps a one-row bucket as the value
 * itself, without that object: ≈ 40 B less again.
 */

/** A bucket holding exactly one row. */
class Single<TValue> {
  constructor(
    readonly key: string,
    readonly value: TValue,
  ) {}
}

type Bucket<TValue> = Single<TValue> | Map<string, TValue> | TValue;

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

  /**
   * @param keyOf With it, a one-row bucket is its value (values must then never be `Map`s, and
   * each row's key must be `keyOf(value)`); without it, a small object holds the row.
   */
  constructor(private readonly keyOf?: (value: TValue) => string) {}

  /** The key of a one-row bucket (no allocation: lookups run once per delivery). */
  #keyIn(bucket: Single<TValue> | TValue): string {
    return bucket instanceof Single ? bucket.key : (this.keyOf as (value: TValue) => string)(bucket);
  }

  /** The value of a one-row bucket. */
  #valueIn(bucket: Single<TValue> | TValue): TValue {
    return bucket instanceof Single ? bucket.value : bucket;
  }

  /** Number of rows. */
  get rows(): number {
    return this.#rows;
  }

  get(outer: string, key: string): TValue | undefined {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return undefined;
    if (bucket instanceof Map) return bucket.get(key);
    return this.#keyIn(bucket) === key ? this.#valueIn(bucket) : undefined;
  }

  has(outer: string, key: string): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return false;
    if (bucket instanceof Map) return bucket.has(key);
    return this.#keyIn(bucket) === key;
  }

  /** Adds a row; a row already present keeps its value and its place. Returns true if it was new. */
  add(outer: string, key: string, value: TValue): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) {
      this.#buckets.set(outer, this.keyOf ? value : new Single(key, value));
    } else if (bucket instanceof Map) {
      if (bucket.has(key)) return false;
      bucket.set(key, value);
    } else {
      const first = this.#keyIn(bucket);
      if (first === key) return false;
      this.#buckets.set(
        outer,
        new Map([
          [first, this.#valueIn(bucket)],
          [key, value],
        ]),
      );
    }
    this.#rows++;
    return true;
  }

  /** Removes a row; an emptied bucket goes. Returns true if it was there. */
  delete(outer: string, key: string): boolean {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return false;
    if (bucket instanceof Map) {
      if (!bucket.delete(key)) return false;
      if (bucket.size === 0) this.#buckets.delete(outer);
    } else {
      if (this.#keyIn(bucket) !== key) return false;
      this.#buckets.delete(outer);
    }
    this.#rows--;
    return true;
  }

  /** The values under `outer`, oldest first. */
  values(outer: string): TValue[] {
    const bucket = this.#buckets.get(outer);
    if (bucket === undefined) return [];
    if (bucket instanceof Map) return [...bucket.values()];
    return [this.#valueIn(bucket)];
  }

  /** Every outer key with at least one row, in insertion order. */
  outerKeys(): string[] {
    return [...this.#buckets.keys()];
  }

  /** Every row as `[outer, key, value]`, bucket by bucket. */
  *entries(): IterableIterator<[string, string, TValue]> {
    for (const [outer, bucket] of this.#buckets) {
      if (bucket instanceof Map) for (const [key, value] of bucket) yield [outer, key, value];
      else yield [outer, this.#keyIn(bucket), this.#valueIn(bucket)];
    }
  }

  /** Outer keys whose bucket is empty (never, unless the bag is broken: an invariant check). */
  emptyBuckets(): string[] {
    const out: string[] = [];
    for (const [outer, bucket] of this.#buckets)
      if (bucket instanceof Map && bucket.size === 0) out.push(outer);
    return out;
  }
}
