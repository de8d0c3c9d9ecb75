/**
 * Trace points in the spirit of EMQX's snabbkaffe: `tp(kind, fields)` marks that something
 * happened. Each point goes to pino at debug level and to every installed in-memory collector,
 * which tests assert on (order, causality). With no collector and debug off it costs one check.
 */
import type { Logger } from 'pino';
import type { Clock } from './ports/clock.js';

/** One recorded trace point. */
export interface TracePoint {
  readonly kind: string;
  /** Position in the runtime's trace, from 0. */
  readonly seq: number;
  /** Clock time when it was recorded. */
  readonly at: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * An in-memory collector of trace points, installed with `runtime.trace.collect()`.
 *
 * @example
 * ```ts
 * const trace = rt.trace.collect();
 * rt.trace.tp('session.opened', { clientId: 'c1' });
 * trace.ofKind('session.opened').length; // 1
 * trace.stop();
 * ```
 */
export class TraceCollector {
  readonly events: TracePoint[] = [];

  constructor(
    private readonly detach: (c: TraceCollector) => void,
    /** Called with each point right after it is recorded (see {@link CollectOptions}). */
    readonly onPoint?: ((point: TracePoint) => void) | undefined,
    /** False: points go only to `onPoint`, `events` stays empty (a long-lived listener keeps no history). */
    readonly retain = true,
  ) {}

  /** The points of one kind, in order. */
  ofKind(kind: string): TracePoint[] {
    return this.events.filter((e) => e.kind === kind);
  }

  /** Index of the first point matching, or -1. */
  indexOf(kind: string, match: (fields: Readonly<Record<string, unknown>>) => boolean = () => true): number {
    return this.events.findIndex((e) => e.kind === kind && match(e.fields));
  }

  /**
   * Checks causality: every `effect` point is preceded by a `cause` point for which
   * `related(cause, effect)` holds. Returns the effects that have no cause.
   */
  uncaused(
    cause: string,
    effect: string,
    related: (c: TracePoint['fields'], e: TracePoint['fields']) => boolean,
  ): TracePoint[] {
    const missing: TracePoint[] = [];
    this.events.forEach((e, i) => {
      if (e.kind !== effect) return;
      const found = this.events.slice(0, i).some((c) => c.kind === cause && related(c.fields, e.fields));
      if (!found) missing.push(e);
    });
    return missing;
  }

  /** Stops collecting; the events recorded so far stay readable. */
  stop(): void {
    this.detach(this);
  }
}

/** Options of `runtime.trace.collect()`. */
export interface CollectOptions {
  /**
   * Called with each point right after every collector has recorded it, synchronously, inside the
   * code that called `tp`. What it does (send a message, kill a process) happens at that instant.
   */
  readonly onPoint?: (point: TracePoint) => void;
  /**
   * Keep the points in `events` (default true). A long-lived listener (the inspector) passes
   * false with an `onPoint` and keeps only what it needs.
   */
  readonly retain?: boolean;
}

/** The runtime's tracer: `runtime.trace`. */
export class Tracer {
  private readonly collectors = new Set<TraceCollector>();
  private seq = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** True when a trace point would be recorded somewhere: guard costly field building with it. */
  get active(): boolean {
    return this.collectors.size > 0 || this.logger.isLevelEnabled('debug');
  }

  /** Records a trace point. */
  tp(kind: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (this.collectors.size === 0) {
      if (this.logger.isLevelEnabled('debug')) this.logger.debug({ tp: kind, ...fields }, kind);
      return;
    }
    const point: TracePoint = { kind, seq: this.seq++, at: this.clock.now(), fields };
    for (const c of this.collectors) if (c.retain) c.events.push(point);
    for (const c of this.collectors) c.onPoint?.(point);
    if (this.logger.isLevelEnabled('debug')) this.logger.debug({ tp: kind, ...fields }, kind);
  }

  /**
   * Installs an in-memory collector. With `onPoint`, the collector also calls it synchronously
   * at each point, inside the code that recorded it: a test harness reacts there (injects a
   * fault "when takeover begins") at exactly that instant.
   */
  collect(options: CollectOptions = {}): TraceCollector {
    const collector = new TraceCollector(
      (c) => this.collectors.delete(c),
      options.onPoint,
      options.retain ?? true,
    );
    this.collectors.add(collector);
    return collector;
  }
}
