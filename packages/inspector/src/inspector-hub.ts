/**
 * The inspector's core, without HTTP: it knows the connected pages (feeds), attaches to the
 * runtime only while at least one page is connected (no observer, no trace listener, no timers,
 * no event-loop histogram otherwise), builds each list view at most once per interval for all
 * pages, streams events only of the actors pages have open (`runtime.watch`), and answers page
 * messages and commands.
 */
import type { ChannelManager } from '@switchboard/channels';
import { Pid, formatReason, isSwitchboardError } from '@switchboard/runtime';
import type {
  InspectionEvent,
  ProcessRef,
  Runtime,
  Subscription,
  TraceCollector,
} from '@switchboard/runtime';
import type { Server } from '@switchboard/transport';
import { ActorRecord } from './actor-record.js';
import { activeStateIds, chartOf, isMachine, stateLabel } from './chart-definition.js';
import { DownTimeline } from './down-timeline.js';
import { BadFeedMessage, CommandFailed, CommandsDisabled, NoChannelManager } from './errors.js';
import { ExternalActors, sameIds } from './external-actors.js';
import type { FeedFormat } from './feed-codec.js';
import { decodeMessage } from './feed-codec.js';
import { FeedConnection } from './feed-connection.js';
import type { FeedSink } from './feed-connection.js';
import { FEED_VERSION } from './feed-protocol.js';
import type {
  ActorMessage,
  CommandMessage,
  ListView,
  OverviewMessage,
  PageMessage,
  ProcessRow,
  ServerMessage,
} from './feed-protocol.js';
import type { ResolvedLimits, Sanitize } from './options.js';
import { OverviewSampler } from './overview-sampler.js';
import { ProcessTable, queryRows } from './process-table.js';
import { buildTables } from './registry-view.js';
import { toSerializable } from './serializable.js';
import { buildTree } from './supervision-tree.js';

/** Runs a function every `ms` until the returned function is called (injected so tests tick by hand). */
export interface Ticker {
  every(ms: number, fn: () => void): () => void;
}

