/**
 * The inspector feed: the messages between the inspector server and its browser page, over one
 * WebSocket (`/feed`). msgpackr binary frames by default, JSON text frames with `?format=json`.
 * Both sides import these types; this module has no runtime code and no Node dependencies.
 *
 * The page says what it shows (`subscribe`, `processes`, `open`) and the server sends only that:
 * list views are coalesced (at most `listIntervalMs` apart), full event streams are sent only for
 * opened actors, and a page whose socket is backed up gets the next coalesced snapshot instead
 * of a growing queue.
 */

/** Version of this protocol; the page refuses a server with another. */
export const FEED_VERSION = 1;

/** The list views a page can subscribe to. */
export type ListView = 'overview' | 'processes' | 'tree' | 'tables' | 'downs';

/** How the processes view can be sorted. */
export type ProcessSortKey = 'pid' | 'mailbox' | 'dropped' | 'rate' | 'age' | 'state' | 'clientId';

// ------------------------------------------------------------------ page → server

/** Which list views the page shows now (replaces the previous set). */
export interface SubscribeMessage {
  readonly t: 'subscribe';
  readonly views: readonly ListView[];
}

/**
 * The processes page the page shows: sorted, filtered and paged on the server. It subscribes the
 * page to the `processes` view (answered at once, then every list interval); a later `subscribe`
 * without `processes` stops the rows.
 */
export interface ProcessesQueryMessage {
  readonly t: 'processes';
  readonly sort: ProcessSortKey;
  readonly dir: 'asc' | 'desc';
  /** Fuzzy filter over pid, name, client id and state ('' matches all). */
  readonly filter: string;
  readonly offset: number;
  /** At most 500. */
  readonly limit: number;
}

/** Opens an actor's detail: the server sends its chart, an `actor` snapshot, then `actorEvents`. */
export interface OpenMessage {
  readonly t: 'open';
  /** A `ProcessRow.id`. */
  readonly id: string;
}

export interface CloseMessage {
  readonly t: 'close';
  readonly id: string;
}

/** Kick or discard a client id's session. Refused unless the server allows commands. */
export interface CommandMessage {
  readonly t: 'command';
  /** Echoed in the result. */
  readonly requestId: number;
  readonly command: 'kick' | 'discard';
  readonly clientId: string;
}

export type PageMessage =
  SubscribeMessage | ProcessesQueryMessage | OpenMessage | CloseMessage | CommandMessage;

// ------------------------------------------------------------------ server → page

/** First message on every feed. */
export interface HelloMessage {
  readonly t: 'hello';
  readonly version: typeof FEED_VERSION;
  /** The runtime's node name. */
  readonly node: string;
  readonly allowCommands: boolean;
  /** Which parts were attached: `channels` enables the tables view, `transport` the queue depths. */
  readonly has: { readonly channels: boolean; readonly transport: boolean };
  /** Milliseconds between list updates. */
  readonly listIntervalMs: number;
}

/** A count with its high-water mark. */
export interface CountMax {
  readonly count: number;
  readonly max: number;
}

/** One sample of the overview's history chart. */
export interface OverviewSample {
  /** Unix ms. */
  readonly at: number;
  readonly processes: number;
  readonly connections: number;
  readonly liveConnections: number;
  readonly heapUsed: number;
  /** Event-loop utilisation since the previous sample, 0..1. */
  readonly elu: number;
  /** p99 event-loop delay since the previous sample, ms. */
  readonly delayP99Ms: number;
}

export interface OverviewMessage {
  readonly t: 'overview';
  readonly at: number;
  /** From the channel manager (absent without one). */
  readonly channels?: CountMax;
  readonly sessions?: CountMax;
  readonly connections?: CountMax;
  readonly liveConnections?: CountMax;
  /** Open transport connections (absent without a transport). */
  readonly transportConnections?: number;
  readonly processes: number;
  readonly eventLoop: {
    readonly delayP50Ms: number;
    readonly delayP99Ms: number;
    readonly delayMaxMs: number;
    /** 0..1 since the previous update. */
    readonly utilization: number;
  };
  readonly memory: { readonly heapUsed: number; readonly heapTotal: number; readonly rss: number };
  /** The last minutes, oldest first (one sample per update, bounded). */
  readonly history: readonly OverviewSample[];
}

