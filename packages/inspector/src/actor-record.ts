/**
 * What the inspector keeps of one opened actor: its last events in a ring (the detail view's
 * timeline), its current state, and whether it ended. Pages read it by sequence number, so a
 * page that fell behind the ring gets a whole `actor` snapshot instead of a gap.
 */
import type { ActorEvent } from './feed-protocol.js';
import type { MachineLike } from './chart-definition.js';

export class ActorRecord {
  readonly #events: ActorEvent[] = [];
  #nextSeq = 1;
  status: 'running' | 'exiting' | 'stopped' = 'running';
  exitReason: string | undefined = undefined;
  state = '';
  stateIds: readonly string[] = [];
  /** The last snapshot's context (raw; sanitised when sent). */
  context: unknown = undefined;

  constructor(
    readonly id: string,
    readonly kind: 'process' | 'external',
    readonly capacity: number,
    readonly machine: MachineLike | undefined,
    readonly machineKey: string | undefined,
  ) {}

  /** Appends an event; the oldest falls out past `capacity`. */
  record(event: Omit<ActorEvent, 'seq'>): void {
    this.#events.push({ ...event, seq: this.#nextSeq++ });
    if (this.#events.length > this.capacity) this.#events.shift();
  }

  /** The sequence number of the newest event (0 before any). */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Events after `seq`, or undefined when some of them already fell out of the ring. */
  since(seq: number): readonly ActorEvent[] | undefined {
    const first = this.#events[0];
    if (first === undefined) return [];
    if (first.seq > seq + 1) return undefined;
    return this.#events.slice(Math.max(0, seq + 1 - first.seq));
  }

  events(): readonly ActorEvent[] {
    return this.#events;
  }
}
