/**
 * The receiving end of one pending `call`. The reply, the callee's DOWN and the timeout all
 * arrive here as messages through the dispatcher, so when a caller learns its outcome is a
 * scheduling decision like any delivery (and replayable). The first outcome settles the call.
 */
import type { DownReason } from '../exit-reason.js';
import { Mailbox } from '../mailbox.js';
import type { Schedulable, WorkItem } from '../ports/dispatcher.js';
import type { Monitor, Sender, Watcher } from './process.js';

/** How a call can end. */
export type CallOutcome =
  | { readonly kind: 'reply'; readonly value: unknown }
  | { readonly kind: 'down'; readonly reason: DownReason }
  | { readonly kind: 'timeout' };

export class CallPort implements Schedulable, Watcher {
  queued = false;
  readonly label: string;
  private readonly box = new Mailbox<Sender, CallOutcome>();
  private settled = false;

  constructor(
    targetLabel: string,
    private readonly ready: (port: CallPort) => void,
    private readonly settle: (outcome: CallOutcome) => void,
  ) {
    // No ref id in the label: ref ids count every monitor and call, so they shift when unrelated
    // work is added or removed, and a recorded decision would no longer name the same step.
    this.label = `call:${targetLabel}`;
  }

  /** Queues an outcome for the dispatcher to deliver; ignored once the call has settled. */
  deliver(sender: Sender, outcome: CallOutcome): void {
    if (this.settled) return;
    this.box.offer(sender, outcome, true);
    if (!this.queued) this.ready(this);
  }

  /** Marks the call settled without an outcome message (it was refused synchronously). */
  settleNow(): void {
    this.settled = true;
    this.box.clear();
  }

  down(monitor: Monitor, reason: DownReason): void {
    // The DOWN travels from the dead callee, after any reply it sent.
    this.deliver(monitor.target, { kind: 'down', reason });
  }

  hasWork(): boolean {
    return this.box.length > 0;
  }

  runSlice(budget: number): number {
    let ran = 0;
    while (ran < budget && this.box.length > 0) {
      this.handle(this.box.shift() as CallOutcome);
      ran++;
    }
    return ran;
  }

  listWork(out: WorkItem[]): void {
    for (const sender of this.box.senders())
      out.push({ owner: this, label: `deliver:${sender.label}>${this.label}`, key: sender });
  }

  runWork(item: WorkItem): string {
    const outcome = this.box.takeFrom(item.key as Sender);
    if (outcome) this.handle(outcome);
    return outcome?.kind ?? 'none';
  }

  private handle(outcome: CallOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.box.clear();
    this.settle(outcome);
  }
}
