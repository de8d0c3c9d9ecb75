// Unit tests of OutboundQueue against a fake socket whose buffered byte count the test sets: writes
// while the socket keeps up, queueing behind it, each policy at a full queue (by messages and by
// bytes), flush on drain, frames larger than the byte bound, and the shared buffers of a broadcast
// going through untouched. A property checks that no sequence of pushes and drains ever exceeds the
// bounds, and that every frame is written, still queued, or counted as dropped.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { OutboundQueue } from '../../src/outbound-queue.js';
import type { QueueBounds, QueueSink } from '../../src/outbound-queue.js';
import type { OutboundPolicy } from '../../src/options.js';

/** A socket the test controls: `bufferedBytes` is whatever the test says it is. */
class FakeSink implements QueueSink {
  bufferedBytes = 0;
  readonly written: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
}

const HWM = 100;
function queue(bounds: Partial<QueueBounds> = {}) {
  const sink = new FakeSink();
  const q = new OutboundQueue(
    {
      maxQueueBytes: 1000,
      maxQueueMessages: 3,
      policy: 'disconnect',
      socketHighWaterBytes: HWM,
      ...bounds,
    },
    sink,
  );
  return { q, sink };
}
/** A frame of `size` bytes whose first byte tells frames apart. */
const frame = (tag: number, size = 10): Uint8Array => new Uint8Array(size).fill(tag);
const tags = (frames: readonly Uint8Array[]): number[] => frames.map((f) => f[0] ?? -1);

