// Unit tests of Connection's outbound accounting against a fake wire: what `sendEncoded` answers and
// what its `dropped` counter says must match what the queue really did, for every policy — the
// numbers `connectionInfo().dropped`, `stats().counters.dropped`, `ctx.send()` and `broadcast()`
// report to users.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '@switchboard/protocol';
import type { Frame } from '@switchboard/protocol';
import { Connection, connectionSettings } from '../../src/connection.js';
import type { ConnectionEvents } from '../../src/connection.js';
import type { QueueBounds } from '../../src/outbound-queue.js';
import type { Wire, WireEvents } from '../../src/wire.js';

/** A wire whose socket buffer the test fills and drains by hand. */
function fakeWire() {
  let events: WireEvents | undefined;
  const written: Uint8Array[] = [];
  /** What went through `writeShared` (a broadcast's frame, framed once by the wire). */
  const shared: Uint8Array[] = [];
  /** Writes at the moments the connection asked for 'drain' (it asks as it starts queueing). */
  const drainAsked: number[] = [];
  const wire = {
    kind: 'tcp' as const,
    peer: '127.0.0.1:1',
    bufferedBytes: 0,
    attach(e: WireEvents) {
      events = e;
    },
    needDrain() {
      drainAsked.push(written.length);
    },
    write(bytes: Uint8Array) {
      written.push(bytes);
    },
    writeShared(bytes: Uint8Array) {
      shared.push(bytes);
      written.push(bytes);
    },
    end() {},
    destroy() {},
  };
  return {
    wire: wire as Wire & { bufferedBytes: number },
    written,
    shared,
    drainAsked,
    drain: () => {
      wire.bufferedBytes = 0;
      events?.onDrain();
    },
  };
}

const noEvents: ConnectionEvents = {
  onFrames: (_c, _f: readonly Frame[]) => undefined,
  onBadInput: () => undefined,
  onSlow: () => undefined,
  onClosed: () => undefined,
  onDeliver: () => undefined,
  onInbound: () => undefined,
};

function connection(bounds: Partial<QueueBounds>, events: ConnectionEvents = noEvents) {
  const w = fakeWire();
  const settings = connectionSettings({
    maxFrameBytes: 1024,
    bounds: {
      maxQueueBytes: 1000,
      maxQueueMessages: 100,
      policy: 'drop-oldest',
      socketHighWaterBytes: 100,
      ...bounds,
    },
    events,
  });
  const conn = new Connection(w.wire, settings, 0);
  return { conn, ...w };
}
const bytes = (tag: number, size: number) => new Uint8Array(size).fill(tag);

describe('Connection outbound accounting', () => {
  it('drop-oldest counts every old message it drops, not one per push', () => {
    const { conn, wire } = connection({ policy: 'drop-oldest', maxQueueBytes: 40 });
    wire.bufferedBytes = 100; // the socket pushes back: everything queues
    for (const tag of [1, 2, 3, 4]) conn.sendEncoded(bytes(tag, 10));
    // 35 bytes need room for 35 of 40: all four queued messages go.
    conn.sendEncoded(bytes(5, 35));
    expect(conn.queueLength).toBe(1);
    expect(conn.counters.dropped).toBe(4);
  });

  it('drop-oldest: the new message was queued, so the push counts as reaching the client', () => {
    const { conn, wire, written, drain } = connection({ policy: 'drop-oldest', maxQueueMessages: 1 });
    wire.bufferedBytes = 100;
    expect(conn.sendEncoded(bytes(1, 10))).toBe('queued');
    const result = conn.sendEncoded(bytes(2, 10));
    // ctx.send() and broadcast() count 'written' and 'queued' as reached.
    expect(['written', 'queued']).toContain(result);
    drain();
    expect(written.map((b) => b[0])).toEqual([2]);
  });

  it('drop-newest: the new message is the one dropped, counted once', () => {
    const { conn, wire } = connection({ policy: 'drop-newest', maxQueueMessages: 1 });
    wire.bufferedBytes = 100;
    conn.sendEncoded(bytes(1, 10));
    expect(conn.sendEncoded(bytes(2, 10))).toBe('dropped');
    expect(conn.counters.dropped).toBe(1);
  });

  it("hands a broadcast's bytes to the wire as shared, and queues them as plain bytes under backpressure", () => {
    const { conn, wire, written, shared, drain } = connection({ policy: 'drop-newest' });
    const b1 = bytes(1, 10);
    expect(conn.sendEncoded(b1, false, true)).toBe('written');
    expect(shared).toEqual([b1]);
    wire.bufferedBytes = 100;
    const b2 = bytes(2, 10);
    expect(conn.sendEncoded(b2, false, true)).toBe('queued');
    drain();
    expect(written).toEqual([b1, b2]);
    expect(shared).toEqual([b1]);
    expect(conn.counters).toMatchObject({ bytesOut: 20, framesOut: 2 });
  });

  it('is its own admitted-client record once its CONNECT is admitted', () => {
    const { conn } = connection({});
    expect(conn.client).toBeUndefined();
    conn.clientInfo = { role: 'admin' };
    expect(conn.client).toBe(conn);
    expect(conn.client).toMatchObject({
      clientInfo: { role: 'admin' },
      context: undefined,
      chain: undefined,
    });
  });

  it("asks its wire for 'drain' as each queue starts, not before", () => {
    const { conn, wire, drain, drainAsked } = connection({ policy: 'drop-newest' });
    conn.sendEncoded(bytes(1, 10));
    expect(drainAsked).toEqual([]);
    wire.bufferedBytes = 100;
    conn.sendEncoded(bytes(2, 10));
    conn.sendEncoded(bytes(3, 10));
    expect(drainAsked).toEqual([1]);
    drain();
    expect(conn.queueLength).toBe(0);
    wire.bufferedBytes = 100;
    conn.sendEncoded(bytes(4, 10));
    expect(drainAsked).toEqual([1, 3]);
  });

  it('counts bytes and frames written, including those flushed on drain', () => {
    const { conn, wire, drain } = connection({ policy: 'drop-newest' });
    conn.sendEncoded(bytes(1, 10));
    wire.bufferedBytes = 100;
    conn.sendEncoded(bytes(2, 20));
    expect(conn.counters).toMatchObject({ bytesOut: 10, framesOut: 1 });
    drain();
    expect(conn.counters).toMatchObject({ bytesOut: 30, framesOut: 2 });
  });

  it("is its wire's listener and its channel's port: both lead to the server's events", () => {
    const seen: string[] = [];
    const { conn } = connection(
      {},
      {
        ...noEvents,
        onFrames: (_c, frames) => void seen.push(`frames:${frames.length}`),
        onClosed: (_c, reason) => void seen.push(`closed:${reason}`),
        onDeliver: (c, m) => void seen.push(`deliver:${m.id}:${c === conn}`),
        onInbound: (c, d) => void seen.push(`inbound:${String(d)}:${c === conn}`),
      },
    );
    conn.outbound({ id: 'm1', payload: 'x' });
    conn.inbound('f1');
    conn.onData(encodeFrame({ type: 'ping' }));
    conn.onClose('peer_closed');
    conn.onClose('again');
    expect(seen).toEqual(['deliver:m1:true', 'inbound:f1:true', 'frames:1', 'closed:peer_closed']);
  });
});

