/**
 * The runtime's hooks for the race kit: suspending a process (a hung process), moving virtual
 * time to the next timer without stepping, reacting to a trace point as it is recorded, and call
 * labels that do not depend on ref numbering.
 */
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { reply } from '@switchboard/runtime';
import type { DownMessage } from '@switchboard/runtime';
import { deterministicWorld, recorder } from './support/world.js';
import type { Received } from './support/world.js';

describe('rt.suspend / rt.resume', () => {
  it('keeps a suspended process alive and its mailbox filling, and handles it all on resume', () => {
    const { sched, rt } = deterministicWorld();
    const log: Received[] = [];
    const pid = rt.spawn(recorder(log));
    expect(rt.suspend(pid)).toBe(true);
    expect(rt.suspend(pid)).toBe(false);
    rt.send(pid, { type: 'a' });
    rt.send(pid, { type: 'b' });
    sched.runUntilIdle();
    expect(log).toEqual([]);
    expect(rt.isAlive(pid)).toBe(true);
    expect(rt.processInfo(pid)?.mailboxLength).toBe(2);
    expect(rt.resume(pid)).toBe(true);
    expect(rt.resume(pid)).toBe(false);
    sched.runUntilIdle();
    expect(log.map((e) => e.type)).toEqual(['a', 'b']);
  });

  it('still ends a suspended process on kill, and its monitors fire', () => {
    const { sched, rt } = deterministicWorld();
    const downs: Received[] = [];
    const watcher = rt.spawn(recorder(downs));
    const pid = rt.spawn(createMachine({}));
    rt.monitor(watcher, pid);
    rt.suspend(pid);
    rt.exit(pid, 'kill');
    sched.runUntilIdle();
    expect(rt.isAlive(pid)).toBe(false);
    expect((downs[0] as unknown as DownMessage).reason).toBe('killed');
    expect(rt.resume(pid)).toBe(false);
  });

  it('makes a call to a suspended process time out', async () => {
    const { sched, rt } = deterministicWorld();
    const pid = rt.spawn(createMachine({ on: { ping: { actions: reply('pong') } } }));
    rt.suspend(pid);
    const answer = rt
      .call(pid, { type: 'ping' }, { timeoutMs: 100 })
      .catch((err: { code: string }) => err.code);
    sched.runUntilIdle();
    expect(await answer).toBe('RT_ERR_CALL_TIMEOUT');
    expect(sched.now()).toBe(100);
  });
});

describe('sched.advanceToNextTimer', () => {
  it('moves time to the next deadline without running the timer', () => {
    const { sched } = deterministicWorld();
    const fired: number[] = [];
    sched.setTimeout(() => fired.push(sched.now()), 250, 't');
    sched.setTimeout(() => fired.push(sched.now()), 100, 'u');
    expect(sched.advanceToNextTimer()).toBe(100);
    expect(fired).toEqual([]);
    expect(sched.step()).toBe(true);
    expect(fired).toEqual([100]);
    expect(sched.advanceToNextTimer()).toBe(250);
    sched.runUntilIdle();
    expect(fired).toEqual([100, 250]);
    expect(sched.advanceToNextTimer()).toBeUndefined();
    expect(sched.now()).toBe(250);
  });
});

describe('trace.collect({ onPoint })', () => {
  it('calls onPoint synchronously at each point, after recording it', () => {
    const { rt } = deterministicWorld();
    const seen: string[] = [];
    const trace = rt.trace.collect({
      onPoint: (p) => seen.push(`${p.kind}:${trace.events.length}`),
    });
    rt.trace.tp('a.b', { x: 1 });
    seen.push('after');
    rt.trace.tp('c.d');
    expect(seen).toEqual(['a.b:1', 'after', 'c.d:2']);
  });
});

describe('call labels', () => {
  it('name the callee, not the ref, so they survive unrelated monitors', () => {
    const run = (extraMonitors: number): string[] => {
      const { sched, rt } = deterministicWorld();
      const pid = rt.spawn(createMachine({ on: { ping: { actions: reply('pong') } } }));
      const other = rt.spawn(createMachine({}));
      for (let i = 0; i < extraMonitors; i++) rt.monitor(other, pid);
      void rt.call(pid, { type: 'ping' });
      sched.runUntilIdle();
      return sched.decisions;
    };
    expect(run(0)).toEqual(['deliver:ext>1@0', 'deliver:1>call:1@0']);
    expect(run(3)).toEqual(run(0));
  });
});