/** One row of the processes view. */
export interface ProcessRow {
  /** What to `open`: the pid's string form (`<node.n>`), or `ext:<sessionId>` for an external actor. */
  readonly id: string;
  readonly kind: 'process' | 'external';
  readonly name?: string;
  /** The machine's state value, flattened: `connected`, `a.b`, `{p: x, q: y}` as `p.x,q.y`. */
  readonly state: string;
  readonly status: 'running' | 'exiting' | 'stopped';
  readonly mailbox: number;
  readonly dropped: number;
  /** Messages handled per second, over the last update interval. */
  readonly rate: number;
  /** Age in ms. */
  readonly age: number;
  /** The client id, when the process is a registered channel. */
  readonly clientId?: string;
  /** The supervisor's pid string, when supervised. */
  readonly parent?: string;
  /** The machine id, when the process runs a state machine (then it has a chart). */
  readonly machine?: string;
}

export interface ProcessesMessage {
  readonly t: 'processes';
  /** Every process (and external actor). */
  readonly total: number;
  /** How many the filter matched. */
  readonly matched: number;
  readonly offset: number;
  readonly rows: readonly ProcessRow[];
}

/** A node of the supervision tree. */
export interface TreeNode {
  readonly id: string;
  readonly name?: string;
  readonly kind: 'supervisor' | 'worker';
  readonly state: string;
  /** How many children it has in all. */
  readonly childCount: number;
  /** The first children (at most 100 per node); `childCount` says how many more exist. */
  readonly children: readonly TreeNode[];
}

export interface TreeMessage {
  readonly t: 'tree';
  /** Processes without a supervisor, supervisors first (at most 100; `rootCount` says how many in all). */
  readonly roots: readonly TreeNode[];
  readonly rootCount: number;
}

export type TableAnomaly =
  | {
      readonly kind: 'dead-pid';
      readonly table: 'channel' | 'conn' | 'info' | 'live';
      readonly clientId?: string;
      readonly pid: string;
    }
  | { readonly kind: 'two-live-owners'; readonly clientId: string; readonly pids: readonly string[] }
  | { readonly kind: 'invariant'; readonly message: string };

export interface TablesMessage {
  readonly t: 'tables';
  /** Row counts of every table. */
  readonly counts: {
    readonly channel: number;
    readonly conn: number;
    readonly info: number;
    readonly live: number;
    readonly locks: number;
    readonly pmon: number;
  };
  /** The first rows of each table (at most 200 each); anomalies always list every bad row found. */
  readonly channel: readonly { readonly clientId: string; readonly pid: string; readonly alive: boolean }[];
  readonly conn: readonly {
    readonly pid: string;
    readonly clientId: string;
    readonly transport: string;
    readonly alive: boolean;
  }[];
  readonly info: readonly { readonly clientId: string; readonly pid: string; readonly alive: boolean }[];
  readonly live: readonly { readonly pid: string; readonly clientId?: string; readonly alive: boolean }[];
  readonly locks: readonly { readonly clientId: string; readonly owner: string; readonly heldMs: number }[];
  readonly anomalies: readonly TableAnomaly[];
}

/** One DOWN batch the channel manager handled. */
export interface DownBatch {
  /** Unix ms when the batch arrived. */
  readonly at: number;
  readonly size: number;
  /** How many of its pids the manager's pmon knew. */
  readonly known: number;
  /** Ms from the batch's arrival until the cleanup pool finished its last pid; absent while running. */
  readonly cleanupMs?: number;
}

