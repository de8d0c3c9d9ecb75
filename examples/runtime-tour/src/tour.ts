/**
 * The runtime tour, as a function so that a test can run it: a supervision tree, a thousand
 * connection processes, a mass kill reported as DOWN batches, a crash and its restart, and an
 * ordered shutdown. It never sleeps: each step awaits a call or the dispatcher becoming idle.
 */
import { createMachine } from 'xstate';
import type { Logger } from 'pino';
import { createRuntime, createSupervisor, reply } from '@switchboard/runtime';
import type { DownBatchMessage, InspectionEvent, Pid } from '@switchboard/runtime';
import { connectionMachine } from './connection.machine.js';

/** What the tour observed, for the test and the closing log line. */
export interface TourSummary {
  readonly connections: number;
  readonly killed: number;
  /** Deaths the reaper had heard of before the shutdown began (the killed ones). */
  readonly reportedBeforeShutdown: number;
  /** Sizes of every DOWN batch, the shutdown's included. */
  readonly batches: readonly number[];
  readonly restarts: number;
  readonly processesAfterShutdown: number;
}

/** Options of the tour. */
export interface TourOptions {
  readonly logger: Logger;
  readonly connections?: number;
  readonly kill?: number;
  readonly batchSize?: number;
}

/** A process that counts deaths reported to it in batches, like a channel manager would. */
function reaperMachine(log: Logger, batches: number[]) {
  return createMachine({
    on: {
      'rt.down.batch': {
        actions: ({ event }) => {
          const downs = (event as unknown as DownBatchMessage).downs;
          batches.push(downs.length);
          const reasons = new Set(
            downs.map((d) => (typeof d.reason === 'string' ? d.reason : JSON.stringify(d.reason))),
          );
          log.info({ size: downs.length, reasons: [...reasons] }, 'DOWN batch');
        },
      },
      'reaper.count': { actions: reply(() => batches.reduce((a, b) => a + b, 0)) },
    },
  });
}

/** A worker that crashes when told to (so the tour can show a restart). */
const flakyWorker = createMachine({
  on: {
    'worker.crash': {
      actions: () => {
        throw new Error('simulated crash');
      },
    },
  },
});

/** Runs the tour and returns what happened. */
export async function runTour(options: TourOptions): Promise<TourSummary> {
  const log = options.logger;
  const total = options.connections ?? 1000;
  const kill = Math.min(options.kill ?? 300, total);
  const batches: number[] = [];
  let restarts = 0;

  const rt = createRuntime({ logger: log, batchSize: options.batchSize ?? 1000 });
  rt.inspect((e: InspectionEvent) => {
    if (e.type === 'rt.restart') {
      restarts++;
      log.info(
        { child: e.childId, old: String(e.old), now: String(e.pid) },
        'restart seen on the inspection stream',
      );
    }
  });

  log.info('1. A supervision tree: a one_for_one supervisor with a reaper and a flaky worker');
  const reaper = rt.spawn(reaperMachine(log, batches), { name: 'reaper' });
  const services = createSupervisor(rt, {
    strategy: 'one_for_one',
    children: [{ id: 'flaky', logic: flakyWorker }],
  });

  log.info({ total }, '2. A dynamic supervisor starts connection processes, reporting deaths to the reaper');
  const conns = createSupervisor(rt, {
    strategy: 'dynamic',
    child: { logic: connectionMachine, restart: 'temporary' },
    reportDownsTo: reaper,
  });
  const pids: Pid[] = [];
  for (let i = 0; i < total; i++) pids.push(await conns.startChild({ clientId: `client-${i}` }));
  for (const pid of pids) rt.send(pid, { type: 'conn.open' });
  const pong = await rt.call<string>(pids[0] as Pid, { type: 'conn.ping' });
  const info = rt.processInfo(pids[0] as Pid);
  log.info({ pong, state: info?.state, processes: rt.processes().length }, 'connections are up');

  log.info({ kill }, '3. Kill many connections at once: the reaper hears them in DOWN batches');
  for (const pid of pids.slice(0, kill)) rt.exit(pid, 'kill');
  let reported = await rt.call<number>(reaper, { type: 'reaper.count' });
  while (reported < kill) {
    await rt.idle();
    reported = await rt.call<number>(reaper, { type: 'reaper.count' });
  }
  log.info({ batches: batches.length, largest: Math.max(...batches) }, 'every death was reported');

  log.info('4. Crash a supervised worker: the supervisor restarts it');
  const [flaky] = await services.whichChildren();
  rt.send(flaky?.pid as Pid, { type: 'worker.crash' });
  let [again] = await services.whichChildren();
  while (!again?.pid || String(again.pid) === String(flaky?.pid)) [again] = await services.whichChildren();
  log.info({ old: String(flaky?.pid), now: String(again.pid) }, 'worker is back');

  log.info('5. Ordered shutdown: children stop in reverse order, then the supervisors');
  await rt.shutdown();
  const summary: TourSummary = {
    connections: total,
    killed: kill,
    reportedBeforeShutdown: reported,
    batches,
    restarts,
    processesAfterShutdown: rt.processes().length,
  };
  log.info(summary, 'tour finished');
  return summary;
}
