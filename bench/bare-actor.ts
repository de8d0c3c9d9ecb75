/**
 * The floor of the memory comparison: the connection machine hand-written as a plain class with a
 * ring-buffer mailbox and a run queue drained on `setImmediate`. No statechart, no timers, no
 * monitors: what a process costs when it is nothing but state, context and a (lazy) mailbox.
 */
import type { ConnectionContext, ConnectionEvent } from './machines.js';

type State = 'connecting' | 'connected' | 'takingOver' | 'disconnected' | 'terminated';

/** A growable ring buffer of events. */
class Ring {
  private items: (ConnectionEvent | undefined)[] = new Array<ConnectionEvent | undefined>(4);
  private head = 0;
  length = 0;

  push(event: ConnectionEvent): void {
    if (this.length === this.items.length) {
      const next = new Array<ConnectionEvent | undefined>(this.items.length * 2);
      for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) % this.items.length];
      this.items = next;
      this.head = 0;
    }
    this.items[(this.head + this.length) % this.items.length] = event;
    this.length++;
  }

  shift(): ConnectionEvent | undefined {
    if (this.length === 0) return undefined;
    const event = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    return event;
  }
}

/** Runs actors with queued events, a turn per `setImmediate`. */
export class BareSystem {
  private runQueue: BareActor[] = [];
  private scheduled = false;
  private waiters: (() => void)[] = [];

  ready(actor: BareActor): void {
    this.runQueue.push(actor);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  idle(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private readonly turn = (): void => {
    const queue = this.runQueue;
    this.runQueue = [];
    for (const actor of queue) actor.drain();
    this.scheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  };
}

export class BareActor {
  state: State = 'connecting';
  context: ConnectionContext;
  private mailbox: Ring | null = null;

  constructor(private readonly system: BareSystem) {
    this.context = {
      clientId: '',
      peer: null,
      connectedAt: 0,
      lastSeen: 0,
      messagesIn: 0,
      takeovers: 0,
      reason: null,
    };
  }

  send(event: ConnectionEvent): void {
    if (this.mailbox === null) {
      this.mailbox = new Ring();
      this.system.ready(this);
    }
    this.mailbox.push(event);
  }

  drain(): void {
    const mailbox = this.mailbox;
    if (!mailbox) return;
    for (let event = mailbox.shift(); event; event = mailbox.shift()) this.handle(event);
    this.mailbox = null;
  }

  /** The connection machine's transitions; each state change builds a new context, as `assign` does. */
  handle(event: ConnectionEvent): void {
    const c = this.context;
    switch (this.state) {
      case 'connecting':
        if (event.type === 'conn.open') {
          this.state = 'connected';
          this.context = { ...c, clientId: event.clientId, peer: event.peer, connectedAt: event.at };
        } else if (event.type === 'conn.close') {
          this.state = 'disconnected';
          this.context = { ...c, reason: event.reason };
        }
        return;
      case 'connected':
        if (event.type === 'conn.toggle') {
          this.state = 'takingOver';
          this.context = { ...c, lastSeen: event.at, messagesIn: c.messagesIn + 1 };
        } else if (event.type === 'conn.close') {
          this.state = 'disconnected';
          this.context = { ...c, reason: event.reason };
        }
        return;
      case 'takingOver':
        if (event.type === 'conn.toggle') {
          this.state = 'connected';
          this.context = { ...c, lastSeen: event.at, takeovers: c.takeovers + 1 };
        } else if (event.type === 'conn.takenOver') {
          this.state = 'terminated';
          this.context = { ...c, reason: 'taken-over' };
        } else if (event.type === 'conn.close') {
          this.state = 'disconnected';
          this.context = { ...c, reason: event.reason };
        }
        return;
      case 'disconnected':
        if (event.type === 'conn.close') {
          this.state = 'terminated';
          this.context = { ...c, reason: event.reason };
        }
        return;
      case 'terminated':
        return;
    }
  }
}
