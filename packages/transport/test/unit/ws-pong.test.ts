// The server's WebSocket class answers WebSocket pings itself (ws's automatic pong is off): with a
// pong carrying the ping's data, except while the socket already holds PONG_BACKLOG_BYTES unsent.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PONG_BACKLOG_BYTES } from '@switchboard/transport';
import { WireWebSocket, wsWire } from '../../src/ws-wire.js';
import type { Socket } from 'node:net';

/** `ws` makes a server-side socket when the address is null (its types only describe clients). */
const SERVER_SIDE = null as unknown as string;

/** A server-side WireWebSocket on no socket, with its buffered size and pongs under the test's control. */
function socketWith(buffered: number) {
  const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
  const pongs: string[] = [];
  Object.defineProperty(ws, 'readyState', { value: WebSocket.OPEN });
  Object.defineProperty(ws, 'bufferedAmount', { value: buffered });
  ws.pong = (data?: unknown) => void pongs.push(String(data));
  // The wire claims the socket's events; a fake net socket only needs what the wire touches.
  const socket = { remoteAddress: '127.0.0.1', remotePort: 1, on: () => undefined } as unknown as Socket;
  wsWire(ws, socket);
  return { ws, pongs };
}

describe('WebSocket pings', () => {
  it('are answered with their data below the backlog limit', () => {
    const { ws, pongs } = socketWith(PONG_BACKLOG_BYTES - 1);
    ws.emit('ping', Buffer.from('hello'));
    expect(pongs).toEqual(['hello']);
  });

  it('go unanswered once the socket holds PONG_BACKLOG_BYTES', () => {
    const { ws, pongs } = socketWith(PONG_BACKLOG_BYTES);
    ws.emit('ping', Buffer.from('flood'));
    expect(pongs).toEqual([]);
  });

  it('an error before any wire claims the socket does not throw', () => {
    const ws = new WireWebSocket(SERVER_SIDE, undefined, {});
    expect(ws.emit('error', new Error('early'))).toBe(false);
  });
});
