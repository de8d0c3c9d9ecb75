/**
 * The bounded outbound queue of one connection. Frames go straight to the socket while it keeps
 * up; once the socket holds more than its high-water mark they wait here, bounded in bytes and
 * in messages, and the policy decides what a full queue does: evict the slow client, drop its
 * oldest message, or drop the newest.
 */
import type { OutboundPolicy } from './options.js';

/**
 * What `push` did with the frame it was given: written, queued (drop-oldest may have dropped older
 * frames to make room: see `dropped`), dropped itself, or refused because the client must be evicted.
 */
export type PushResult = 'written' | 'queued' | 'dropped' | 'evict';

/** The bounds a queue enforces. */
export interface QueueBounds {
  readonly maxQueueBytes: number;
  readonly maxQueueMessages: number;
  readonly policy: OutboundPolicy;
  readonly socketHighWaterBytes: number;
}

/** Where a queue writes. */
export interface QueueSink {
  /** Bytes the socket buffers now. */
  readonly bufferedBytes: number;
  write(bytes: Uint8Array): void;
}

/**
 * One connection's queue. Frames are shared buffers (a broadcast queues the same bytes for every
 * member), so the queue never copies or mutates them.
 *
 * @example
 * ```ts
 * const q = new OutboundQueue(bounds, wire);
 * if (q.push(frame) === 'evict') connection.close(REASON.SLOW_CONSUMER);
 * wire.attach({ onDrain: () => q.flush(), ... });
 * ```
 */
export class OutboundQueue {
  // A ring would save the shift; queues are short and rarely used, so an array and a head index do.
  private items: Uint8Array[] = [];
  private head = 0;
  /** `items.length - head`, kept here so the per-push check touches only this object. */
  private size = 0;
  private bytes = 0;
  /** Messages this queue dropped (drop-oldest / drop-newest). */
  dropped = 0;

  constructor(
    private readonly bounds: QueueBounds,
    private readonly sink: QueueSink,
  ) {}

  /** Messages waiting. */
  get length(): number {
    return this.size;
  }

  /** Bytes waiting. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Writes the frame, or queues it behind a socket that pushes back, within the bounds. A
   * `control` frame (CONNACK, ACK, PONG, PING: small, and what the protocol needs to go on) is
   * queued in order whatever the bounds, never dropped and never a cause of eviction.
   */
  push(frame: Uint8Array, control = false): PushResult {
    // The fast path, once per client per broadcast: one read of the socket's buffered size.
    if (this.size === 0 && this.sink.bufferedBytes < this.bounds.socketHighWaterBytes) {
      this.sink.write(frame);
      return 'written';
    }
    if (control) {
      this.append(frame);
      return 'queued';
    }
    const full =
      this.length + 1 > this.bounds.maxQueueMessages ||
      this.bytes + frame.byteLength > this.bounds.maxQueueBytes;
    if (!full) {
      this.append(frame);
      return 'queued';
    }
    switch (this.bounds.policy) {
      case 'disconnect':
        return 'evict';
      case 'drop-newest':
        this.dropped++;
        return 'dropped';
      case 'drop-oldest': {
        if (frame.byteLength > this.bounds.maxQueueBytes) {
          this.dropped++;
          return 'dropped';
        }
        while (
          this.length > 0 &&
          (this.length + 1 > this.bounds.maxQueueMessages ||
            this.bytes + frame.byteLength > this.bounds.maxQueueBytes)
        ) {
          this.shift();
          this.dropped++;
        }
        this.append(frame);
        return 'queued';
      }
    }
  }

  /** Moves queued frames to the socket until it pushes back again. Call it on drain. */
  flush(): void {
    while (this.length > 0 && this.sink.bufferedBytes < this.bounds.socketHighWaterBytes) {
      this.sink.write(this.shift());
    }
  }

  /** Forgets everything queued (the connection is gone). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.size = 0;
    this.bytes = 0;
  }

  private append(frame: Uint8Array): void {
    this.items.push(frame);
    this.size++;
    this.bytes += frame.byteLength;
  }

  private shift(): Uint8Array {
    const frame = this.items[this.head] as Uint8Array;
    this.head++;
    this.size--;
    this.bytes -= frame.byteLength;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }
}