export interface DownsMessage {
  readonly t: 'downs';
  /** The last batches (at most 300), oldest first. */
  readonly batches: readonly DownBatch[];
  /** Since the inspector started watching. */
  readonly totalBatches: number;
  readonly totalDowns: number;
}

/** A state node of a chart, laid out by the page (elkjs). `id` is the XState state node id. */
export interface ChartNode {
  readonly id: string;
  /** Its key in the parent (the label). */
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The id of the initial child of a compound state. */
  readonly initial?: string;
  readonly children: readonly ChartNode[];
}

export interface ChartEdge {
  /** Unique within the chart. */
  readonly id: string;
  readonly source: string;
  /** A target state node id (a transition with several targets has one edge per target). */
  readonly target: string;
  /** The event (`after 5000ms`, `always` for eventless), with the guard's name in brackets. */
  readonly label: string;
}

/** A state machine's chart, sent once per machine per page (charts are keyed by `machine`). */
export interface ChartMessage {
  readonly t: 'chart';
  readonly machine: string;
  readonly root: ChartNode;
  readonly edges: readonly ChartEdge[];
}

/** One event an opened actor received, with the transition it caused. */
export interface ActorEvent {
  /** Per actor, increasing. */
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  /** The sending actor's id, when known. */
  readonly source?: string;
  /** Active state node ids after the event. */
  readonly stateIds: readonly string[];
  /** True when the active states changed. */
  readonly changed: boolean;
}

/** Everything the detail view shows of an actor: sent on `open` and when the page fell behind. */
export interface ActorMessage {
  readonly t: 'actor';
  readonly id: string;
  readonly kind: 'process' | 'external';
  /** Key of its chart (`chart` message), absent for logic that is not a state machine. */
  readonly machine?: string;
  readonly status: 'running' | 'exiting' | 'stopped';
  /** The exit reason, formatted, once stopped (`takenover`, `kicked`, …). */
  readonly exitReason?: string;
  readonly state: string;
  readonly stateIds: readonly string[];
  /** The context after `sanitize`, made serialisable (functions and pids as strings, depth-limited). */
  readonly context: unknown;
  readonly mailbox: number;
  readonly clientId?: string;
  /** The outbound queue of its transport connection, when it has one. */
  readonly queue?: { readonly messages: number; readonly bytes: number; readonly dropped: number };
  /** The last events, oldest first (at most 200). */
  readonly events: readonly ActorEvent[];
}

/** New events of an opened actor since the last message (in order, no gaps unless an `actor` follows). */
export interface ActorEventsMessage {
  readonly t: 'actorEvents';
  readonly id: string;
  readonly events: readonly ActorEvent[];
  readonly state: string;
  readonly stateIds: readonly string[];
  readonly context: unknown;
  readonly mailbox: number;
  readonly queue?: { readonly messages: number; readonly bytes: number; readonly dropped: number };
}

/** An opened actor ended. */
export interface ActorEndedMessage {
  readonly t: 'actorEnded';
  readonly id: string;
  readonly exitReason: string;
}

/** `open` named an actor that does not exist (or no longer does). */
export interface ActorUnknownMessage {
  readonly t: 'actorUnknown';
  readonly id: string;
}

export interface CommandResultMessage {
  readonly t: 'commandResult';
  readonly requestId: number;
  readonly ok: boolean;
  /** An error code (`INSPECTOR_ERR_COMMANDS_DISABLED`, …) and message when not ok. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A page message the server could not use (malformed, unknown type, too large). */
export interface ErrorMessage {
  readonly t: 'error';
  readonly code: string;
  readonly message: string;
}

export type ServerMessage =
  | HelloMessage
  | OverviewMessage
  | ProcessesMessage
  | TreeMessage
  | TablesMessage
  | DownsMessage
  | ChartMessage
  | ActorMessage
  | ActorEventsMessage
  | ActorEndedMessage
  | ActorUnknownMessage
  | CommandResultMessage
  | ErrorMessage;
