// The server's WebSocket class keeps no empty listener table and shares one frozen extensions
// object, yet stays a working emitter: a listener added later gets its events.
import { describe, expect, it } from 'vitest';
import { WireWebSocket } from '../../src/ws-wire.js';

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
});
