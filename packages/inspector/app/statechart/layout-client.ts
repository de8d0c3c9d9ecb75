/**
 * The page's side of the layout worker: one worker for the page, one layout per machine, cached in
 * page memory (every connection of the same machine shares it, and reopening an actor is instant).
 */
import type { ChartMessage } from '../../src/feed-protocol.js';
import type { ElkShape, LayoutRequest, LayoutResponse } from './elk-graph.js';

const layouts = new Map<string, Promise<ElkShape>>();
const pending = new Map<string, { resolve: (graph: ElkShape) => void; reject: (error: Error) => void }>();
let worker: Worker | undefined;

function layoutWorker(): Worker {
  if (worker) return worker;
  // Next to app.js, wherever the page is mounted; a classic worker (the bundle is an IIFE).
  const created = new Worker(new URL('layout-worker.js', import.meta.url));
  created.onmessage = (event: MessageEvent<LayoutResponse>) => {
    const response = event.data;
    const waiter = pending.get(response.machine);
    if (!waiter) return;
    pending.delete(response.machine);
    if ('error' in response) waiter.reject(new Error(response.error));
    else waiter.resolve(response.graph);
  };
  created.onerror = (event) => {
    event.preventDefault();
    const error = new Error(event.message || 'layout worker failed');
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker = created;
  return created;
}

export function layoutChart(chart: ChartMessage): Promise<ElkShape> {
  const cached = layouts.get(chart.machine);
  if (cached) return cached;
  const layout = new Promise<ElkShape>((resolve, reject) => {
    pending.set(chart.machine, { resolve, reject });
    layoutWorker().postMessage({ machine: chart.machine, chart } satisfies LayoutRequest);
  });
  // A failed layout may succeed next time (e.g. after the worker script was redeployed).
  layout.catch(() => layouts.delete(chart.machine));
  layouts.set(chart.machine, layout);
  return layout;
}
