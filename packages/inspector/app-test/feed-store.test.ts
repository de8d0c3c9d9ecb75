import { describe, expect, it } from 'vitest';
import type { ActorMessage } from '../src/feed-protocol.js';
import { FeedStore } from '../app/feed-store.js';
import { channelChart, event } from './fixtures.js';

function snapshot(id: string): ActorMessage {
  return {
    t: 'actor',
    id,
    kind: 'process',
    machine: 'channel',
    status: 'running',
    state: 'opening',
    stateIds: ['channel', 'channel.opening'],
    context: {},
    mailbox: 0,
    clientId: 'c1',
    events: [event('xstate.init', ['channel', 'channel.opening'])],
  };
}

describe('FeedStore', () => {
  it('folds an actor snapshot, its increments (without duplicates) and its end', () => {
    const store = new FeedStore();
    store.openActor('<0.1>');
    store.apply(snapshot('<0.1>'));
    const connected = event('CONNECTED', ['channel', 'channel.connected']);
    const increment = {
      t: 'actorEvents',
      id: '<0.1>',
      events: [connected],
      state: 'connected',
      stateIds: ['channel', 'channel.connected'],
      context: { n: 1 },
      mailbox: 2,
    } as const;
    store.apply(increment);
    store.apply(increment); // A repeat adds nothing.
    store.apply({ t: 'actorEnded', id: '<0.1>', exitReason: 'kicked' });
    const actor = store.current.actor;
    expect(actor?.events.map((e) => e.type)).toEqual(['xstate.init', 'CONNECTED']);
    expect(actor?.snapshot?.stateIds).toEqual(['channel', 'channel.connected']);
    expect(actor?.snapshot?.mailbox).toBe(2);
    expect(actor?.snapshot?.status).toBe('stopped');
    expect(actor?.snapshot?.exitReason).toBe('kicked');
  });

  it('remembers the states before the first kept event', () => {
    const store = new FeedStore();
    store.openActor('<0.3>');
    store.apply({ ...snapshot('<0.3>'), events: [], stateIds: ['channel', 'channel.connected'] });
    expect(store.current.actor?.baseStateIds).toEqual(['channel', 'channel.connected']);
    const many = Array.from({ length: 205 }, (_, i) => event(`E${i}`, ['channel', `channel.s${i}`]));
    store.apply({
      t: 'actorEvents',
      id: '<0.3>',
      events: many,
      state: 's204',
      stateIds: ['channel', 'channel.s204'],
      context: {},
      mailbox: 0,
    });
    expect(store.current.actor?.events).toHaveLength(200);
    expect(store.current.actor?.events[0]?.type).toBe('E5');
    expect(store.current.actor?.baseStateIds).toEqual(['channel', 'channel.s4']);
  });

  it('ignores messages about an actor the page no longer shows', () => {
    const store = new FeedStore();
    store.openActor('<0.2>');
    store.apply(snapshot('<0.1>'));
    expect(store.current.actor).toEqual({ id: '<0.2>', events: [], unknown: false });
    store.apply({ t: 'actorUnknown', id: '<0.2>' });
    expect(store.current.actor?.unknown).toBe(true);
  });

  it('keeps charts by machine and notifies subscribers', () => {
    const store = new FeedStore();
    const seen: number[] = [];
    const unsubscribe = store.subscribe((state) => seen.push(state.charts.size));
    store.apply(channelChart);
    unsubscribe();
    store.apply({ ...channelChart, machine: 'other' });
    expect(seen).toEqual([1]);
    expect([...store.current.charts.keys()]).toEqual(['channel', 'other']);
  });
});
