// The server's WebSocket class is its own wire, keeps no empty listener table and shares one frozen
// extensions object, yet stays a working emitter: a listener added later gets its events.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { WireWebSocket, wsWire } from '../../src/ws-wire.js';

/** `ws` makes a server-side socket when the address is null (its types only describe clients). */
const SERVER_SIDE = null as unknown as string;

interface Internals {
  readonly _events: object | undefined;
  readonly _extensions: object;
}

const internals = (ws: WireWebSocket): Internals => ws as unknown as Internals;

describe("the server's WebSocket", () => {
  it('has no listener table until something listens', () => {
    const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
    expect(internals(ws)._events).toBeUndefined();
    expect(ws.listenerCount('close')).toBe(0);
    expect(ws.emit('close')).toBe(false);
  });

  it('makes its listener table on the first listener, and the listener hears its events', () => {
    const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
    const heard: unknown[] = [];
    ws.on('close', (code: unknown) => heard.push(code));
    expect(ws.emit('close', 1000)).toBe(true);
    expect(heard).toEqual([1000]);
    expect(internals(ws)._events).toBeDefined();
    ws.removeAllListeners('close');
    expect(ws.listenerCount('close')).toBe(0);
  });

  it('shares one frozen empty extensions object among all sockets', () => {
    const a = internals(new WireWebSocket(SERVER_SIDE, undefined, {}));
    const b = internals(new WireWebSocket(SERVER_SIDE, undefined, {}));
    expect(a._extensions).toBe(b._extensions);
    expect(Object.isFrozen(a._extensions)).toBe(true);
    expect(Object.keys(a._extensions)).toEqual([]);
  });

  it('is its own wire once claimed, and refuses to wrap a WebSocket of another class', () => {
    const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
    expect(ws.peer).toBe('?');
    const socket = { remoteAddress: '127.0.0.9', remotePort: 4242 } as unknown as Socket;
    const wire = wsWire(ws, socket);
    expect(wire).toBe(ws);
    expect(wire.kind).toBe('ws');
    expect(wire.peer).toBe('127.0.0.9:4242');
    expect(ws.binaryType).toBe('nodebuffer');
    expect(() => wsWire(new WebSocket(SERVER_SIDE, undefined, {}), socket)).toThrow(TypeError);
  });

  it('gives the receiver a fresh chunk list once a message used up every chunk, and keeps one still in use', () => {
    const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
    wsWire(ws, { remoteAddress: '127.0.0.1', remotePort: 1 } as unknown as Socket);
    const got: Uint8Array[] = [];
    ws.attach({ onData: (bytes) => got.push(bytes), onDrain: () => undefined, onClose: () => undefined });
    const receiver = { _buffers: [Buffer.from('x')] as Buffer[] };
    (ws as unknown as { _receiver: typeof receiver })._receiver = receiver;
    const used = receiver._buffers;
    used.shift();
    ws.emit('message', Buffer.from('a'), true);
    expect(receiver._buffers).not.toBe(used);
    expect(receiver._buffers).toEqual([]);
    const waiting = receiver._buffers;
    waiting.push(Buffer.from('rest of the next frame'));
    ws.emit('message', Buffer.from('b'), true);
    expect(receiver._buffers).toBe(waiting);
    expect(got.map((b) => Buffer.from(b).toString())).toEqual(['a', 'b']);
  });
});
