import { describe, expect, it } from 'vitest';
import { lastTakenEdges } from '../app/statechart/last-transitions.js';
import { channelChart, event } from './fixtures.js';

const opening = ['channel', 'channel.opening'];
const connected = ['channel', 'channel.connected'];
const disconnected = ['channel', 'channel.disconnected'];
const begun = ['channel', 'channel.takingOver', 'channel.takingOver.begun'];
const terminated = ['channel', 'channel.terminated'];

describe('lastTakenEdges', () => {
  it('marks the edges of the last three transitions, matching labels by event and guard-less prefix', () => {
    const events = [
      event('xstate.init', opening),
      event('CONNECTED', connected),
      event('CONN_LOST', disconnected),
      event('RECONNECT', connected),
      event('TAKEOVER', begun),
    ];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set(['takeover', 'reconnect', 'lost']));
  });

  it('skips events that changed nothing', () => {
    const events = [
      event('xstate.init', opening),
      event('CONNECTED', connected),
      event('PUBLISH', connected, false),
    ];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set(['connect']));
  });

  it("matches XState's delayed events to `after <n>ms` labels", () => {
    const events = [
      event('CONN_LOST', disconnected),
      event('xstate.after.5000.channel.disconnected', terminated),
    ];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set(['expire']));
  });

  it('matches named delays (`after expiryChunk`) too', () => {
    const chart = {
      ...channelChart,
      edges: [
        ...channelChart.edges,
        {
          id: 'chunk',
          source: 'channel.disconnected',
          target: 'channel.terminated',
          label: 'after expiryChunk',
        },
      ],
    };
    const events = [
      event('CONN_LOST', disconnected),
      event('xstate.after.expiryChunk.channel.disconnected', terminated),
    ];
    expect(lastTakenEdges(chart, events)).toEqual(new Set(['chunk']));
  });

  it('places the first event with the states before it, when known', () => {
    const events = [event('TAKEOVER', begun)];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set());
    expect(lastTakenEdges(channelChart, events, connected)).toEqual(new Set(['takeover']));
  });

  it('matches a transition declared on an ancestor of the active state', () => {
    const events = [event('CONNECTED', connected), event('KICK', terminated)];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set(['kick']));
  });

  it('marks nothing when no edge explains the change', () => {
    const events = [event('CONNECTED', connected), event('SOMETHING_ELSE', disconnected)];
    expect(lastTakenEdges(channelChart, events)).toEqual(new Set());
  });
});