describe('Connection state made only while needed', () => {
  it('frames split anywhere across chunks, between whole ones, decode in order; bad bytes still end it', () => {
    const got: string[] = [];
    const bad: string[] = [];
    const { conn } = connection(
      {},
      {
        ...noEvents,
        onFrames: (_c, frames) => void got.push(...frames.map((f) => (f.type === 'ack' ? f.id : f.type))),
        onBadInput: (_c, code) => void bad.push(code),
      },
    );
    const ack = (id: string) => encodeFrame({ type: 'ack', id, reason: 0 });
    const stream = new Uint8Array([...ack('a'), ...ack('b'), ...ack('c')]);
    // Every cut: whole frames, then a split header or body held over, then the rest.
    for (let cut = 1; cut < stream.length; cut++) {
      conn.onData(stream.subarray(0, cut));
      conn.onData(stream.subarray(cut));
    }
    conn.onData(encodeFrame({ type: 'ping' }));
    expect(got).toEqual([...Array.from({ length: stream.length - 1 }, () => ['a', 'b', 'c']).flat(), 'ping']);
    expect(conn.framesIn).toBe(got.length);
    conn.onData(new Uint8Array([0, 0, 0, 1, 0xc1])); // 0xc1: never used in msgpack
    expect(bad).toEqual(['PROTO_ERR_MALFORMED']);
  });

  it('queues behind a full socket, drains, and queues again with the bounds and counts intact', () => {
    const { conn, wire, written, drain } = connection({ policy: 'drop-newest', maxQueueMessages: 2 });
    for (let round = 0; round < 3; round++) {
      wire.bufferedBytes = 100;
      expect(conn.sendEncoded(bytes(1, 10))).toBe('queued');
      expect(conn.sendEncoded(bytes(2, 10))).toBe('queued');
      expect(conn.sendEncoded(bytes(3, 10))).toBe('dropped');
      expect(conn.queueLength).toBe(2);
      drain();
      expect(conn.queueLength).toBe(0);
      expect(conn.queuedBytes).toBe(0);
    }
    expect(written.map((b) => b[0])).toEqual([1, 2, 1, 2, 1, 2]);
    expect(conn.counters).toMatchObject({ dropped: 3, framesOut: 6, bytesOut: 60 });
  });

  it('keeps its rarely set state off its own fields, and reads it back once set', () => {
    const { conn } = connection({});
    for (const key of ['early', 'closeReason', 'dropped', 'userData', 'queue'])
      expect(Object.keys(conn)).not.toContain(key);
    expect([conn.early, conn.closeReason, conn.context, conn.chain, conn.dropped]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      0,
    ]);
    conn.early = [{ type: 'ping' }];
    conn.data.set('k', 1);
    expect(conn.early).toEqual([{ type: 'ping' }]);
    expect(conn.data.get('k')).toBe(1);
    conn.early = undefined;
    expect(conn.early).toBeUndefined();
    conn.disconnect(0, 'test_close');
    expect(conn.closeReason).toBe('test_close');
  });
});
