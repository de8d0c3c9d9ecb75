import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import {
  createDeterministicScheduler,
  createPool,
  createRuntime,
  createSeededEntropy,
} from '@switchboard/runtime';

function world(seed = 3) {
  const sched = createDeterministicScheduler({ seed, auto: false });
  const lines: string[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const rt = createRuntime({ dispatcher: sched, clock: sched, entropy: createSeededEntropy(seed), logger });
  return { sched, rt, lines };
}

describe('pool', () => {
  it('runs submitted tasks on worker processes and resolves with their results', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 3, name: 'cleanup' });
    expect(pool.workers).toHaveLength(3);
    const results = [pool.submit(() => 1), pool.submit(() => 2), pool.submit(() => 3)];
    expect(pool.pending).toBe(3);
    sched.runUntilIdle();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
    expect(pool.pending).toBe(0);
  });

  it('keeps the worker alive after a task throws, logs it, and rejects that submit', async () => {
    const { rt, sched, lines } = world();
    const pool = createPool(rt, { size: 1 });
    const failing = pool.submit(() => {
      throw new Error('cleanup failed');
    });
    pool.asyncSubmit(() => {
      throw new Error('async cleanup failed');
    });
    const after = pool.submit(() => 'still working');
    sched.runUntilIdle();
    await expect(failing).rejects.toThrow('cleanup failed');
    expect(await after).toBe('still working');
    expect(rt.isAlive(pool.workers[0]!)).toBe(true);
    expect(lines.filter((l) => l.includes('pool task failed'))).toHaveLength(2);
  });

  it('runs tasks with the same key on one worker in submission order', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 4 });
    const order: number[] = [];
    for (let i = 0; i < 20; i++) pool.asyncSubmit(() => order.push(i), 'client-1');
    sched.runUntilIdle();
    await pool.flush();
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('holds a worker while an async task runs, then continues with the backlog', async () => {
    const { rt } = world();
    const pool = createPool(rt, { size: 1 });
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    pool.asyncSubmit(async () => {
      log.push('start slow');
      await gate;
      log.push('end slow');
    });
    pool.asyncSubmit(() => log.push('fast'));
    const flushed = pool.flush();
    // The auto scheduler is off: drive the world step by step until the slow task is running.
    (rt.dispatcher as unknown as { runUntilIdle(): number }).runUntilIdle();
    expect(log).toEqual(['start slow']);
    release();
    await gate;
    await Promise.resolve();
    (rt.dispatcher as unknown as { runUntilIdle(): number }).runUntilIdle();
    await flushed;
    expect(log).toEqual(['start slow', 'end slow', 'fast']);
  });

  it('flush resolves at once when nothing is pending, and after the pending tasks otherwise', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 2 });
    await pool.flush();
    let ran = 0;
    pool.asyncSubmit(() => ran++);
    let flushed = false;
    const f = pool.flush().then(() => (flushed = true));
    await Promise.resolve();
    expect(flushed).toBe(false);
    sched.runUntilIdle();
    await f;
    expect(ran).toBe(1);
  });

  it('refuses tasks after close and stops its workers', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 2, name: 'p' });
    pool.asyncSubmit(() => undefined);
    const closed = pool.close();
    sched.runUntilIdle();
    await closed;
    sched.runUntilIdle();
    expect(pool.workers.every((w) => !rt.isAlive(w))).toBe(true);
    expect(pool.asyncSubmit(() => undefined)).toBe(false);
    await expect(pool.submit(() => 1)).rejects.toMatchObject({ code: 'RT_ERR_POOL_CLOSED' });
  });

  it('fails the backlog of a worker that is killed, so flush never hangs', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    pool.asyncSubmit(() => gate);
    const queued = pool.submit(() => 'never');
    sched.runUntilIdle();
    rt.exit(pool.workers[0]!, 'kill');
    sched.runUntilIdle();
    await expect(queued).rejects.toMatchObject({ code: 'RT_ERR_POOL_CLOSED' });
    release();
    await pool.flush();
    expect(pool.pending).toBe(0);
  });

  it('replaces a dead worker in its slot when the next task is routed there', async () => {
    const { rt, sched } = world();
    const pool = createPool(rt, { size: 2 });
    const [first] = pool.workers;
    rt.exit(first!, 'kill');
    sched.runUntilIdle();
    const result = pool.submit(() => 'done by the replacement', 0);
    sched.runUntilIdle();
    // Key 0 hashes to one slot; whichever it is, the task runs and every slot holds a live worker.
    expect(await result).toBe('done by the replacement');
    pool.asyncSubmit(() => undefined);
    pool.asyncSubmit(() => undefined);
    sched.runUntilIdle();
    expect(pool.workers.every((w) => rt.isAlive(w))).toBe(true);
    expect(String(pool.workers)).not.toContain(String(first));
  });

  it('rejects a bad size with RT_ERR_INVALID_OPTION', () => {
    const { rt } = world();
    expect(() => createPool(rt, { size: 0 })).toThrow(
      expect.objectContaining({ code: 'RT_ERR_INVALID_OPTION' }),
    );
  });
});
