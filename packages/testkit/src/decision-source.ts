/**
 * The world's one decision source, plugged into the runtime's deterministic scheduler as its
 * strategy. At each choice it (1) applies the next recorded deviation if its step has come,
 * else (2) asks the exploration strategy, else (3) takes the default; and it records every
 * choice that left the default as a {@link Deviation}. Replaying those deviations with no
 * exploration reproduces the run step for step.
 */
import type { Strategy } from '@switchboard/runtime';
import type { Deviation } from './scenario.js';
import type { ExplorationStrategy } from './strategies.js';

/**
 * The default among candidate labels: the oldest system work (a delivery, exit, DOWN batch or
 * due timer) before any client operation or fault — the world settles before the next external
 * event — and for a DOWN batch's size, the largest (what the live dispatcher does).
 *
 * @example
 * ```ts
 * defaultIndex(['op:connect:c2@0', 'deliver:ext>cm@0']); // 1
 * defaultIndex(['size:cm#1@0', 'size:cm#2@0']); // 1
 * ```
 */
export function defaultIndex(labels: readonly string[]): number {
  const first = labels[0] as string;
  if (first.startsWith('size:')) return labels.length - 1;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as string;
    if (!label.startsWith('op:') && !label.startsWith('fault:')) return i;
  }
  return 0;
}

/** Splits `chain@n` or `chain@n~k` into its chain and count. */
function parse(label: string): { chain: string; count: number } {
  const tilde = label.indexOf('~', label.lastIndexOf('@'));
  const bare = tilde < 0 ? label : label.slice(0, tilde);
  const at = bare.lastIndexOf('@');
  return at < 0 ? { chain: bare, count: 0 } : { chain: bare.slice(0, at), count: Number(bare.slice(at + 1)) };
}

/** True when a candidate of the same chain has a later count: `label`'s step is over. */
function isPast(label: string, labels: readonly string[]): boolean {
  const { chain, count } = parse(label);
  for (const candidate of labels) {
    if (!candidate.startsWith(chain)) continue;
    const c = parse(candidate);
    if (c.chain === chain && c.count > count) return true;
  }
  return false;
}

/**
 * See the module header.
 *
 * @example
 * ```ts
 * const source = new DecisionSource([['deliver:ext>cm@0', 'op:connect:c2@0']], undefined);
 * const sched = createDeterministicScheduler({ auto: false, strategy: source.strategy });
 * ```
 */
export class DecisionSource {
  /** Every choice that left the default, in order: the run's `decisions`. */
  readonly deviations: Deviation[] = [];
  /** How many recorded deviations were applied. */
  applied = 0;
  private next = 0;

  constructor(
    private readonly replay: readonly Deviation[],
    private readonly explore: ExplorationStrategy | undefined,
  ) {}

  /** The scheduler strategy (it is only asked when there are at least two candidates). */
  readonly strategy: Strategy = (labels, random, step) => {
    const d = defaultIndex(labels);
    let index = -1;
    while (this.next < this.replay.length) {
      const [at, take] = this.replay[this.next] as Deviation;
      // A deviation whose step has passed (its labels were consumed elsewhere) is dropped, so
      // one stale decision does not block the ones after it.
      if (isPast(at, labels) || isPast(take, labels)) {
        this.next++;
        continue;
      }
      if (labels[d] === at) {
        const i = labels.indexOf(take);
        this.next++;
        // Its step has come but what it took is not there (shrinking removed it): dropped, so
        // the decisions after it still apply. A recorded run always finds it.
        if (i < 0) continue;
        this.applied++;
        index = i;
      }
      break;
    }
    if (index < 0) index = this.explore ? this.explore.choose(labels, d, random, step) : d;
    if (index !== d) this.deviations.push([labels[d] as string, labels[index] as string]);
    return index;
  };
}
