/**
 * The state chart layout worker: elkjs is large and a layered layout of a big machine can take a
 * while, so it runs here, off the page's main thread. It answers `LayoutRequest`s with the laid-out
 * graph, keyed by machine (the page caches one layout per machine).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkShape, LayoutDirection, LayoutRequest, LayoutResponse } from './statechart/elk-graph.js';
import { chartToElkGraph, fitScale } from './statechart/elk-graph.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResponse): void;
  document?: unknown;
}
const scope = globalThis as unknown as WorkerScope;

/**
 * elkjs <= 0.11 decides on its first `new ELK()` that a context with `self` and no `document` is
 * its own dedicated worker: it takes over `self.onmessage` and exports no in-thread worker, so the
 * constructor fails (kieler/elkjs#141, #377). A stand-in `document` during construction makes it
 * take the in-thread path; later versions ignore it.
 */
function createElk(): InstanceType<typeof ELK> {
  const hadDocument = 'document' in scope;
  if (!hadDocument) scope.document = {};
  try {
    return new ELK();
  } finally {
    if (!hadDocument) delete scope.document;
  }
}

const elk = createElk();

async function layOut(request: LayoutRequest): Promise<ElkShape> {
  // Which direction suits a machine depends on its shape: lay out both and keep the one that needs
  // less shrinking to fit the pane (top-down unless left-to-right is clearly better).
  const directions: LayoutDirection[] = ['DOWN', 'RIGHT'];
  let best: ElkShape | undefined;
  for (const direction of directions) {
    const graph = chartToElkGraph(request.chart, direction);
    const laidOut = (await elk.layout(graph as Parameters<typeof elk.layout>[0])) as unknown as ElkShape;
    if (!best || fitScale(laidOut) > fitScale(best) + 0.05) best = laidOut;
  }
  if (!best) throw new Error('no layout');
  return best;
}

scope.onmessage = (event) => {
  const request = event.data;
  layOut(request).then(
    (graph) => scope.postMessage({ machine: request.machine, graph }),
    (error: unknown) =>
      scope.postMessage({
        machine: request.machine,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
};
