/**
 * The processes view: one row per process (and external actor), built at most once per list
 * interval however many pages look, then filtered, sorted and paged per page on the server, so a
 * page never receives more than one page of rows (100,000 processes stay a server-side concern).
 * Rates come from each process's `handled` counter sampled between builds.
 */
import type { ChannelManager } from '@switchboard/channels';
import { Pid } from '@switchboard/runtime';
import type { Runtime } from '@switchboard/runtime';
import { chartOf, isMachine, stateLabel } from './chart-definition.js';
import type { ProcessRow, ProcessesMessage, ProcessesQueryMessage } from './feed-protocol.js';
import { fuzzyMatcher } from './fuzzy.js';

export class ProcessTable {
  /** `handled` at the previous build, by pid string: the base of each rate. */
  #lastHandled = new Map<string, number>();
  #lastAt: number | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly channels: ChannelManager | undefined,
  ) {}

  /** Every process's row now. `now` is the runtime clock's time (ages and rates use it). */
  build(now: number): ProcessRow[] {
    const rows: ProcessRow[] = [];
    const handledNow = new Map<string, number>();
    const seconds = this.#lastAt === undefined ? 0 : (now - this.#lastAt) / 1000;
    for (const pid of this.runtime.processes()) {
      const info = this.runtime.processInfo(pid);
      if (!info) continue;
      const id = String(pid);
      handledNow.set(id, info.handled);
      const before = this.#lastHandled.get(id);
      const rate = seconds > 0 && before !== undefined ? (info.handled - before) / seconds : 0;
      const machine = (this.runtime.processSnapshot(pid) as { machine?: unknown } | undefined)?.machine;
      const clientId = this.channels?.tables.connOf(pid)?.clientId;
      rows.push({
        id,
        kind: 'process',
        ...(info.name !== undefined ? { name: info.name } : {}),
        state: stateLabel(info.state),
        status: info.status,
        mailbox: info.mailboxLength,
        dropped: info.dropped,
        rate: Math.round(rate * 10) / 10,
        age: now - info.spawnedAt,
        ...(clientId !== undefined ? { clientId } : {}),
        ...(info.parent ? { parent: String(info.parent) } : {}),
        ...(isMachine(machine) ? { machine: chartOf(machine).machine } : {}),
      });
    }
    this.#lastHandled = handledNow;
    this.#lastAt = now;
    return rows;
  }
}

const COMPARE: Record<ProcessesQueryMessage['sort'], (a: ProcessRow, b: ProcessRow) => number> = {
  pid: (a, b) => pidOrder(a.id) - pidOrder(b.id) || a.id.localeCompare(b.id),
  mailbox: (a, b) => a.mailbox - b.mailbox,
  dropped: (a, b) => a.dropped - b.dropped,
  rate: (a, b) => a.rate - b.rate,
  age: (a, b) => a.age - b.age,
  state: (a, b) => a.state.localeCompare(b.state),
  clientId: (a, b) => (a.clientId ?? '').localeCompare(b.clientId ?? ''),
};

/** The process number of a pid string, so pids sort numerically; external actors sort last. */
function pidOrder(id: string): number {
  return Pid.parse(id)?.id ?? Number.MAX_SAFE_INTEGER;
}

/** One page of `rows` for `query`; ties keep pid order so pages are stable between updates. */
export function queryRows(rows: readonly ProcessRow[], query: ProcessesQueryMessage): ProcessesMessage {
  const matches = fuzzyMatcher(query.filter);
  const filtered = query.filter
    ? rows.filter((r) => matches(`${r.id} ${r.name ?? ''} ${r.clientId ?? ''} ${r.state} ${r.machine ?? ''}`))
    : [...rows];
  const compare = COMPARE[query.sort];
  const sign = query.dir === 'asc' ? 1 : -1;
  filtered.sort((a, b) => sign * compare(a, b) || COMPARE.pid(a, b));
  return {
    t: 'processes',
    total: rows.length,
    matched: filtered.length,
    offset: query.offset,
    rows: filtered.slice(query.offset, query.offset + query.limit),
  };
}
