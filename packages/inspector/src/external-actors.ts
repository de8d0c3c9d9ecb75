/**
 * Actors of other XState apps, pointed at the inspector with `@statelyai/inspect`'s WebSocket
 * inspector (`createWebSocketInspector({ url })`): its JSON frames (`@xstate.actor`,
 * `@xstate.event`, `@xstate.snapshot`) become rows of the processes view and open like processes,
 * charts included (from the machine config the app sends). Bounded: the oldest actor goes first.
 */
import { activeStateIds, chartOfConfig, stateLabel } from './chart-definition.js';
import { ActorRecord } from './actor-record.js';
import type { ProcessRow } from './feed-protocol.js';

interface ExternalActor {
  readonly record: ActorRecord;
  readonly name: string;
  readonly createdAt: number;
  readonly parent: string | undefined;
  handled: number;
}

/** A frame as `@statelyai/inspect` sends it (JSON, after its own serialisation). */
interface StatelyFrame {
  readonly type?: unknown;
  readonly sessionId?: unknown;
  readonly name?: unknown;
  readonly definition?: unknown;
  readonly parentId?: unknown;
  readonly sourceId?: unknown;
  readonly snapshot?: {
    readonly value?: unknown;
    readonly context?: unknown;
    readonly status?: unknown;
  } | null;
  readonly event?: { readonly type?: unknown } | null;
}

export class ExternalActors {
  readonly #actors = new Map<string, ExternalActor>();
  /** Senders of events not yet handled, by target session (a snapshot follows each event). */
  readonly #pendingSource = new Map<string, string>();

  constructor(
    private readonly capacity: number,
    private readonly eventsPerActor: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.#actors.size;
  }

  /** Takes one parsed frame; returns false for something that is not an inspection frame. */
  ingest(frame: unknown): boolean {
    const f = frame as StatelyFrame | null;
    if (typeof f !== 'object' || f === null || typeof f.type !== 'string' || typeof f.sessionId !== 'string')
      return false;
    const id = `ext:${f.sessionId}`;
    switch (f.type) {
      case '@xstate.actor':
        this.#add(id, f);
        return true;
      case '@xstate.event':
        if (typeof f.sourceId === 'string') this.#pendingSource.set(id, `ext:${f.sourceId}`);
        return true;
      case '@xstate.snapshot':
        this.#snapshot(id, f);
        return true;
      default:
        return false;
    }
  }

  get(id: string): ActorRecord | undefined {
    return this.#actors.get(id)?.record;
  }

  rows(): ProcessRow[] {
    const now = this.now();
    const rows: ProcessRow[] = [];
    for (const actor of this.#actors.values()) {
      const r = actor.record;
      rows.push({
        id: r.id,
        kind: 'external',
        name: actor.name,
        state: r.state,
        status: r.status,
        mailbox: 0,
        dropped: 0,
        rate: 0,
        age: now - actor.createdAt,
        ...(actor.parent !== undefined ? { parent: actor.parent } : {}),
        ...(r.machineKey !== undefined ? { machine: r.machineKey } : {}),
      });
    }
    return rows;
  }

  #add(id: string, f: StatelyFrame): void {
    const resolved = typeof f.definition === 'string' ? chartOfConfig(f.definition) : undefined;
    const record = new ActorRecord(
      id,
      'external',
      this.eventsPerActor,
      resolved?.machine,
      resolved?.chart.machine,
    );
    this.#actors.delete(id);
    this.#actors.set(id, {
      record,
      name: typeof f.name === 'string' ? f.name : id,
      createdAt: this.now(),
      parent: typeof f.parentId === 'string' ? `ext:${f.parentId}` : undefined,
      handled: 0,
    });
    this.#apply(record, f.snapshot, undefined);
    while (this.#actors.size > this.capacity) {
      const oldest = this.#actors.keys().next().value as string;
      this.#actors.delete(oldest);
      this.#pendingSource.delete(oldest);
    }
  }

  #snapshot(id: string, f: StatelyFrame): void {
    const actor = this.#actors.get(id);
    if (!actor) return;
    actor.handled++;
    const source = this.#pendingSource.get(id);
    this.#pendingSource.delete(id);
    const type = typeof f.event?.type === 'string' ? f.event.type : '';
    this.#apply(actor.record, f.snapshot, { type, source });
  }

  #apply(
    record: ActorRecord,
    snapshot: StatelyFrame['snapshot'],
    event: { type: string; source: string | undefined } | undefined,
  ): void {
    if (typeof snapshot !== 'object' || snapshot === null) return;
    const before = record.stateIds;
    record.state = stateLabel(snapshot.value ?? snapshot.status);
    record.stateIds = record.machine ? activeStateIds(record.machine, snapshot.value) : [];
    record.context = snapshot.context;
    if (snapshot.status === 'done' || snapshot.status === 'error' || snapshot.status === 'stopped') {
      record.status = 'stopped';
      record.exitReason = String(snapshot.status);
    }
    if (event) {
      record.record({
        at: this.now(),
        type: event.type,
        ...(event.source !== undefined ? { source: event.source } : {}),
        stateIds: record.stateIds,
        changed: !sameIds(before, record.stateIds),
      });
    }
  }
}

export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
