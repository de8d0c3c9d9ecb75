/**
 * A process's mailbox: a bounded FIFO of (sender, message) pairs with an overflow policy and a
 * drop counter. It belongs to the process shell, not to XState, so its length is observable and
 * a storm cannot grow it without limit. Delivery order is FIFO per (sender, receiver) pair: the
 * live dispatcher takes the head; the deterministic one may take the first message of any sender.
 */
import { InvalidOption } from './errors.js';

/** What happens when a message arrives at a full mailbox. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'kill' | 'reject';

/** Mailbox options given to `spawn`. */
export interface MailboxOptions {
  /** Maximum queued messages. Default: unbounded. */
  readonly capacity?: number;
  /** Policy when full. Default: `'drop-newest'`. */
  readonly overflow?: OverflowPolicy;
}

/** The outcome of offering one message to a mailbox. */
export type OfferResult = 'queued' | 'dropped-newest' | 'dropped-oldest' | 'rejected' | 'overflow';

const POLICIES: readonly OverflowPolicy[] = ['drop-newest', 'drop-oldest', 'kill', 'reject'];

/** Validated, shareable mailbox settings (one object serves every process spawned with them). */
export interface MailboxSpec {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
}

/** The settings of an unbounded mailbox, shared by every process that takes the default. */
export const UNBOUNDED: MailboxSpec = Object.freeze({ capacity: Infinity, overflow: 'drop-newest' });

/**
 * Validates mailbox options.
 *
 * @throws {TypeError} RT_ERR_INVALID_OPTION for a capacity that is not a positive integer or an
 *   unknown policy.
 */
export function mailboxSpec(options: MailboxOptions | undefined): MailboxSpec {
  if (!options || (options.capacity === undefined && options.overflow === undefined)) return UNBOUNDED;
  const capacity = options.capacity ?? Infinity;
  if (capacity !== Infinity && (!Number.isInteger(capacity) || capacity < 1)) {
    throw new InvalidOption(`mailbox.capacity must be a positive integer, got ${String(capacity)}`);
  }
  const overflow = options.overflow ?? 'drop-newest';
  if (!POLICIES.includes(overflow)) {
    throw new InvalidOption(
      `mailbox.overflow must be one of ${POLICIES.join(', ')}, got ${String(overflow)}`,
    );
  }
  return { capacity, overflow };
}

/**
 * The queue itself. Entries are stored inline in one ring so that a queued message costs no
 * allocation of its own: (sender, message) pairs, plus a system flag per entry in a bounded
 * mailbox (an unbounded one never evicts, so it never needs to know).
 */
/** The slots of every empty mailbox: an idle process holds no ring (≈ 110 B each). Never written. */
const NO_SLOTS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** Entries of the first ring a mailbox allocates. */
const FIRST_CAPACITY = 4;

export class Mailbox<TSender = unknown, TMessage = unknown> {
  /** Messages lost to the overflow policy since the process started. */
  dropped = 0;
  private slots: unknown[];
  private head = 0;
  private count = 0;

  constructor(readonly spec: MailboxSpec = UNBOUNDED) {
    this.slots = NO_SLOTS;
  }

  get length(): number {
    return this.count;
  }

  /** Slots per entry: sender and message, and the system flag when bounded. */
  private get stride(): number {
    return this.spec.capacity === Infinity ? 2 : 3;
  }

  /**
   * Offers a message. `system` messages (DOWN, EXIT, replies, timers) bypass the capacity, as
   * in Erlang: losing one would break the exactly-once guarantees built on them. For the same
   * reason `drop-oldest` evicts the oldest non-system message, never a system one.
   */
  offer(sender: TSender, message: TMessage, system: boolean): OfferResult {
    if (!system && this.count >= this.spec.capacity) {
      switch (this.spec.overflow) {
        case 'drop-newest':
          this.dropped++;
          return 'dropped-newest';
        case 'drop-oldest': {
          this.dropped++;
          const oldest = this.indexOf((_sender, isSystem) => !isSystem);
          // Only system messages fill the mailbox: nothing may be evicted, so the newcomer goes.
          if (oldest < 0) return 'dropped-newest';
          this.removeAt(oldest);
          this.push(sender, message, false);
          return 'dropped-oldest';
        }
        case 'reject':
          this.dropped++;
          return 'rejected';
        case 'kill':
          this.dropped++;
          return 'overflow';
      }
    }
    this.push(sender, message, system);
    return 'queued';
  }

