/**
 * The page's end of the inspector feed: one WebSocket at `<page dir>/feed`, msgpackr binary frames
 * (or JSON text with `?format=json` in the page URL). It remembers what the page shows (subscribed
 * views, the processes query, the opened actor) and re-sends that after every reconnect, so views
 * never have to know the socket dropped.
 */
import { Packr, unpack } from 'msgpackr';
// The protocol module has no runtime code but this one constant, so importing it adds nothing else.
import { FEED_VERSION } from '../src/feed-protocol.js';
import type { ListView, PageMessage, ProcessesQueryMessage, ServerMessage } from '../src/feed-protocol.js';

export type FeedStatus = 'connecting' | 'open' | 'closed';

export type ProcessesQuery = Omit<ProcessesQueryMessage, 't'>;

export interface FeedClientOptions {
  readonly onMessage: (message: ServerMessage) => void;
  readonly onStatus: (status: FeedStatus) => void;
  /** A server speaking another protocol version: the client stops and does not reconnect. */
  readonly onFatal: (reason: string) => void;
}

const RECONNECT_MAX_MS = 10_000;

/** Plain msgpack maps (no records extension) so any msgpack decoder on the server can read them. */
const packer = new Packr({ useRecords: false });

export class FeedClient {
  private socket: WebSocket | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private failedAttempts = 0;
  private stopped = false;
  /** Set by `hello`: before it the server may not be listening to us yet. */
  private ready = false;
  private views: readonly ListView[] = [];
  private processesQuery: ProcessesQuery | undefined;
  private openedId: string | undefined;
  private nextRequestId = 1;
  private readonly json: boolean;
  private readonly url: string;

  constructor(private readonly options: FeedClientOptions) {
    this.json = new URLSearchParams(location.search).get('format') === 'json';
    // Relative to the page's directory (it may be mounted under a sub-path); the search string
    // carries the token.
    const url = new URL('feed' + location.search, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.hash = '';
    this.url = url.href;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }

  /** The list views shown now; sent only when they change. */
  setViews(views: readonly ListView[]): void {
    if (sameViews(views, this.views)) return;
    this.views = [...views];
    this.send({ t: 'subscribe', views: this.views });
  }

  setProcessesQuery(query: ProcessesQuery | undefined): void {
    this.processesQuery = query;
    if (query) this.send({ t: 'processes', ...query });
  }

  open(id: string): void {
    if (this.openedId !== undefined && this.openedId !== id) this.close(this.openedId);
    this.openedId = id;
    this.send({ t: 'open', id });
  }

  close(id: string): void {
    if (this.openedId === id) this.openedId = undefined;
    this.send({ t: 'close', id });
  }

  /** Returns the request id the `commandResult` will echo. */
  command(command: 'kick' | 'discard', clientId: string): number {
    const requestId = this.nextRequestId++;
    this.send({ t: 'command', requestId, command, clientId });
    return requestId;
  }

  private connect(): void {
    this.options.onStatus('connecting');
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => this.options.onStatus('open');
    socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.ready = false;
      this.options.onStatus('closed');
      if (!this.stopped) this.scheduleReconnect();
    };
    // A failed connect also fires `close`, which schedules the retry; nothing more to do here.
    socket.onerror = () => undefined;
  }

  private scheduleReconnect(): void {
    this.failedAttempts++;
    const delay = Math.min(1000 * this.failedAttempts, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private receive(data: ArrayBuffer | string): void {
    let message: ServerMessage;
    try {
      message = (typeof data === 'string' ? JSON.parse(data) : unpack(new Uint8Array(data))) as ServerMessage;
    } catch {
      return; // A frame we cannot decode tells us nothing; the next snapshot will.
    }
    if (message.t === 'hello') {
      if ((message.version as number) !== FEED_VERSION) {
        this.stopped = true;
        this.socket?.close();
        this.options.onFatal(
          `server speaks feed version ${String(message.version)}, this page ${FEED_VERSION}`,
        );
        return;
      }
      this.ready = true;
      // Only a connection that got as far as `hello` resets the backoff: one the server accepts and
      // then drops at once must not be retried every second.
      this.failedAttempts = 0;
      this.resendState();
    }
    this.options.onMessage(message);
  }

  /** After `hello` (the server is ready for us): tell a fresh connection everything the page shows. */
  private resendState(): void {
    this.send({ t: 'subscribe', views: this.views });
    if (this.processesQuery) this.send({ t: 'processes', ...this.processesQuery });
    if (this.openedId !== undefined) this.send({ t: 'open', id: this.openedId });
  }

  private send(message: PageMessage): void {
    const socket = this.socket;
    // Not connected: the state is kept and goes out after the next `hello`.
    if (!socket || !this.ready || socket.readyState !== WebSocket.OPEN) return;
    socket.send(this.json ? JSON.stringify(message) : (packer.pack(message) as Uint8Array));
  }
}

function sameViews(a: readonly ListView[], b: readonly ListView[]): boolean {
  return a.length === b.length && a.every((view) => b.includes(view));
}
