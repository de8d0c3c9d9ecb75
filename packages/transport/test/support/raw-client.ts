/**
 * A frame-level test client over a real socket (TCP or WebSocket on 127.0.0.1): it sends exactly
 * the bytes a test asks for and records every frame the server sends, so tests can assert on the
 * wire. Waiting is by condition with a bounded timeout, never by a fixed sleep.
 */
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { createDecoder, encodeFrame } from '@switchboard/protocol';
import type { DisconnectFrame, Frame, MessageFrame } from '@switchboard/protocol';

export interface RawClient {
  readonly frames: Frame[];
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  send(frame: Frame): void;
  sendBytes(bytes: Uint8Array): void;
  /** Stops reading from the socket (a slow consumer). */
  pause(): void;
  resume(): void;
  /** Resolves with the first recorded frame (from `from` on) matching, waiting up to `timeoutMs`. */
  next<T extends Frame = Frame>(match: (f: Frame) => boolean, timeoutMs?: number): Promise<T>;
  /** CONNECT and wait for CONNACK or DISCONNECT. */
  connect(
    clientId: string,
    options?: { cleanStart?: boolean; sessionExpiryMs?: number | null; credentials?: unknown },
  ): Promise<Frame>;
  messages(): MessageFrame[];
  disconnectFrame(): DisconnectFrame | undefined;
  end(): void;
  destroy(): void;
}

export async function rawClient(url: string, options: { localAddress?: string } = {}): Promise<RawClient> {
  const frames: Frame[] = [];
  const decoder = createDecoder();
  const waiters = new Set<() => void>();
  let isClosed = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const onBytes = (bytes: Uint8Array) => {
    const { frames: got } = decoder.push(bytes);
    frames.push(...got);
    for (const w of [...waiters]) w();
  };
  const onClose = () => {
    isClosed = true;
    resolveClosed();
    for (const w of [...waiters]) w();
  };
  let write: (b: Uint8Array) => void;
  let pause: () => void;
  let resume: () => void;
  let end: () => void;
  let destroy: () => void;
  if (url.startsWith('tcp://')) {
    const u = new URL(url.replace('tcp://', 'http://'));
    const socket: Socket = await new Promise((resolve, reject) => {
      const s = netConnect(
        {
          host: u.hostname,
          port: Number(u.port),
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        },
        () => resolve(s),
      );
      s.once('error', reject);
    });
    socket.on('error', () => undefined);
    socket.on('data', onBytes);
    socket.on('close', onClose);
    write = (b) => void socket.write(b);
    pause = () => void socket.pause();
    resume = () => void socket.resume();
    end = () => void socket.end();
    destroy = () => void socket.destroy();
  } else {
    const ws = new WebSocket(url, {
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    ws.binaryType = 'nodebuffer';
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => onBytes(data));
    ws.on('close', onClose);
    write = (b) => ws.send(b);
    pause = () => ws.pause();
    resume = () => ws.resume();
    end = () => ws.close();
    destroy = () => ws.terminate();
  }
  const client: RawClient = {
    frames,
    closed,
    get isClosed() {
      return isClosed;
    },
    send: (frame) => write(encodeFrame(frame)),
    sendBytes: (bytes) => write(bytes),
    pause: () => pause(),
    resume: () => resume(),
    next<T extends Frame>(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (found) {
            cleanup();
            resolve(found as T);
          } else if (isClosed) {
            cleanup();
            reject(
              new Error(`closed before a matching frame; got ${JSON.stringify(frames.map((f) => f.type))}`),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching frame in ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.type))}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async connect(clientId, o = {}) {
      client.send({
        type: 'connect',
        version: 1,
        clientId,
        cleanStart: o.cleanStart ?? true,
        sessionExpiryMs: o.sessionExpiryMs === undefined ? null : o.sessionExpiryMs,
        ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
      });
      return client.next((f) => f.type === 'connack' || f.type === 'disconnect');
    },
    messages: () => frames.filter((f): f is MessageFrame => f.type === 'message'),
    disconnectFrame: () => frames.find((f): f is DisconnectFrame => f.type === 'disconnect'),
    end: () => end(),
    destroy: () => destroy(),
  };
  return client;
}

/** Polls `condition` (each macrotask turn) until it holds, or fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