describe('OutboundQueue', () => {
  it('writes straight to a socket below its high-water mark', () => {
    const { q, sink } = queue();
    expect(q.push(frame(1))).toBe('written');
    sink.bufferedBytes = HWM - 1;
    expect(q.push(frame(2))).toBe('written');
    expect(tags(sink.written)).toEqual([1, 2]);
    expect(q.length).toBe(0);
    expect(q.queuedBytes).toBe(0);
  });

  it('queues once the socket holds its high-water mark, and keeps queueing behind what waits', () => {
    const { q, sink } = queue();
    sink.bufferedBytes = HWM;
    expect(q.push(frame(1, 10))).toBe('queued');
    // The socket drained without a flush: order still wins, the frame goes behind the queued one.
    sink.bufferedBytes = 0;
    expect(q.push(frame(2, 20))).toBe('queued');
    expect(sink.written).toEqual([]);
    expect(q.length).toBe(2);
    expect(q.queuedBytes).toBe(30);
  });

  it('flush moves queued frames in order until the socket pushes back again', () => {
    const { q, sink } = queue({ maxQueueMessages: 10 });
    sink.bufferedBytes = HWM;
    for (const tag of [1, 2, 3, 4]) q.push(frame(tag, 40));
    // Each write adds its bytes to the socket's buffer, as a real socket does.
    const write = sink.write.bind(sink);
    sink.write = (bytes) => {
      write(bytes);
      sink.bufferedBytes += bytes.byteLength;
    };
    sink.bufferedBytes = 0;
    q.flush(); // 0 → 40 → 80 → 120: three frames fit under 100 before the check fails
    expect(tags(sink.written)).toEqual([1, 2, 3]);
    expect(q.length).toBe(1);
    expect(q.queuedBytes).toBe(40);
    sink.bufferedBytes = 0;
    q.flush();
    expect(tags(sink.written)).toEqual([1, 2, 3, 4]);
    expect(q.length).toBe(0);
    expect(q.queuedBytes).toBe(0);
    // Empty again: the next frame is written at once.
    sink.bufferedBytes = 0;
    expect(q.push(frame(5))).toBe('written');
  });

  it('flush does nothing while the socket is still full', () => {
    const { q, sink } = queue();
    sink.bufferedBytes = HWM;
    q.push(frame(1));
    q.flush();
    expect(sink.written).toEqual([]);
    expect(q.length).toBe(1);
  });

  it('never copies or mutates a frame: the bytes written are the very buffer pushed', () => {
    const { q, sink } = queue();
    const shared = frame(7, 16);
    const before = Uint8Array.from(shared);
    expect(q.push(shared)).toBe('written');
    sink.bufferedBytes = HWM;
    expect(q.push(shared)).toBe('queued');
    sink.bufferedBytes = 0;
    q.flush();
    expect(sink.written).toHaveLength(2);
    for (const w of sink.written) expect(w).toBe(shared);
    expect(shared).toEqual(before);
  });

  it('one broadcast buffer pushed into many queues is written by reference into each', () => {
    const shared = frame(9, 32);
    const queues = [queue(), queue(), queue()];
    (queues[1] as { sink: FakeSink }).sink.bufferedBytes = HWM;
    for (const { q } of queues) q.push(shared);
    (queues[1] as { sink: FakeSink }).sink.bufferedBytes = 0;
    (queues[1] as { q: OutboundQueue }).q.flush();
    for (const { sink } of queues) expect(sink.written).toEqual([shared]);
    for (const { sink } of queues) expect(sink.written[0]).toBe(shared);
  });

  describe("policy 'disconnect'", () => {
    it('answers evict when the message bound would be passed, and keeps the queue as it was', () => {
      const { q, sink } = queue({ policy: 'disconnect', maxQueueMessages: 2 });
      sink.bufferedBytes = HWM;
      expect(q.push(frame(1))).toBe('queued');
      expect(q.push(frame(2))).toBe('queued');
      expect(q.push(frame(3))).toBe('evict');
      expect(q.length).toBe(2);
      expect(q.dropped).toBe(0);
    });

    it('answers evict when the byte bound would be passed', () => {
      const { q, sink } = queue({ policy: 'disconnect', maxQueueBytes: 25, maxQueueMessages: 100 });
      sink.bufferedBytes = HWM;
      expect(q.push(frame(1, 10))).toBe('queued');
      expect(q.push(frame(2, 15))).toBe('queued'); // exactly 25: at the bound is within it
      expect(q.queuedBytes).toBe(25);
      expect(q.push(frame(3, 1))).toBe('evict');
      expect(q.queuedBytes).toBe(25);
    });
  });

  describe("policy 'drop-newest'", () => {
    it('drops the new frame and counts it; the queued ones stay, in order', () => {
      const { q, sink } = queue({ policy: 'drop-newest', maxQueueMessages: 2 });
      sink.bufferedBytes = HWM;
      q.push(frame(1));
      q.push(frame(2));
      expect(q.push(frame(3))).toBe('dropped');
      expect(q.push(frame(4))).toBe('dropped');
      expect(q.dropped).toBe(2);
      sink.bufferedBytes = 0;
      q.flush();
      expect(tags(sink.written)).toEqual([1, 2]);
    });

    it('drops by bytes too', () => {
      const { q, sink } = queue({ policy: 'drop-newest', maxQueueBytes: 30, maxQueueMessages: 100 });
      sink.bufferedBytes = HWM;
      q.push(frame(1, 20));
      expect(q.push(frame(2, 11))).toBe('dropped');
      expect(q.push(frame(3, 10))).toBe('queued');
      expect(q.queuedBytes).toBe(30);
    });
  });

  describe("policy 'drop-oldest'", () => {
    it('drops the oldest frame to make room for the new one, which is queued', () => {
      const { q, sink } = queue({ policy: 'drop-oldest', maxQueueMessages: 2 });
      sink.bufferedBytes = HWM;
      q.push(frame(1));
      q.push(frame(2));
      expect(q.push(frame(3))).toBe('queued');
      expect(q.dropped).toBe(1);
      expect(q.length).toBe(2);
      sink.bufferedBytes = 0;
      q.flush();
      expect(tags(sink.written)).toEqual([2, 3]);
    });

    it('drops as many old frames as the new frame needs bytes for, and counts each', () => {
      const { q, sink } = queue({ policy: 'drop-oldest', maxQueueBytes: 40, maxQueueMessages: 100 });
      sink.bufferedBytes = HWM;
      for (const tag of [1, 2, 3, 4]) q.push(frame(tag, 10));
      expect(q.push(frame(5, 35))).toBe('queued'); // needs 35 of 40: all four 10-byte frames go
      expect(q.dropped).toBe(4);
      expect(q.length).toBe(1);
      expect(q.queuedBytes).toBe(35);
      sink.bufferedBytes = 0;
      q.flush();
      expect(tags(sink.written)).toEqual([5]);
    });
  });

  describe('a frame larger than maxQueueBytes', () => {
    it('is still written at once to a socket that keeps up (the bound is on the queue)', () => {
      const { q, sink } = queue({ maxQueueBytes: 50 });
      expect(q.push(frame(1, 500))).toBe('written');
      expect(sink.written).toHaveLength(1);
    });

    it.each([
      ['disconnect', 'evict'],
      ['drop-newest', 'dropped'],
      ['drop-oldest', 'dropped'],
    ] as const)("behind a full socket, policy '%s' answers %s", (policy, result) => {
      const { q, sink } = queue({ policy, maxQueueBytes: 50, maxQueueMessages: 100 });
      sink.bufferedBytes = HWM;
      expect(q.push(frame(1, 10))).toBe('queued');
      expect(q.push(frame(2, 51))).toBe(result);
      // drop-oldest does not empty the queue for a frame that could never fit.
      expect(tags(drain(q, sink))).toEqual([1]);
    });

    it('even into an empty queue behind a full socket', () => {
      const { q, sink } = queue({ policy: 'drop-oldest', maxQueueBytes: 50 });
      sink.bufferedBytes = HWM;
      expect(q.push(frame(1, 51))).toBe('dropped');
      expect(q.length).toBe(0);
      expect(q.queuedBytes).toBe(0);
    });
  });

  it('clear forgets what is queued, keeps the drop count, and writes at once afterwards', () => {
    const { q, sink } = queue({ policy: 'drop-newest', maxQueueMessages: 1 });
    sink.bufferedBytes = HWM;
    q.push(frame(1));
    q.push(frame(2));
    q.clear();
    expect(q.length).toBe(0);
    expect(q.queuedBytes).toBe(0);
    expect(q.dropped).toBe(1);
    sink.bufferedBytes = 0;
    expect(q.push(frame(3))).toBe('written');
    expect(tags(sink.written)).toEqual([3]);
  });

  it('stays correct across thousands of frames through its compaction', () => {
    const { q, sink } = queue({ maxQueueMessages: 5000, maxQueueBytes: 1 << 20 });
    sink.bufferedBytes = HWM;
    for (let i = 0; i < 3000; i++) q.push(frame(i % 256, 1));
    // Drain most of it one frame at a time (a socket that takes exactly one frame per drain).
    const write = sink.write.bind(sink);
    sink.write = (bytes) => {
      write(bytes);
      sink.bufferedBytes = HWM;
    };
    for (let i = 0; i < 2500; i++) {
      sink.bufferedBytes = 0;
      q.flush();
    }
    for (let i = 3000; i < 3100; i++) q.push(frame(i % 256, 1));
    expect(q.length).toBe(600);
    expect(q.queuedBytes).toBe(600);
    sink.write = write;
    sink.bufferedBytes = 0;
    q.flush();
    expect(tags(sink.written)).toEqual(Array.from({ length: 3100 }, (_, i) => i % 256));
  });
});

