import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { runTour } from '../src/tour.js';

describe('runtime tour', () => {
  it('reports every killed connection in batches no larger than batchSize, restarts the worker and shuts down clean', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const summary = await runTour({ logger, connections: 400, kill: 250, batchSize: 100 });
    expect(summary.reportedBeforeShutdown).toBe(250);
    // The shutdown stops the remaining 150 connections; their deaths are reported too.
    expect(summary.batches.reduce((a, b) => a + b, 0)).toBe(400);
    expect(Math.max(...summary.batches)).toBeLessThanOrEqual(100);
    expect(summary.restarts).toBe(1);
    expect(summary.processesAfterShutdown).toBe(0);
    expect(lines.some((l) => l.includes('child restarted'))).toBe(true);
    expect(lines.some((l) => l.includes('tour finished'))).toBe(true);
  });
});
