/**
 * Options of the inspector, their defaults, and their validation. Every limit has a name, a
 * default and a test (`test/options.test.ts`).
 */
import type { ChannelManager } from '@switchboard/channels';
import type { Server } from '@switchboard/transport';
import { InvalidInspectorOption } from './errors.js';

/** Rewrites an actor's context before it leaves the process (drop secrets, shorten blobs). */
export type Sanitize = (
  context: unknown,
  actor: { readonly id: string; readonly machine?: string },
) => unknown;

/** Limits of the inspector; each has a default. */
export interface InspectorLimits {
  /** Ms between coalesced list updates (overview, processes, tree, tables, DOWN batches). Default 1000. */
  readonly listIntervalMs?: number;
  /** Ms between flushes of an opened actor's new events. Default 100. */
  readonly actorIntervalMs?: number;
  /** Events kept per opened actor (the detail view's timeline). Default 200. */
  readonly eventsPerActor?: number;
  /** Above this many bytes waiting in a page's socket, updates are skipped and later coalesced. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Most rows of a processes page. Default 500. */
  readonly maxPageSize?: number;
  /** Most actors one page may have open at once. Default 8. */
  readonly maxOpenActors?: number;
  /** Largest frame a page (or an XState app) may send. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Pages connected at once. Default 16. */
  readonly maxFeeds?: number;
  /** Overview history samples kept (one per list interval). Default 300. */
  readonly historySamples?: number;
  /** DOWN batches kept for the timeline. Default 300. */
  readonly downBatches?: number;
  /** Rows of each registry table sent to the page. Default 200. */
  readonly tableRows?: number;
  /** Children listed per supervision tree node. Default 100. */
  readonly treeChildren?: number;
  /** Actors from XState apps (`@statelyai/inspect`) kept; the oldest go first. Default 1000. */
  readonly externalActors?: number;
  /** Depth at which a sanitised context is cut. Default 6. */
  readonly contextDepth?: number;
}

/** Options shared by `attachInspector` and `createInspectorHandler`. */
export interface InspectorHandlerOptions {
  /** Adds the registry tables view, client ids, pmon and lock views, and kick/discard. */
  readonly channels?: ChannelManager;
  /** Adds transport connection counts and each connection's outbound queue. */
  readonly transport?: Server;
  /** The access token (random 24 bytes, base64url, by default). Every route answers 401 without it. */
  readonly token?: string;
  /** Allows kick and discard from the page. Default false (read-only). */
  readonly allowCommands?: boolean;
  /** Applied to every context sent to a page. Default: identity (then made serialisable). */
  readonly sanitize?: Sanitize;
  readonly limits?: InspectorLimits;
}

/** Options of `attachInspector` (its own HTTP server). */
export interface InspectorOptions extends InspectorHandlerOptions {
  /** Default '127.0.0.1'. Binding elsewhere exposes the process: keep the token secret. */
  readonly host?: string;
  /** Default 0 (any free port; read it from `url`). */
  readonly port?: number;
}

export type ResolvedLimits = Required<InspectorLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = {
  listIntervalMs: 1000,
  actorIntervalMs: 100,
  eventsPerActor: 200,
  maxBufferedBytes: 1024 * 1024,
  maxPageSize: 500,
  maxOpenActors: 8,
  maxFrameBytes: 1024 * 1024,
  maxFeeds: 16,
  historySamples: 300,
  downBatches: 300,
  tableRows: 200,
  treeChildren: 100,
  externalActors: 1000,
  contextDepth: 6,
};

/** Fills in defaults. @throws INSPECTOR_ERR_INVALID_OPTION */
export function resolveLimits(limits: InspectorLimits = {}): ResolvedLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ResolvedLimits, unknown][]) {
    if (!(key in DEFAULT_LIMITS)) throw new InvalidInspectorOption(`unknown limit ${key}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new InvalidInspectorOption(
        `limits.${key} must be a positive integer, got ${JSON.stringify(value)}`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}
