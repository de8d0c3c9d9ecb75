/**
 * A growable ring buffer: O(1) push and shift without the O(n) `Array#shift`, and no
 * allocation per element. Mailboxes and the live dispatcher's run queue are built on it.
 */
export class RingQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 4) {
    this.items = new Array<T | undefined>(initialCapacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The i-th element from the head. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.head + index) % this.items.length];
  }

  /** Removes and returns the i-th element, keeping the order of the others. O(n). */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    if (index === 0) return this.shift();
    const cap = this.items.length;
    const item = this.items[(this.head + index) % cap];
    for (let i = index; i < this.count - 1; i++) {
      this.items[(this.head + i) % cap] = this.items[(this.head + i + 1) % cap];
    }
    this.items[(this.head + this.count - 1) % cap] = undefined;
    this.count--;
    return item;
  }

  /** Removes every element for which `drop` returns true; returns how many were removed. */
  removeWhere(drop: (item: T) => boolean): number {
    const kept: T[] = [];
    let removed = 0;
    for (let i = 0; i < this.count; i++) {
      const item = this.items[(this.head + i) % this.items.length] as T;
      if (drop(item)) removed++;
      else kept.push(item);
    }
    if (removed > 0) {
      this.clear();
      for (const item of kept) this.push(item);
    }
    return removed;
  }

  clear(): void {
    this.items = new Array<T | undefined>(4);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) % this.items.length] as T;
  }

  private grow(): void {
    const next = new Array<T | undefined>(Math.max(4, this.items.length * 2));
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
