/**
 * One page's feed: what it shows (list views, a processes query, opened actors), which charts it
 * already has, and a send path that watches the socket's `bufferedAmount`. Above the limit,
 * coalescable updates are skipped (the next one carries the news); replies and charts always go.
 */
import type { FeedFormat } from './feed-codec.js';
import { encodeMessage } from './feed-codec.js';
import type { ListView, ProcessesQueryMessage, ServerMessage } from './feed-protocol.js';

/** The socket side of a feed (a `ws` WebSocket is one). */
export interface FeedSink {
  send(data: Buffer | string): void;
  /** Bytes queued in the socket, not yet written. */
  readonly bufferedAmount: number;
  close(code?: number, reason?: string): void;
}

/** Where a page is in an opened actor's event stream. */
export interface OpenActor {
  /** The last event sequence number the page has. */
  seq: number;
  /** The page was told the actor ended. */
  ended: boolean;
  /** The state label last sent (to send a change that came without an event, e.g. a restart). */
  state: string;
}

export class FeedConnection {
  readonly views = new Set<ListView>();
  query: ProcessesQueryMessage | undefined = undefined;
  readonly open = new Map<string, OpenActor>();
  readonly charts = new Set<string>();
  /** Updates skipped because the socket was backed up. */
  skipped = 0;
  sent = 0;

  constructor(
    readonly sink: FeedSink,
    readonly format: FeedFormat,
    private readonly maxBufferedBytes: number,
  ) {}

  get congested(): boolean {
    return this.sink.bufferedAmount > this.maxBufferedBytes;
  }

  /** Sends whatever the socket holds (replies, hello, charts). */
  send(message: ServerMessage): void {
    this.sink.send(encodeMessage(message, this.format));
    this.sent++;
  }

  /** Sends a coalescable update unless the socket is backed up; false when skipped. */
  offer(message: ServerMessage): boolean {
    if (this.congested) {
      this.skipped++;
      return false;
    }
    this.send(message);
    return true;
  }
}
