/** The server's counters: what `server.stats()` returns, besides the channel manager's stats. */
import type { ChannelStats } from '@switchboard/channels';

/** A current value and the highest it has been. */
export interface CountAndMax {
  readonly count: number;
  readonly max: number;
}

/** Why sockets were refused, by reason. */
export interface RefusedCounts {
  busy: number;
  rate: number;
  auth: number;
  duplicate: number;
  version: number;
  draining: number;
}

/** Totals since the server started. */
export interface TransportCounters {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Messages dropped by outbound policies. */
  dropped: number;
  /** Connections closed as slow consumers. */
  evicted: number;
  /** Connections closed for undecodable or oversize input. */
  malformed: number;
  idleTimeouts: number;
  connectTimeouts: number;
  /** Connections ended because their handler crashed. */
  handlerErrors: number;
  /** Deliveries whose payload could not be encoded (logged and dropped). */
  unencodable: number;
  readonly refused: RefusedCounts;
}

/** A snapshot of the server's stats. */
export interface ServerStats {
  /** Open sockets (every phase but closed). */
  readonly sockets: CountAndMax;
  /** Connections past CONNACK. */
  readonly connections: CountAndMax;
  readonly rooms: number;
  readonly counters: Readonly<Omit<TransportCounters, 'refused'>> & {
    readonly refused: Readonly<RefusedCounts>;
  };
  readonly channels: ChannelStats;
}

/** Fresh zeroed counters. */
export function newCounters(): TransportCounters {
  return {
    bytesIn: 0,
    bytesOut: 0,
    framesIn: 0,
    framesOut: 0,
    dropped: 0,
    evicted: 0,
    malformed: 0,
    idleTimeouts: 0,
    connectTimeouts: 0,
    handlerErrors: 0,
    unencodable: 0,
    refused: { busy: 0, rate: 0, auth: 0, duplicate: 0, version: 0, draining: 0 },
  };
}
