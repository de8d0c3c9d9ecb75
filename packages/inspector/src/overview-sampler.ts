/**
 * The overview: counts from the channel manager and the transport, the event loop's delay
 * (a `monitorEventLoopDelay` histogram, reset each sample) and utilisation, memory, and a bounded
 * history for the page's chart. The histogram runs only while a page is connected.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import type { ChannelManager } from '@switchboard/channels';
import type { Runtime } from '@switchboard/runtime';
import type { Server } from '@switchboard/transport';
import type { OverviewMessage, OverviewSample } from './feed-protocol.js';

const NS_PER_MS = 1e6;
/** The histogram's sampling period: it records whole intervals, so an idle loop reads this much. */
const RESOLUTION_MS = 10;

/** A recorded interval (ns) as the delay beyond the sampling period (ms). */
const delayMs = (ns: number): number => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);

export class OverviewSampler {
  readonly #history: OverviewSample[] = [];
  #histogram: IntervalHistogram | undefined;
  #elu: EventLoopUtilization | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly channels: ChannelManager | undefined,
    private readonly transport: Server | undefined,
    private readonly historySamples: number,
  ) {}

  /** Starts measuring the event loop (a page connected). */
  start(): void {
    if (this.#histogram) return;
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
    this.#elu = performance.eventLoopUtilization();
  }

  /** Stops measuring (the last page left); the history is kept for the next page. */
  stop(): void {
    this.#histogram?.disable();
    this.#histogram = undefined;
    this.#elu = undefined;
  }

  /** Takes a sample (once per list interval) and returns the overview. */
  sample(now: number): OverviewMessage {
    const h = this.#histogram;
    const delay =
      h && h.count > 0
        ? { p50: delayMs(h.percentile(50)), p99: delayMs(h.percentile(99)), max: delayMs(h.max) }
        : { p50: 0, p99: 0, max: 0 };
    h?.reset();
    const elu = performance.eventLoopUtilization();
    const utilization = this.#elu ? performance.eventLoopUtilization(elu, this.#elu).utilization : 0;
    this.#elu = elu;
    const memory = process.memoryUsage();
    const stats = this.channels?.stats();
    const transportConnections = this.transport?.stats().connections.count;
    const processes = this.runtime.processCount;
    this.#history.push({
      at: now,
      processes,
      connections: stats?.connections.count ?? transportConnections ?? 0,
      liveConnections: stats?.live_connections.count ?? transportConnections ?? 0,
      heapUsed: memory.heapUsed,
      elu: utilization,
      delayP99Ms: delay.p99,
    });
    if (this.#history.length > this.historySamples) this.#history.shift();
    return {
      t: 'overview',
      at: now,
      ...(stats
        ? {
            channels: stats.channels,
            sessions: stats.sessions,
            connections: stats.connections,
            liveConnections: stats.live_connections,
          }
        : {}),
      ...(transportConnections !== undefined ? { transportConnections } : {}),
      processes,
      eventLoop: { delayP50Ms: delay.p50, delayP99Ms: delay.p99, delayMaxMs: delay.max, utilization },
      memory: { heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, rss: memory.rss },
      history: this.#history,
    };
  }
}
