/**
 * What the page knows from the feed: the latest snapshot of each list view, the charts seen so far
 * (kept by machine across reconnects, the server sends each once per connection), and the opened
 * actor folded from `actor` + `actorEvents` + `actorEnded`. Views read it through `useFeedStore`.
 */
import { useEffect, useState } from 'preact/hooks';
import type {
  ActorEvent,
  ActorMessage,
  ChartMessage,
  CommandResultMessage,
  DownsMessage,
  HelloMessage,
  OverviewMessage,
  ProcessesMessage,
  ServerMessage,
  TablesMessage,
  TreeMessage,
} from '../src/feed-protocol.js';
import type { FeedStatus } from './feed-client.js';

/** The detail view keeps this many events (the server sends at most 200 in a snapshot). */
export const ACTOR_EVENTS_KEPT = 200;

export interface ActorDetail {
  readonly id: string;
  /** Absent until the first `actor` snapshot arrives. */
  readonly snapshot?: ActorMessage;
  /** Oldest first, at most ACTOR_EVENTS_KEPT. */
  readonly events: readonly ActorEvent[];
  /** The active states before `events[0]`, when known (it tells which edge the first event took). */
  readonly baseStateIds?: readonly string[] | undefined;
  readonly unknown: boolean;
}

export interface FeedState {
  readonly status: FeedStatus;
  readonly fatal?: string;
  readonly hello?: HelloMessage;
  readonly overview?: OverviewMessage;
  readonly processes?: ProcessesMessage;
  readonly tree?: TreeMessage;
  readonly tables?: TablesMessage;
  readonly downs?: DownsMessage;
  readonly charts: ReadonlyMap<string, ChartMessage>;
  readonly actor?: ActorDetail;
  readonly commandResults: ReadonlyMap<number, CommandResultMessage>;
  readonly lastError?: string;
}

type Listener = (state: FeedState) => void;

/** A partial update where a field can also be cleared (`exactOptionalPropertyTypes` is on). */
type FeedStatePatch = { [K in keyof FeedState]?: FeedState[K] | undefined };

export class FeedStore {
  private state: FeedState = { status: 'connecting', charts: new Map(), commandResults: new Map() };
  private readonly listeners = new Set<Listener>();

  get current(): FeedState {
    return this.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setStatus(status: FeedStatus): void {
    this.update({ status });
  }

  setFatal(fatal: string): void {
    this.update({ fatal });
  }

  /** The detail view for `id` starts empty (a different actor's state must not flash). */
  openActor(id: string): void {
    if (this.state.actor?.id !== id) this.update({ actor: { id, events: [], unknown: false } });
  }

  closeActor(): void {
    this.update({ actor: undefined });
  }

  apply(message: ServerMessage): void {
    switch (message.t) {
      case 'hello':
        return this.update({ hello: message, fatal: undefined });
      case 'overview':
        return this.update({ overview: message });
      case 'processes':
        return this.update({ processes: message });
      case 'tree':
        return this.update({ tree: message });
      case 'tables':
        return this.update({ tables: message });
      case 'downs':
        return this.update({ downs: message });
      case 'chart': {
        const charts = new Map(this.state.charts);
        charts.set(message.machine, message);
        return this.update({ charts });
      }
      case 'actor':
        return this.updateActor(message.id, () => ({
          id: message.id,
          snapshot: message,
          events: message.events.slice(-ACTOR_EVENTS_KEPT),
          // With no events yet, the snapshot's states are where the next event starts from.
          baseStateIds: message.events.length === 0 ? message.stateIds : undefined,
          unknown: false,
        }));
      case 'actorEvents':
        return this.updateActor(message.id, (actor) => {
          if (!actor.snapshot) return actor; // Increments before the snapshot cannot be placed.
          const lastSeq = actor.events.at(-1)?.seq ?? -Infinity;
          const fresh = message.events.filter((event) => event.seq > lastSeq);
          const all = [...actor.events, ...fresh];
          const dropped = all.length - ACTOR_EVENTS_KEPT;
          return {
            ...actor,
            snapshot: {
              ...actor.snapshot,
              state: message.state,
              stateIds: message.stateIds,
              context: message.context,
              mailbox: message.mailbox,
              ...(message.queue ? { queue: message.queue } : {}),
            },
            events: dropped > 0 ? all.slice(dropped) : all,
            baseStateIds: dropped > 0 ? all[dropped - 1]?.stateIds : actor.baseStateIds,
          };
        });
      case 'actorEnded':
        return this.updateActor(message.id, (actor) =>
          actor.snapshot
            ? { ...actor, snapshot: { ...actor.snapshot, status: 'stopped', exitReason: message.exitReason } }
            : actor,
        );
      case 'actorUnknown':
        return this.updateActor(message.id, (actor) => ({ ...actor, unknown: true }));
      case 'commandResult': {
        const commandResults = new Map(this.state.commandResults);
        commandResults.set(message.requestId, message);
        return this.update({ commandResults });
      }
      case 'error':
        return this.update({ lastError: `${message.code}: ${message.message}` });
    }
  }

  /** Messages for an actor the page no longer shows (a close in flight) are dropped. */
  private updateActor(id: string, change: (actor: ActorDetail) => ActorDetail): void {
    const actor = this.state.actor;
    if (actor?.id !== id) return;
    this.update({ actor: change(actor) });
  }

  private update(patch: FeedStatePatch): void {
    this.state = { ...this.state, ...patch } as FeedState;
    for (const listener of this.listeners) listener(this.state);
  }
}

/** Re-renders the calling component on every store change. */
export function useFeedStore(store: FeedStore): FeedState {
  const [state, setState] = useState(store.current);
  useEffect(() => {
    setState(store.current);
    return store.subscribe(setState);
  }, [store]);
  return state;
}
