/**
 * The state chart layout worker: elkjs is large and a layered layout of a big machine can take a
 * while, so it runs here, off the page's main thread. It answers `LayoutRequest`s with the laid-out
 * graph, keyed by machine (the page caches one layout per machine).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './statechart/elk-graph.js';

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

scope.onmessage = (event) => {
  const { machine, graph } = event.data;
  elk.layout(graph as Parameters<typeof elk.layout>[0]).then(
    (laidOut) => scope.postMessage({ machine, graph: laidOut as unknown as LayoutRequest['graph'] }),
    (error: unknown) =>
      scope.postMessage({ machine, error: error instanceof Error ? error.message : String(error) }),
  );
};
