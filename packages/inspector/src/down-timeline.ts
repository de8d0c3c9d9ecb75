/**
 * The DOWN batch timeline: each batch the channel manager handled (`cm.down.batch`), its size,
 * how many of its pids the pmon knew, and the cleanup latency — from the batch to the cleanup
 * pool's last `cm.cleanup.end` of its pids. Without a channel manager it shows every
 * `rt.down.batch` the runtime queued (no cleanup latency). Listens only while a page is connected.
 */
import type { DownBatch, DownsMessage } from './feed-protocol.js';

interface PendingBatch {
  at: number;
  /** Runtime clock time of the batch, for the latency. */
  readonly clockAt: number;
  readonly size: number;
  readonly known: number;
  remaining: number;
  cleanupMs?: number;
}

export class DownTimeline {
  readonly #batches: PendingBatch[] = [];
  /** Dead pid (string) → the batch waiting for its cleanup. */
  readonly #waiting = new Map<string, PendingBatch>();
  #totalBatches = 0;
  #totalDowns = 0;

  constructor(private readonly capacity: number) {}

  /** A batch arrived: `pids` in order; `known` of them were the pmon's. */
  batch(
    pids: readonly unknown[],
    known: number,
    wallAt: number,
    clockAt: number,
    awaitCleanup: boolean,
  ): void {
    const batch: PendingBatch = { at: wallAt, clockAt, size: pids.length, known, remaining: 0 };
    if (awaitCleanup) {
      for (const pid of pids) {
        const key = String(pid);
        if (this.#waiting.has(key)) continue;
        this.#waiting.set(key, batch);
        batch.remaining++;
      }
      if (batch.remaining === 0) batch.cleanupMs = 0;
    }
    this.#batches.push(batch);
    this.#totalBatches++;
    this.#totalDowns += pids.length;
    while (this.#batches.length > this.capacity) {
      const gone = this.#batches.shift();
      // A batch that falls out of the window stops waiting (its pids may never be cleaned).
      if (gone && gone.cleanupMs === undefined) {
        for (const [key, b] of this.#waiting) if (b === gone) this.#waiting.delete(key);
      }
    }
  }

  /** The cleanup pool finished a pid. */
  cleaned(pid: unknown, clockAt: number): void {
    const key = String(pid);
    const batch = this.#waiting.get(key);
    if (!batch) return;
    this.#waiting.delete(key);
    batch.remaining--;
    if (batch.remaining === 0) batch.cleanupMs = clockAt - batch.clockAt;
  }

  message(): DownsMessage {
    return {
      t: 'downs',
      batches: this.#batches.map((b): DownBatch => ({
        at: b.at,
        size: b.size,
        known: b.known,
        ...(b.cleanupMs !== undefined ? { cleanupMs: b.cleanupMs } : {}),
      })),
      totalBatches: this.#totalBatches,
      totalDowns: this.#totalDowns,
    };
  }
}
