/**
 * A bare protocol-v1 client for the tcp-router, over `node:net` and the protocol codec: CONNECT,
 * routed sends, and a record of every frame the server sent. It shows what goes over the wire; an
 * application would use `@switchboard/transport/client`, which adds reconnects and session resume.
 */
import { connect } from 'node:net';
import { REASON, createDecoder, encodeFrame } from '@switchboard/protocol';
import type { AckFrame, Frame, MessageFrame } from '@switchboard/protocol';
import { isRoutedPayload } from './router.js';
import type { RoutedPayload } from './router.js';

/** A connected socket speaking protocol v1. */
export interface RouterClient {
  /** Every frame received so far, in order. */
  readonly frames: readonly Frame[];
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>;
  /** CONNECT; resolves with the CONNACK, or the DISCONNECT that refused it. */
  hello(clientId: string): Promise<Frame>;
  /** Sends `{ type, body }` as a MESSAGE; resolves with its ACK. */
  request(type: number, body?: unknown): Promise<AckFrame>;
  /** Resolves with the first received frame that matches, waiting up to `timeoutMs`. */
  next<TFrame extends Frame = Frame>(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<TFrame>;
  /** The routed payloads received, in order. */
  routed(): RoutedPayload[];
  /** Sends DISCONNECT and ends the socket. */
  bye(): void;
  destroy(): void;
}

/**
 * Opens a TCP connection to `tcp://host:port`.
 *
 * @example
 * ```ts
 * const c = await connectRouter('tcp://127.0.0.1:7100');
 * await c.hello('alice');
 * await c.request(1, 'ping'); // ACK SUCCESS; c.routed() now ends with { type: 1, body: 'pong' }
 * c.bye();
 * ```
 */
export async function connectRouter(url: string): Promise<RouterClient> {
  const { hostname, port } = new URL(url.replace(/^tcp:/, 'http:'));
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // a reset shows up as 'close'
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
      wake();
    }),
  );
  const decoder = createDecoder();
  socket.on('data', (chunk: Buffer) => {
    frames.push(...decoder.push(chunk).frames);
    wake();
  });
  const send = (frame: Frame) => void socket.write(encodeFrame(frame));
  let seq = 0;

  const next = <TFrame extends Frame = Frame>(match: (f: Frame) => boolean, timeoutMs = 5000) =>
    new Promise<TFrame>((resolve, reject) => {
      const check = () => {
        const found = frames.find(match);
        if (found) done(() => resolve(found as TFrame));
        else if (isClosed) done(() => reject(new Error('closed before a matching frame')));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no matching frame in ${timeoutMs} ms`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return {
    frames,
    closed,
    hello(clientId) {
      send({ type: 'connect', version: 1, clientId, cleanStart: true, sessionExpiryMs: 0 });
      return next((f) => f.type === 'connack' || f.type === 'disconnect');
    },
    request(type, body = null) {
      const id = `r${seq++}`;
      send({ type: 'message', id, payload: { type, body } });
      return next<AckFrame>((f) => f.type === 'ack' && f.id === id);
    },
    next,
    routed: () =>
      frames
        .filter((f): f is MessageFrame => f.type === 'message')
        .map((m) => m.payload)
        .filter(isRoutedPayload),
    bye() {
      send({ type: 'disconnect', reason: REASON.SUCCESS });
      socket.end();
    },
    destroy: () => void socket.destroy(),
  };
}
