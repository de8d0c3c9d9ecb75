/**
 * `requestStepdown`'s outcome classes (§B.3, §J.1), read from the manager's `.failed` trace
 * points and from what happened to the target: gone (nothing killed), timeout and crash (killed).
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createDeterministicScheduler, createRuntime, createSeededEntropy } from '@switchboard/runtime';
import pino from 'pino';
import { requestStepdown } from '../src/stepdown.js';
import { misbehaving, startChannel, world } from './support/world.js';

const crashesOnKick = setup({}).createMachine({
  on: {
    'ch.kick': {
      actions: () => {
        throw new Error('crash while kicked');
      },
    },
  },
});

describe('requestStepdown', () => {
  const silent = pino({ level: 'silent' });

  function runtime() {
    const sched = createDeterministicScheduler({ seed: 1 });
    return createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(1) });
  }

  it('answers ok with the reply', async () => {
    const w = world();
    const { pid } = startChannel(w, 'c1');
    await expect(requestStepdown(w.rt, silent, 'ch.kick', pid, 1000)).resolves.toEqual({
      kind: 'ok',
      value: 'ok',
    });
  });

  it('classifies a dead target as gone (noproc) and kills nothing', async () => {
    const rt = runtime();
    const pid = rt.spawn(misbehaving.hangs);
    rt.exit(pid, 'shutdown');
    await rt.idle();
    await expect(requestStepdown(rt, silent, 'ch.discard', pid, 1000)).resolves.toEqual({
      kind: 'gone',
      reason: 'noproc',
    });
  });

  it('classifies orderly exits and a kill during the call as gone', async () => {
    const rt = runtime();
    const normal = rt.spawn(misbehaving.exitsNormal);
    const shutdown = rt.spawn(misbehaving.exitsShutdown);
    await expect(requestStepdown(rt, silent, 'ch.kick', normal, 1000)).resolves.toEqual({
      kind: 'gone',
      reason: 'normal',
    });
    await expect(requestStepdown(rt, silent, 'ch.kick', shutdown, 1000)).resolves.toEqual({
      kind: 'gone',
      reason: 'shutdown',
    });
    const hanging = rt.spawn(misbehaving.hangs);
    const pending = requestStepdown(rt, silent, 'ch.kick', hanging, 1000);
    rt.exit(hanging, 'kill');
    await expect(pending).resolves.toEqual({ kind: 'gone', reason: 'killed' });
  });

  it('kills a target that does not answer in time', async () => {
    const rt = runtime();
    const hanging = rt.spawn(misbehaving.hangs);
    const exits: unknown[] = [];
    rt.inspect((e) => {
      if (e.type === 'rt.exit') exits.push(e.reason);
    });
    await expect(requestStepdown(rt, silent, 'ch.takeover.end', hanging, 1000)).resolves.toEqual({
      kind: 'timeout',
    });
    await rt.idle();
    expect(exits).toEqual(['killed']);
  });

  it('reports a target that crashes while answering as failed, with the error', async () => {
    const rt = runtime();
    const crashing = rt.spawn(crashesOnKick);
    const result = await requestStepdown(rt, silent, 'ch.kick', crashing, 1000);
    expect(result.kind).toBe('failed');
    expect(result).toMatchObject({ error: { code: 'RT_ERR_CALLEE_EXITED' } });
    expect(rt.isAlive(crashing)).toBe(false);
  });
});

describe('the manager skips pids it does not know', () => {
  it('reaps the registry row of a dead unknown pid and keeps a live one', async () => {
    const w = world();
    const live = startChannel(w, 'c1').pid;
    const dead = startChannel(w, 'c1').pid;
    await w.cm.registry.register('c1', live);
    await w.cm.registry.register('c1', dead);
    w.rt.exit(dead, 'kill');
    await w.cm.discardSession('c1');
    expect(await w.cm.registry.lookup('c1')).toEqual([live]);
    // Nothing was asked of the live one: it has no conn row here, so it is not this node's to stop.
    expect(w.rt.isAlive(live)).toBe(true);
  });

  it('kicks every channel of an id, and a kick of an unknown id resolves', async () => {
    const w = world();
    const a = startChannel(w, 'c1').pid;
    const b = startChannel(w, 'c1').pid;
    await w.cm.registerChannel('c1', a, { transport: 'test' });
    await w.cm.registerChannel('c1', b, { transport: 'test' });
    await w.cm.kickSession('c1');
    await expect(w.cm.kickSession('nobody')).resolves.toBeUndefined();
    await w.cm.sync();
    expect(w.exits.get(String(a))).toEqual({ shutdown: 'kicked' });
    expect(w.exits.get(String(b))).toEqual({ shutdown: 'kicked' });
    expect(w.cm.tables.lookup('c1')).toEqual([]);
  });

  it('a crashing target of a kick ends killed-or-crashed and its rows are cleaned', async () => {
    const w = world();
    const crashing = w.rt.spawn(crashesOnKick);
    await w.cm.registerChannel('c1', crashing, { transport: 'test' });
    await w.cm.kickSession('c1');
    await w.cm.sync();
    expect(w.rt.isAlive(crashing)).toBe(false);
    expect(w.cm.tables.lookup('c1')).toEqual([]);
  });
});
