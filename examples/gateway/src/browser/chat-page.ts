/**
 * The chat page: connects to the gateway over WebSocket with the browser client, joins a room,
 * shows the room's messages and how many are online, and has a "kick me" button that asks the
 * server to kick this client (it then sees DISCONNECT KICKED and does not reconnect).
 * DOM hooks for tests: `#status[data-state]`, `#presence[data-count]`, `#messages li[data-from]`.
 */
import { connect, reasonName } from '@switchboard/transport/client';
import type { MessageFrame } from '@switchboard/transport/client';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const me = params.get('id') ?? `guest-${Math.random().toString(36).slice(2, 8)}`;
let room = params.get('room') ?? 'lobby';

$('me').textContent = me;
$<HTMLInputElement>('room').value = room;
$('room-name').textContent = room;

const client = connect(`ws://${location.host}/ws`, {
  clientId: me,
  cleanStart: true,
  sessionExpiryMs: 0,
  reconnect: { initialDelayMs: 250, maxDelayMs: 5000 },
});

function setStatus(state: string): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = state;
}

function append(from: string | undefined, text: string, system = false): void {
  const li = document.createElement('li');
  if (system) li.className = 'system';
  if (from !== undefined) {
    li.dataset.from = from;
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = from;
    li.append(who);
  }
  li.append(document.createTextNode(text));
  const list = $('messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function onMessage(m: MessageFrame): void {
  const payload = m.payload as { text?: unknown; presence?: unknown } | null;
  if (payload && typeof payload.presence === 'number') {
    if (m.room === room) {
      const el = $('presence');
      el.dataset.count = String(payload.presence);
      el.textContent = String(payload.presence);
    }
    return;
  }
  if (payload && typeof payload.text === 'string') append(m.from ?? 'server', payload.text);
}

client.on('connected', () => {
  setStatus('connected');
  client.join(room).catch((err: unknown) => append(undefined, `join failed: ${String(err)}`, true));
});
client.on('message', onMessage);
client.on('disconnect', (d) =>
  append(undefined, `server closed the connection: ${reasonName(d.reason)}`, true),
);
client.on('close', ({ willReconnect }) => setStatus(willReconnect ? 'reconnecting' : 'closed'));
client.on('reconnecting', () => setStatus('reconnecting'));

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  append(me, text);
  client
    .publish({ room }, { text })
    .catch((err: unknown) => append(undefined, `not sent: ${String(err)}`, true));
});

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const next = $<HTMLInputElement>('room').value.trim();
  if (!next || next === room) return;
  const previous = room;
  room = next;
  $('room-name').textContent = room;
  $('presence').dataset.count = '0';
  $('presence').textContent = '0';
  $('messages').replaceChildren();
  void client
    .leave(previous)
    .then(() => client.join(room))
    .catch((err: unknown) => append(undefined, `room change failed: ${String(err)}`, true));
});

$('kick').addEventListener('click', () => {
  void client.publish({ target: me }, { cmd: 'kick-me' }).catch(() => undefined);
});