/** Everything still queued, as a socket that keeps up would receive it: drain after drain. */
function drain(q: OutboundQueue, sink: FakeSink): Uint8Array[] {
  const from = sink.written.length;
  while (q.length > 0) {
    sink.bufferedBytes = 0;
    q.flush();
  }
  return sink.written.slice(from);
}

describe('OutboundQueue properties', () => {
  const policyArb = fc.constantFrom<OutboundPolicy>('disconnect', 'drop-oldest', 'drop-newest');
  const opArb = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), size: fc.integer({ min: 1, max: 120 }) }),
    fc.record({ kind: fc.constant('socket' as const), buffered: fc.integer({ min: 0, max: 150 }) }),
    fc.record({ kind: fc.constant('flush' as const) }),
  );

  test.prop([
    policyArb,
    fc.integer({ min: 1, max: 8 }),
    fc.integer({ min: 1, max: 300 }),
    fc.array(opArb, { maxLength: 200 }),
  ])(
    'never holds more than its bounds; every frame is written, queued, dropped or refused, in order',
    (policy, maxQueueMessages, maxQueueBytes, ops) => {
      const { q, sink } = queue({ policy, maxQueueMessages, maxQueueBytes });
      const write = sink.write.bind(sink);
      sink.write = (bytes) => {
        write(bytes);
        sink.bufferedBytes += bytes.byteLength;
      };
      const pushed: Uint8Array[] = [];
      let evicted = 0;
      for (const op of ops) {
        if (op.kind === 'push') {
          const f = new Uint8Array(op.size);
          pushed.push(f);
          if (q.push(f) === 'evict') evicted++;
        } else if (op.kind === 'socket') sink.bufferedBytes = op.buffered;
        else q.flush();
        expect(q.length).toBeLessThanOrEqual(maxQueueMessages);
        expect(q.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
        expect(q.queuedBytes).toBeGreaterThanOrEqual(q.length);
      }
      if (policy !== 'disconnect') expect(evicted).toBe(0);
      if (policy === 'disconnect') expect(q.dropped).toBe(0);
      const rest = drain(q, sink);
      // Conservation: every pushed frame went out, or was dropped, or (disconnect) refused.
      expect(sink.written.length + q.dropped + evicted).toBe(pushed.length);
      // Order: what went out is a subsequence of what was pushed, by identity (no copies).
      let i = 0;
      for (const w of sink.written) {
        while (i < pushed.length && pushed[i] !== w) i++;
        expect(i).toBeLessThan(pushed.length);
        i++;
      }
      expect(rest.length).toBeLessThanOrEqual(maxQueueMessages);
    },
  );
});
