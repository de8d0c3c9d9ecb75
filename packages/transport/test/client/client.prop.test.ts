/**
 * Properties of the client core over an in-memory link whose every delivery, open, close and
 * timer is a task of fast-check's scheduler: whatever the interleaving of requests, server
 * answers and connection drops, every request settles exactly once, joins and leaves survive
 * reconnects in call order, and the rooms the server holds at the end are the rooms the client
 * believes it is in.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { REASON, createDecoder, encodeFrame, type Frame } from '@switchboard/protocol';
import { ConnectionLost, createClient, type ClientTimers, type LinkFactory } from '../../src/client/node.js';

/** A connect timeout the harness never fires: CONNACK always wins in these runs. */
const NEVER_MS = 2 ** 31 - 1;

type Op =
  { kind: 'publish' } | { kind: 'join'; room: string } | { kind: 'leave'; room: string } | { kind: 'drop' };

const roomArb = fc.constantFrom('a', 'b', 'c');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'publish' }),
  roomArb.map<Op>((room) => ({ kind: 'join', room })),
  roomArb.map<Op>((room) => ({ kind: 'leave', room })),
  fc.constant<Op>({ kind: 'drop' }),
);

/** A server that accepts every CONNECT and ACKs every request with SUCCESS, over scheduled links. */
function memoryWorld(s: fc.Scheduler) {
  let current: { rooms: Set<string>; kill(): void } | undefined;
  let connections = 0;
  const link: LinkFactory = (_url, handlers) => {
    let open = true;
    const decoder = createDecoder();
    const rooms = new Set<string>();
    // A socket delivers in order: each scheduled delivery takes the oldest frame in flight.
    const inFlight: Frame[] = [];
    const toClient = (frame: Frame): void => {
      inFlight.push(frame);
      void s.schedule(Promise.resolve(), `server→client ${frame.type}`).then(() => {
        const next = inFlight.shift();
        if (open && next !== undefined) handlers.onData(encodeFrame(next));
      });
    };
    const end = (): void => {
      if (!open) return;
      open = false;
      if (current?.rooms === rooms) current = undefined;
      void s.schedule(Promise.resolve(), 'close').then(() => handlers.onClose());
    };
    void s.schedule(Promise.resolve(), 'open').then(() => {
      if (open) handlers.onOpen();
    });
    return {
      send(bytes) {
        if (!open) return;
        for (const frame of decoder.push(bytes).frames) {
          switch (frame.type) {
            case 'connect':
              connections++;
              current = { rooms, kill: end };
              toClient({ type: 'connack', sessionPresent: connections > 1, reason: REASON.SUCCESS });
              break;
            case 'join':
              for (const room of frame.rooms) rooms.add(room);
              toClient({ type: 'ack', id: frame.id, reason: REASON.SUCCESS });
              break;
            case 'leave':
              for (const room of frame.rooms) rooms.delete(room);
              toClient({ type: 'ack', id: frame.id, reason: REASON.SUCCESS });
              break;
            case 'message':
              toClient({ type: 'ack', id: frame.id, reason: REASON.SUCCESS });
              break;
            case 'ping':
              toClient({ type: 'pong' });
              break;
            case 'ack':
            case 'connack':
            case 'disconnect':
            case 'pong':
              break;
          }
        }
      },
      close: end,
    };
  };
  const timers: ClientTimers = {
    setTimeout(fn, ms) {
      const handle = { cancelled: false };
      if (ms !== NEVER_MS) {
        void s.schedule(Promise.resolve(), `timer ${ms}`).then(() => {
          if (!handle.cancelled) fn();
        });
      }
      return handle;
    },
    clearTimeout(handle) {
      (handle as { cancelled: boolean }).cancelled = true;
    },
  };
  return {
    link,
    timers,
    drop: () => current?.kill(),
    serverRooms: () => current?.rooms,
    connections: () => connections,
  };
}

test.prop([fc.scheduler(), fc.array(opArb, { maxLength: 25 })], { numRuns: 150 })(
  'settles every request once and ends with the rooms of the calls, in order, across drops',
  async (s, ops) => {
    // Arrange
    const world = memoryWorld(s);
    const client = createClient('mem://server', world.link, {
      clientId: 'prop',
      connectTimeoutMs: NEVER_MS,
      random: () => 0.5,
      timers: world.timers,
      maxQueuedWhileOffline: Infinity,
    });
    const model = new Set<string>();
    const settled: { op: Op; outcome: 'ok' | 'lost' | 'other'; count: number }[] = [];

    // Act: each operation is a scheduled task too, so it lands anywhere among deliveries.
    const issued = ops.map((op) =>
      s.schedule(Promise.resolve(op), op.kind).then(() => {
        if (op.kind === 'drop') return world.drop();
        const record = { op, outcome: 'other' as 'ok' | 'lost' | 'other', count: 0 };
        settled.push(record);
        let promise: Promise<unknown>;
        if (op.kind === 'publish') promise = client.publish({ room: 'a' }, 1);
        else if (op.kind === 'join') {
          model.add(op.room);
          promise = client.join(op.room);
        } else {
          model.delete(op.room);
          promise = client.leave(op.room);
        }
        promise.then(
          () => {
            record.count++;
            record.outcome = 'ok';
          },
          (error: unknown) => {
            record.count++;
            record.outcome = ConnectionLost.is(error) ? 'lost' : 'other';
          },
        );
      }),
    );
    await s.waitFor(Promise.all(issued));
    await s.waitAll();
    // Let the promise callbacks of the last settlements run (microtasks; no time passes).
    await new Promise((resolve) => setImmediate(resolve));

    // Assert
    expect(client.state).toBe('connected');
    for (const record of settled) {
      expect(record.count).toBe(1);
      // Joins and leaves are sent again after a drop; only a publish may be lost.
      expect(record.outcome).toBe(record.op.kind === 'publish' ? record.outcome : 'ok');
      expect(record.outcome).not.toBe('other');
    }
    expect([...client.rooms].sort()).toEqual([...model].sort());
    expect([...(world.serverRooms() ?? [])].sort()).toEqual([...model].sort());

    const closed = client.close();
    await s.waitAll();
    await closed;
    expect(client.state).toBe('closed');
  },
);