  /** The sender of the head message. */
  peekSender(): TSender | undefined {
    return this.count === 0 ? undefined : (this.slots[this.head * this.stride] as TSender);
  }

  /** Removes and returns the head message (call `peekSender` first to learn who sent it). */
  shift(): TMessage | undefined {
    if (this.count === 0) return undefined;
    const stride = this.stride;
    const i = this.head * stride;
    const message = this.slots[i + 1] as TMessage;
    for (let f = 0; f < stride; f++) this.slots[i + f] = undefined;
    this.head = (this.head + 1) % (this.slots.length / stride);
    this.count--;
    // Drained: give the ring back, so that an idle process costs no slots.
    if (this.count === 0) this.release();
    return message;
  }

  /** Removes and returns the oldest message from `sender` (per-sender FIFO). O(n). */
  takeFrom(sender: TSender): TMessage | undefined {
    const index = this.indexOf((s) => s === sender);
    return index < 0 ? undefined : this.removeAt(index);
  }

  /** The distinct senders with queued messages, in order of their oldest message. */
  senders(): TSender[] {
    const seen = new Set<TSender>();
    this.forEach((sender) => seen.add(sender));
    return [...seen];
  }

  /** Removes every message matching `drop`; returns how many went. */
  removeWhere(drop: (message: TMessage, sender: TSender) => boolean): number {
    const kept: [TSender, TMessage, boolean][] = [];
    this.visit((sender, message, system) => {
      if (!drop(message, sender)) kept.push([sender, message, system]);
    });
    const removed = this.count - kept.length;
    if (removed > 0) {
      this.clear();
      for (const [sender, message, system] of kept) this.push(sender, message, system);
    }
    return removed;
  }

  /** Visits every queued message in order. */
  forEach(visit: (sender: TSender, message: TMessage) => void): void {
    this.visit(visit);
  }

  clear(): void {
    this.count = 0;
    this.release();
  }

  private release(): void {
    this.slots = NO_SLOTS;
    this.head = 0;
  }

  private visit(visit: (sender: TSender, message: TMessage, system: boolean) => void): void {
    const stride = this.stride;
    const cap = this.slots.length / stride;
    for (let k = 0; k < this.count; k++) {
      const i = ((this.head + k) % cap) * stride;
      visit(
        this.slots[i] as TSender,
        this.slots[i + 1] as TMessage,
        stride === 3 && this.slots[i + 2] === true,
      );
    }
  }

  private push(sender: TSender, message: TMessage, system: boolean): void {
    const stride = this.stride;
    let cap = this.slots.length / stride;
    if (this.count === cap) {
      const next = new Array<unknown>(Math.max(FIRST_CAPACITY, cap * 2) * stride);
      for (let k = 0; k < this.count; k++) {
        const i = ((this.head + k) % cap) * stride;
        for (let f = 0; f < stride; f++) next[k * stride + f] = this.slots[i + f];
      }
      this.slots = next;
      this.head = 0;
      cap = next.length / stride;
    }
    const i = ((this.head + this.count) % cap) * stride;
    this.slots[i] = sender;
    this.slots[i + 1] = message;
    if (stride === 3) this.slots[i + 2] = system;
    this.count++;
  }

  private indexOf(match: (sender: TSender, system: boolean) => boolean): number {
    const stride = this.stride;
    const cap = this.slots.length / stride;
    for (let k = 0; k < this.count; k++) {
      const i = ((this.head + k) % cap) * stride;
      if (match(this.slots[i] as TSender, stride === 3 && this.slots[i + 2] === true)) return k;
    }
    return -1;
  }

  private removeAt(index: number): TMessage {
    const stride = this.stride;
    const cap = this.slots.length / stride;
    const at = ((this.head + index) % cap) * stride;
    const message = this.slots[at + 1] as TMessage;
    for (let k = index; k < this.count - 1; k++) {
      const i = ((this.head + k) % cap) * stride;
      const j = ((this.head + k + 1) % cap) * stride;
      for (let f = 0; f < stride; f++) this.slots[i + f] = this.slots[j + f];
    }
    const last = ((this.head + this.count - 1) % cap) * stride;
    for (let f = 0; f < stride; f++) this.slots[last + f] = undefined;
    this.count--;
    return message;
  }
}
