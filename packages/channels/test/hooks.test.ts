import { describe, expect, it } from 'vitest';
import { Pid } from '@switchboard/runtime';
import { HookEmitter } from '../src/hooks.js';
import type { HookEvent, HookName } from '../src/hooks.js';

const pid = new Pid('local', 1, 0);

/** An emitter on a clock the test sets, recording events and handler errors. */
function emitter(handlers: HookName[] = ['client.connected', 'client.disconnected']) {
  let now = 0;
  const events: HookEvent[] = [];
  const errors: [unknown, HookName][] = [];
  const hooks = Object.fromEntries(handlers.map((h) => [h, (e: HookEvent) => void events.push(e)]));
  const emit = new HookEmitter(
    hooks,
    () => now,
    (err, hook) => void errors.push([err, hook]),
  );
  return { emit, events, errors, setNow: (t: number) => (now = t) };
}

describe('HookEmitter', () => {
  it('passes the hook, client id, pid, time and reason to the handler', () => {
    const h = emitter();
    h.setNow(5);
    h.emit.emit('client.disconnected', 'c1', pid, 'kicked');
    expect(h.events).toEqual([{ hook: 'client.disconnected', clientId: 'c1', pid, at: 5, reason: 'kicked' }]);
  });

  it('never gives a client id a time earlier than its previous event, even if the clock goes back', () => {
    const h = emitter();
    h.setNow(100);
    h.emit.emit('client.connected', 'c1', pid);
    h.setNow(40);
    h.emit.emit('client.disconnected', 'c1', pid);
    h.emit.emit('client.connected', 'c2', pid); // another id keeps its own clock
    h.setNow(120);
    h.emit.emit('client.disconnected', 'c1', pid);
    expect(h.events.map((e) => [e.clientId, e.at])).toEqual([
      ['c1', 100],
      ['c1', 100],
      ['c2', 40],
      ['c1', 120],
    ]);
  });

  it('forgets a client id: its next event takes the clock as it is', () => {
    const h = emitter();
    h.setNow(100);
    h.emit.emit('client.connected', 'c1', pid);
    h.emit.forget('c1');
    h.setNow(40);
    h.emit.emit('client.connected', 'c1', pid);
    expect(h.events.map((e) => e.at)).toEqual([100, 40]);
  });

  it('does nothing for a hook without a handler, not even remember a time', () => {
    const h = emitter(['client.connected']);
    h.setNow(100);
    h.emit.emit('session.created', 'c1', pid);
    h.setNow(40);
    h.emit.emit('client.connected', 'c1', pid);
    expect(h.events.map((e) => [e.hook, e.at])).toEqual([['client.connected', 40]]);
  });

  it('reports a handler that throws, with its hook name, and goes on', () => {
    const boom = new Error('handler failed');
    const errors: [unknown, HookName][] = [];
    const seen: string[] = [];
    const emit = new HookEmitter(
      {
        'session.created': () => {
          throw boom;
        },
        'session.resumed': (e) => void seen.push(e.clientId),
      },
      () => 0,
      (err, hook) => void errors.push([err, hook]),
    );
    expect(() => emit.emit('session.created', 'c1', pid)).not.toThrow();
    emit.emit('session.resumed', 'c1', pid);
    expect(errors).toEqual([[boom, 'session.created']]);
    expect(seen).toEqual(['c1']);
  });
});
