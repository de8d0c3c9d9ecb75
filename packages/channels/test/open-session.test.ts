/**
 * `openSession` by policy and by failure: which old channels step down and how, what the opener
 * gets, which hooks fire, and that the lock is free again whatever happened.
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { reply } from '@switchboard/runtime';
import type { DuplicateIdPolicy } from '../src/channel-manager.js';
import type { HookEvent } from '../src/hooks.js';
import { open, startChannel, world } from './support/world.js';

/** An old channel of c1, opened (resume) and settled, then a new opener under `policy`. */
async function reopen(policy: DuplicateIdPolicy | undefined, cleanStart: boolean) {
  const hooks: string[] = [];
  const record = (e: HookEvent) => void hooks.push(e.hook);
  const w = world(1, {
    ...(policy === undefined ? {} : { duplicateIdPolicy: policy }),
    hooks: {
      'session.created': record,
      'session.resumed': record,
      'session.discarded': record,
      'session.kicked': record,
    },
  });
  const old = startChannel(w, 'c1');
  await open(w, 'c1', old.pid, false);
  await w.cm.sync();
  hooks.length = 0;
  const next = startChannel(w, 'c1');
  const outcome = await open(w, 'c1', next.pid, cleanStart).then(
    (r) => ({ present: r.present }),
    (err: Error) => ({ error: err.message }),
  );
  await w.cm.sync();
  return {
    outcome,
    oldExit: w.exits.get(String(old.pid)),
    channels: (await w.cm.lookupChannels('c1')).map((p) => (p === old.pid ? 'old' : 'new')),
    hooks,
    lockFree: w.cm.locker.holder('c1') === undefined,
  };
}

describe('openSession by policy', () => {
  it('default resume takes over: present, old taken over', async () => {
    expect(await reopen(undefined, false)).toEqual({
      outcome: { present: true },
      oldExit: { shutdown: 'takenover' },
      channels: ['new'],
      hooks: ['session.resumed'],
      lockFree: true,
    });
  });

  it('default clean start discards the old channel and creates a session', async () => {
    expect(await reopen(undefined, true)).toEqual({
      outcome: { present: false },
      oldExit: { shutdown: 'discarded' },
      channels: ['new'],
      hooks: ['session.discarded', 'session.created'],
      lockFree: true,
    });
  });

  it('takeover with a clean start still discards: a clean start never takes a session over', async () => {
    expect(await reopen('takeover', true)).toMatchObject({
      outcome: { present: false },
      oldExit: { shutdown: 'discarded' },
      hooks: ['session.discarded', 'session.created'],
    });
  });

  it('discard with a resume discards too: the policy never hands a session over', async () => {
    expect(await reopen('discard', false)).toMatchObject({
      outcome: { present: false },
      oldExit: { shutdown: 'discarded' },
      channels: ['new'],
    });
  });

  it('kick-old kicks the old channel, whatever the clean-start flag', async () => {
    for (const cleanStart of [true, false]) {
      expect(await reopen('kick-old', cleanStart)).toEqual({
        outcome: { present: false },
        oldExit: { shutdown: 'kicked' },
        channels: ['new'],
        hooks: ['session.kicked', 'session.created'],
        lockFree: true,
      });
    }
  });

  it('reject-new refuses while the old channel lives, leaves it alone, and frees the lock', async () => {
    expect(await reopen('reject-new', true)).toEqual({
      outcome: { error: 'client id c1 is unavailable: in use and the policy is reject-new' },
      oldExit: undefined,
      channels: ['old'],
      hooks: [],
      lockFree: true,
    });
  });

  it('reject-new opens when no other channel of the id is alive', async () => {
    const w = world(1, { duplicateIdPolicy: 'reject-new' });
    const first = startChannel(w, 'c1');
    await expect(open(w, 'c1', first.pid, true)).resolves.toMatchObject({ present: false });
  });
});

describe('openSession failures', () => {
  it('refuses an opener that is not alive, before taking the lock', async () => {
    const w = world();
    const dead = startChannel(w, 'c1').pid;
    w.rt.exit(dead, 'kill');
    await expect(open(w, 'c1', dead, true)).rejects.toThrow(
      'client id c1 is unavailable: the opening channel is not alive',
    );
    expect(w.cm.locker.holder('c1')).toBeUndefined();
    expect(w.cm.tables.lookup('c1')).toEqual([]);
  });

  it('refuses while the lock is held, with the reason', async () => {
    const w = world();
    const holder = startChannel(w, 'c1').pid;
    await w.cm.locker.acquire('c1', holder);
    await expect(open(w, 'c1', startChannel(w, 'c1').pid, false)).rejects.toThrow(
      'client id c1 is unavailable: locked by another open',
    );
    expect(w.cm.locker.holder('c1')).toEqual(holder);
  });

  it('refuses while a dead channel of the id awaits cleanup, with the reason', async () => {
    const w = world();
    const old = startChannel(w, 'c1').pid;
    await open(w, 'c1', old, true);
    w.rt.exit(old, 'kill');
    await expect(open(w, 'c1', startChannel(w, 'c1').pid, true)).rejects.toThrow(
      'client id c1 is unavailable: a previous channel is still being cleaned up',
    );
  });

  it('rejects an invalid client id before anything else', async () => {
    const w = world();
    await expect(open(w, '', startChannel(w, '').pid, true)).rejects.toMatchObject({
      code: 'CH_ERR_INVALID_CLIENT_ID',
    });
  });

  it('refuses while a dead registry row of the id still has its conn row (cleanup pending)', async () => {
    const w = world();
    const other = startChannel(w, 'c2').pid;
    await w.cm.registerChannel('c2', other, { transport: 'test' });
    await w.cm.registry.register('c1', other); // a row the throttle finds through the registry
    // The open reads the tables, then awaits the registry; the kill lands in between, and its
    // DOWN has not been handled when the open looks at the registry rows.
    const opening = open(w, 'c1', startChannel(w, 'c1').pid, true);
    w.rt.exit(other, 'kill');
    await expect(opening).rejects.toThrow(
      'client id c1 is unavailable: a previous channel is still being cleaned up',
    );
  });

  it('keeps the session taken at begin when end times out, and fires session.resumed', async () => {
    const hooks: string[] = [];
    const w = world(1, {
      timeouts: { takeoverMs: 1000 },
      hooks: {
        'session.created': (e) => void hooks.push(e.hook),
        'session.resumed': (e) => void hooks.push(e.hook),
      },
    });
    const session = w.cm.sessions.create({ clientId: 'c1' }, { transport: 'test' }, 0);
    const beginsThenHangs = setup({}).createMachine({
      on: { 'ch.takeover.begin': { actions: reply(() => ({ session })) } },
    });
    const old = w.rt.spawn(beginsThenHangs);
    await w.cm.registerChannel('c1', old, { transport: 'test' });
    const r = await w.cm.openSession({
      cleanStart: false,
      clientInfo: { clientId: 'c1' },
      connInfo: { transport: 'test' },
      pid: startChannel(w, 'c1').pid,
    });
    expect(r).toMatchObject({ present: false, pendings: [] });
    expect(r.session).toMatchObject({ clientId: 'c1', createdAt: 0 });
    expect(hooks).toEqual(['session.resumed']);
  });
});