/** `setInterval`, unref'd: an inspector never keeps a process alive. */
export const intervalTicker: Ticker = {
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

export interface HubOptions {
  readonly channels: ChannelManager | undefined;
  readonly transport: Server | undefined;
  readonly allowCommands: boolean;
  readonly sanitize: Sanitize | undefined;
  readonly limits: ResolvedLimits;
  readonly ticker: Ticker;
  /** Wall-clock ms, for timestamps shown to people. Default `Date.now`. */
  readonly now?: () => number;
}

/** An opened process: its record and the watch that makes its XState events flow. */
interface WatchedProcess {
  readonly pid: Pid;
  readonly record: ActorRecord;
  unwatch: () => void;
  /** Pages that have it open. */
  holders: number;
}

export class InspectorHub {
  readonly #feeds = new Set<FeedConnection>();
  readonly #watched = new Map<string, WatchedProcess>();
  /** Senders of queued messages to watched processes (the message object is the key). */
  readonly #sources = new WeakMap<object, string>();
  readonly #external: ExternalActors;
  readonly #overview: OverviewSampler;
  readonly #processes: ProcessTable;
  readonly #downs: DownTimeline;
  readonly #now: () => number;
  #subscription: Subscription | undefined;
  #traceListener: TraceCollector | undefined;
  #stopTimers: (() => void)[] = [];
  #ticking = false;
  #rows: ProcessRow[] | undefined;
  #lastOverview: OverviewMessage | undefined;
  #closed = false;

  constructor(
    readonly runtime: Runtime,
    private readonly options: HubOptions,
  ) {
    const { limits } = options;
    this.#now = options.now ?? Date.now;
    this.#external = new ExternalActors(limits.externalActors, limits.eventsPerActor, this.#now);
    this.#overview = new OverviewSampler(runtime, options.channels, options.transport, limits.historySamples);
    this.#processes = new ProcessTable(runtime, options.channels);
    this.#downs = new DownTimeline(limits.downBatches);
  }

  /** Pages connected now. */
  get feedCount(): number {
    return this.#feeds.size;
  }

  /** True while the hub is attached to the runtime (at least one page connected). */
  get attached(): boolean {
    return this.#subscription !== undefined;
  }

  /** Processes whose XState events are watched now (opened by some page). */
  get watchedCount(): number {
    return this.#watched.size;
  }

  /** Starts a page's feed and sends `hello`. */
  connect(sink: FeedSink, format: FeedFormat): FeedConnection {
    const feed = new FeedConnection(sink, format, this.options.limits.maxBufferedBytes);
    this.#feeds.add(feed);
    if (this.#feeds.size === 1) this.#attach();
    feed.send({
      t: 'hello',
      version: FEED_VERSION,
      node: this.runtime.node,
      allowCommands: this.options.allowCommands,
      has: { channels: this.options.channels !== undefined, transport: this.options.transport !== undefined },
      listIntervalMs: this.options.limits.listIntervalMs,
    });
    return feed;
  }

  /** A page left: its opened actors are released; the last page detaches the hub. */
  disconnect(feed: FeedConnection): void {
    if (!this.#feeds.delete(feed)) return;
    for (const id of feed.open.keys()) this.#release(id);
    feed.open.clear();
    if (this.#feeds.size === 0) this.#detach();
  }

  /** Handles one frame from a page; a bad frame is answered with an `error` message. */
  receive(feed: FeedConnection, data: Buffer | string): void {
    let message: PageMessage;
    try {
      if (data.length > this.options.limits.maxFrameBytes) {
        throw new BadFeedMessage(
          `frame of ${data.length} bytes exceeds maxFrameBytes ${this.options.limits.maxFrameBytes}`,
        );
      }
      message = decodeMessage(data, feed.format, this.options.limits.maxPageSize);
    } catch (error) {
      const e = error as Error & { code?: string };
      feed.send({ t: 'error', code: e.code ?? 'INSPECTOR_ERR_BAD_MESSAGE', message: e.message });
      return;
    }
    this.#handle(feed, message);
  }

  /** A frame from an XState app's `@statelyai/inspect` WebSocket inspector. */
  ingest(data: Buffer | string): boolean {
    if (data.length > this.options.limits.maxFrameBytes) return false;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return false;
    }
    return this.#external.ingest(frame);
  }

  /** Builds the list views pages subscribe to and sends them (once per list interval). */
  async tick(): Promise<void> {
    if (this.#ticking || this.#feeds.size === 0) return;
    this.#ticking = true;
    try {
      const wanted = new Set<string>();
      for (const feed of this.#feeds) {
        if (feed.congested) continue;
        for (const view of feed.views) wanted.add(view);
        if (feed.query && feed.views.has('processes')) wanted.add('processes');
      }
      // The overview samples the event loop each tick even when unseen: its history stays even.
      const overview = this.#overview.sample(this.#now());
      this.#lastOverview = overview;
      if (wanted.has('processes')) this.#rows = this.#buildRows();
      const tree = wanted.has('tree') ? buildTree(this.runtime, this.options.limits.treeChildren) : undefined;
      const downs = wanted.has('downs') ? this.#downs.message() : undefined;
      const channels = this.options.channels;
      const tables =
        wanted.has('tables') && channels
          ? await buildTables(this.runtime, channels, this.options.limits.tableRows)
          : undefined;
      for (const feed of this.#feeds) {
        if (feed.views.has('overview')) feed.offer(overview);
        if (feed.views.has('tree') && tree) feed.offer(tree);
        if (feed.views.has('tables') && tables) feed.offer(tables);
        if (feed.views.has('downs') && downs) feed.offer(downs);
        if (feed.query && feed.views.has('processes') && this.#rows)
          feed.offer(queryRows(this.#rows, feed.query));
      }
    } finally {
      this.#ticking = false;
    }
  }

  /** Builds `views` for one page now (it just subscribed to them). */
  async #sendNow(feed: FeedConnection, views: readonly ListView[]): Promise<void> {
    for (const view of views) {
      switch (view) {
        case 'overview':
          feed.offer(this.#lastOverview ?? this.#overview.sample(this.#now()));
          break;
        case 'tree':
          feed.offer(buildTree(this.runtime, this.options.limits.treeChildren));
          break;
        case 'downs':
          feed.offer(this.#downs.message());
          break;
        case 'tables':
          if (this.options.channels) {
            const tables = await buildTables(
              this.runtime,
              this.options.channels,
              this.options.limits.tableRows,
            );
            if (this.#feeds.has(feed) && feed.views.has('tables')) feed.offer(tables);
          }
          break;
        case 'processes':
          // Pages ask for rows with a `processes` query, answered at once (see #handle).
          break;
      }
    }
  }

  /** Sends opened actors' new events (every actor interval). */
  flushActors(): void {
    for (const feed of this.#feeds) {
      for (const [id, position] of feed.open) {
        if (feed.congested) {
          feed.skipped++;
          break;
        }
        const record = this.#record(id);
        if (!record) continue;
        const events = record.since(position.seq);
        if (events === undefined) {
          // The page fell behind the ring: a whole snapshot instead of a gap.
          feed.send(this.#actorMessage(record));
          position.seq = record.lastSeq;
          position.state = record.state;
        } else if (events.length > 0 || record.state !== position.state) {
          feed.send({
            t: 'actorEvents',
            id,
            events,
            state: record.state,
            stateIds: record.stateIds,
            context: this.#context(record),
            mailbox: this.#mailbox(record),
            ...this.#queue(record),
          });
          position.seq = record.lastSeq;
          position.state = record.state;
        }
        if (record.status === 'stopped' && !position.ended) {
          position.ended = true;
          feed.send({ t: 'actorEnded', id, exitReason: record.exitReason ?? 'stopped' });
        }
      }
    }
  }

  /** Disconnects every page and detaches. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const feed of [...this.#feeds]) {
      this.disconnect(feed);
      feed.sink.close(1001, 'inspector closed');
    }
  }

  // ------------------------------------------------------------------ attach / detach

  #attach(): void {
    this.#subscription = this.runtime.inspect((event) => this.#observe(event), { xstate: 'watched' });
    if (this.options.channels) {
      this.#traceListener = this.runtime.trace.collect({
        retain: false,
        onPoint: (point) => {
          if (point.kind === 'cm.down.batch') {
            const pids = (point.fields['pids'] as readonly unknown[] | undefined) ?? [];
            const known = (point.fields['known'] as readonly unknown[] | undefined)?.length ?? pids.length;
            this.#downs.batch(pids, known, this.#now(), point.at, true);
          } else if (point.kind === 'cm.cleanup.end') {
            this.#downs.cleaned(point.fields['pid'], point.at);
          }
        },
      });
    }
    this.#overview.start();
    const { ticker, limits } = this.options;
    this.#stopTimers = [
      ticker.every(limits.listIntervalMs, () => void this.tick()),
      ticker.every(limits.actorIntervalMs, () => this.flushActors()),
    ];
  }

  #detach(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#traceListener?.stop();
    this.#traceListener = undefined;
    this.#overview.stop();
    for (const stop of this.#stopTimers) stop();
    this.#stopTimers = [];
    for (const watched of this.#watched.values()) watched.unwatch();
    this.#watched.clear();
    this.#rows = undefined;
    this.#lastOverview = undefined;
  }

  #observe(event: InspectionEvent): void {
    switch (event.type) {
      case '@xstate.event': {
        const target = this.#watchedOf(event.actorRef);
        const source = (event.sourceRef as ProcessRef | undefined)?.pid;
        if (target && source && typeof event.event === 'object')
          this.#sources.set(event.event, String(source));
        return;
      }
      case '@xstate.snapshot': {
        const target = this.#watchedOf(event.actorRef);
        if (!target || event.event?.type === 'xstate.init') return;
        const record = target.record;
        const before = record.stateIds;
        this.#applySnapshot(record, event.snapshot);
        const type = event.event?.type ?? '';
        const source = event.event ? this.#sources.get(event.event) : undefined;
        record.record({
          at: this.#now(),
          type,
          ...(source !== undefined ? { source } : {}),
          stateIds: record.stateIds,
          changed: !sameIds(before, record.stateIds),
        });
        return;
      }
      case 'rt.exit': {
        const watched = this.#watched.get(String(event.pid));
        if (watched) {
          watched.record.status = 'stopped';
          watched.record.exitReason = formatReason(event.reason);
        }
        return;
      }
      case 'rt.down.batch':
        if (!this.options.channels)
          this.#downs.batch(new Array<unknown>(event.size), event.size, this.#now(), 0, false);
        return;
      // Everything else only matters to other tools sharing the stream.
      case '@xstate.action':
      case '@xstate.actor':
      case '@xstate.microstep':
      case 'rt.spawn':
      case 'rt.down':
      case 'rt.monitor':
      case 'rt.link':
      case 'rt.unlink':
      case 'rt.mailbox.overflow':
      case 'rt.restart':
        return;
    }
  }

  #watchedOf(ref: unknown): WatchedProcess | undefined {
    const pid = (ref as ProcessRef | undefined)?.pid;
    return pid === undefined ? undefined : this.#watched.get(String(pid));
  }

  // ------------------------------------------------------------------ page messages

  #handle(feed: FeedConnection, message: PageMessage): void {
    switch (message.t) {
      case 'subscribe': {
        const added = message.views.filter((v) => !feed.views.has(v));
        feed.views.clear();
        for (const view of message.views) feed.views.add(view);
        // A view just opened shows at once, not at the next tick.
        void this.#sendNow(feed, added);
        return;
      }
      case 'processes':
        feed.query = message;
        // A query shows the processes view; a later `subscribe` without it hides it (rows stop).
        feed.views.add('processes');
        // Answer at once from the last build: filtering and paging feel immediate.
        this.#rows ??= this.#buildRows();
        feed.send(queryRows(this.#rows, message));
        return;
      case 'open':
        this.#open(feed, message.id);
        return;
      case 'close':
        if (feed.open.delete(message.id)) this.#release(message.id);
        return;
      case 'command':
        void this.#command(feed, message);
        return;
    }
  }

  #open(feed: FeedConnection, id: string): void {
    if (feed.open.has(id)) {
      const record = this.#record(id);
      if (record) feed.send(this.#actorMessage(record));
      return;
    }
    if (feed.open.size >= this.options.limits.maxOpenActors) {
      feed.send({
        t: 'error',
        code: 'INSPECTOR_ERR_BAD_MESSAGE',
        message: `at most ${this.options.limits.maxOpenActors} actors open per page (limits.maxOpenActors)`,
      });
      return;
    }
    const record = id.startsWith('ext:') ? this.#external.get(id) : this.#watch(id);
    if (!record) {
      feed.send({ t: 'actorUnknown', id });
      return;
    }
    if (record.machine && record.machineKey && !feed.charts.has(record.machineKey)) {
      feed.charts.add(record.machineKey);
      feed.send(chartOf(record.machine));
    }
    feed.send(this.#actorMessage(record));
    feed.open.set(id, { seq: record.lastSeq, ended: record.status === 'stopped', state: record.state });
  }

  /** Watches a process for a page (shared between pages). */
  #watch(id: string): ActorRecord | undefined {
    const existing = this.#watched.get(id);
    if (existing) {
      existing.holders++;
      return existing.record;
    }
    const pid = Pid.parse(id);
    if (!pid || !this.runtime.isAlive(pid)) return undefined;
    const snapshot = this.runtime.processSnapshot(pid) as { machine?: unknown } | undefined;
    const machine = isMachine(snapshot?.machine) ? snapshot.machine : undefined;
    const record = new ActorRecord(
      id,
      'process',
      this.options.limits.eventsPerActor,
      machine,
      machine ? chartOf(machine).machine : undefined,
    );
    this.#applySnapshot(record, snapshot);
    this.#watched.set(id, { pid, record, unwatch: this.runtime.watch(pid), holders: 1 });
    return record;
  }

  #release(id: string): void {
    const watched = this.#watched.get(id);
    if (!watched || --watched.holders > 0) return;
    watched.unwatch();
    this.#watched.delete(id);
  }

  #record(id: string): ActorRecord | undefined {
    return id.startsWith('ext:') ? this.#external.get(id) : this.#watched.get(id)?.record;
  }

  #applySnapshot(record: ActorRecord, snapshot: unknown): void {
    const s = snapshot as { value?: unknown; status?: unknown; context?: unknown } | undefined;
    record.state = stateLabel(s?.value ?? s?.status);
    record.stateIds = record.machine ? activeStateIds(record.machine, s?.value) : [];
    record.context = s?.context;
  }

  #actorMessage(record: ActorRecord): ActorMessage {
    const clientId = this.#clientIdOf(record);
    return {
      t: 'actor',
      id: record.id,
      kind: record.kind,
      ...(record.machineKey !== undefined ? { machine: record.machineKey } : {}),
      status: record.status,
      ...(record.exitReason !== undefined ? { exitReason: record.exitReason } : {}),
      state: record.state,
      stateIds: record.stateIds,
      context: this.#context(record),
      mailbox: this.#mailbox(record),
      ...(clientId !== undefined ? { clientId } : {}),
      ...this.#queue(record),
      events: record.events(),
    };
  }

  #context(record: ActorRecord): unknown {
    const sanitize = this.options.sanitize;
    let context = record.context;
    if (sanitize) {
      try {
        context = sanitize(context, {
          id: record.id,
          ...(record.machineKey !== undefined ? { machine: record.machineKey } : {}),
        });
      } catch (error) {
        context = `[sanitize threw: ${(error as Error).message}]`;
      }
    }
    return toSerializable(context, this.options.limits.contextDepth);
  }

  #mailbox(record: ActorRecord): number {
    const watched = this.#watched.get(record.id);
    return watched ? (this.runtime.processInfo(watched.pid)?.mailboxLength ?? 0) : 0;
  }

  #clientIdOf(record: ActorRecord): string | undefined {
    const watched = this.#watched.get(record.id);
    return watched ? this.options.channels?.tables.connOf(watched.pid)?.clientId : undefined;
  }

  #queue(record: ActorRecord): { queue?: { messages: number; bytes: number; dropped: number } } {
    const transport = this.options.transport;
    const watched = this.#watched.get(record.id);
    const clientId = this.#clientIdOf(record);
    if (!transport || !watched || clientId === undefined) return {};
    const info = transport.connectionInfo(clientId);
    if (!info || String(info.pid) !== record.id) return {};
    return { queue: { messages: info.queueLength, bytes: info.queuedBytes, dropped: info.dropped } };
  }

  #buildRows(): ProcessRow[] {
    return [...this.#processes.build(this.runtime.clock.now()), ...this.#external.rows()];
  }

  async #command(feed: FeedConnection, message: CommandMessage): Promise<void> {
    const reply = (error?: Error & { code?: string }): void => {
      const result: ServerMessage = {
        t: 'commandResult',
        requestId: message.requestId,
        ok: error === undefined,
        ...(error
          ? { error: { code: error.code ?? 'INSPECTOR_ERR_COMMAND_FAILED', message: error.message } }
          : {}),
      };
      if (this.#feeds.has(feed)) feed.send(result);
    };
    if (!this.options.allowCommands) return reply(new CommandsDisabled());
    const channels = this.options.channels;
    if (!channels) return reply(new NoChannelManager());
    try {
      if (message.command === 'kick') await channels.kickSession(message.clientId);
      else await channels.discardSession(message.clientId);
      reply();
    } catch (error) {
      const cause = isSwitchboardError(error) ? `${error.code}: ${error.message}` : String(error);
      reply(new CommandFailed(message.command, message.clientId, cause));
    }
  }
}
