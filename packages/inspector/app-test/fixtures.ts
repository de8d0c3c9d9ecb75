/** A chart shaped like the channel machine: a compound `takingOver`, a final `terminated`. */
import type { ActorEvent, ChartMessage } from '../src/feed-protocol.js';

const leaf = (id: string, type: 'atomic' | 'final' = 'atomic') => ({
  id,
  key: id.slice(id.lastIndexOf('.') + 1),
  type,
  children: [],
});

export const channelChart: ChartMessage = {
  t: 'chart',
  machine: 'channel',
  root: {
    id: 'channel',
    key: 'channel',
    type: 'compound',
    initial: 'channel.opening',
    children: [
      leaf('channel.opening'),
      leaf('channel.connected'),
      leaf('channel.disconnected'),
      {
        id: 'channel.takingOver',
        key: 'takingOver',
        type: 'compound',
        initial: 'channel.takingOver.begun',
        children: [leaf('channel.takingOver.begun'), leaf('channel.takingOver.ended', 'final')],
      },
      leaf('channel.terminated', 'final'),
    ],
  },
  edges: [
    { id: 'connect', source: 'channel.opening', target: 'channel.connected', label: 'CONNECTED' },
    { id: 'lost', source: 'channel.connected', target: 'channel.disconnected', label: 'CONN_LOST' },
    {
      id: 'reconnect',
      source: 'channel.disconnected',
      target: 'channel.connected',
      label: 'RECONNECT [sessionAlive]',
    },
    { id: 'takeover', source: 'channel.connected', target: 'channel.takingOver', label: 'TAKEOVER' },
    {
      id: 'sent',
      source: 'channel.takingOver.begun',
      target: 'channel.takingOver.ended',
      label: 'STATE_SENT',
    },
    { id: 'expire', source: 'channel.disconnected', target: 'channel.terminated', label: 'after 5000ms' },
    { id: 'kick', source: 'channel', target: 'channel.terminated', label: 'KICK' },
    { id: 'ghost', source: 'channel.connected', target: 'channel.nowhere', label: 'GHOST' },
  ],
};

let seq = 0;
export function event(type: string, stateIds: readonly string[], changed = true): ActorEvent {
  seq++;
  return { seq, at: 1_700_000_000_000 + seq, type, stateIds, changed };
}
