/**
 * Draws a laid-out chart as SVG: states as rounded boxes (containers around their children), the
 * initial child marked with a dot, final states double-bordered, edges as paths with their labels.
 * Active states and the last taken edges are attributes, so only classes change per event.
 */
import type { ChartMessage, ChartNode } from '../../src/feed-protocol.js';
import type { ElkEdge, ElkShape } from './elk-graph.js';
import { CONTAINER_HEADER, GRAPH_ROOT_ID } from './elk-graph.js';

interface StatechartProps {
  readonly chart: ChartMessage;
  /** Undefined while the worker lays it out. */
  readonly layout: ElkShape | undefined;
  readonly layoutError?: string | undefined;
  readonly activeIds: ReadonlySet<string>;
  readonly lastEdges: ReadonlySet<string>;
}

function chartNodesById(root: ChartNode): Map<string, ChartNode> {
  const byId = new Map<string, ChartNode>();
  const walk = (node: ChartNode) => {
    byId.set(node.id, node);
    node.children.forEach(walk);
  };
  walk(root);
  return byId;
}

/** Which children are their parent's initial state. */
function initialIds(root: ChartNode): Set<string> {
  const ids = new Set<string>();
  const walk = (node: ChartNode) => {
    if (node.initial !== undefined) ids.add(node.initial);
    node.children.forEach(walk);
  };
  walk(root);
  return ids;
}

function StateShape({
  shape,
  nodes,
  initials,
  activeIds,
  inParallel,
}: {
  readonly shape: ElkShape;
  readonly nodes: ReadonlyMap<string, ChartNode>;
  readonly initials: ReadonlySet<string>;
  readonly activeIds: ReadonlySet<string>;
  /** A region of a parallel state (drawn dashed). */
  readonly inParallel: boolean;
}) {
  const node = nodes.get(shape.id);
  const x = shape.x ?? 0;
  const y = shape.y ?? 0;
  const width = shape.width ?? 0;
  const height = shape.height ?? 0;
  const active = activeIds.has(shape.id);
  const container = (shape.children?.length ?? 0) > 0;
  const type = node?.type ?? 'atomic';
  const key = node?.key ?? shape.id;
  const initial = initials.has(shape.id);
  const classes = [
    'state',
    `state-${type}`,
    container ? 'container' : 'leaf',
    active ? 'active' : '',
    inParallel ? 'region' : '',
  ].join(' ');
  // The initial marker sits inside the box: outside it would collide with incoming edges.
  const labelInset = initial ? 22 : 12;
  return (
    <g
      data-state={shape.id}
      data-active={active ? 'true' : 'false'}
      data-type={type}
      data-initial={initial ? 'true' : undefined}
      class={classes}
    >
      <title>{`${shape.id} (${type})`}</title>
      {type === 'history' ? (
        <>
          <circle class="state-box" cx={x + width / 2} cy={y + height / 2} r={Math.min(width, height) / 2} />
          <text
            class="state-label"
            x={x + width / 2}
            y={y + height / 2}
            dominant-baseline="central"
            text-anchor="middle"
          >
            H
          </text>
        </>
      ) : (
        <>
          <rect class="state-box" x={x} y={y} width={width} height={height} rx={container ? 10 : 8} />
          {type === 'final' && (
            <rect
              class="state-final-inner"
              x={x + 3}
              y={y + 3}
              width={width - 6}
              height={height - 6}
              rx={6}
            />
          )}
          {container ? (
            <>
              <text
                class="state-label container-label"
                x={x + labelInset}
                y={y + CONTAINER_HEADER / 2 + 2}
                dominant-baseline="central"
              >
                {key}
                {type === 'parallel' && <tspan class="label-note"> parallel</tspan>}
              </text>
              <line
                class="container-rule"
                x1={x}
                x2={x + width}
                y1={y + CONTAINER_HEADER}
                y2={y + CONTAINER_HEADER}
              />
            </>
          ) : (
            <text
              class="state-label"
              x={x + width / 2}
              y={y + height / 2}
              dominant-baseline="central"
              text-anchor="middle"
            >
              {key}
            </text>
          )}
        </>
      )}
      {initial && (
        <circle
          class="initial-dot"
          cx={x + 10}
          cy={y + (container ? CONTAINER_HEADER / 2 + 2 : height / 2)}
          r={3.5}
        />
      )}
      {shape.children?.map((child) => (
        <StateShape
          key={child.id}
          shape={child}
          nodes={nodes}
          initials={initials}
          activeIds={activeIds}
          inParallel={type === 'parallel'}
        />
      ))}
    </g>
  );
}

function edgePath(edge: ElkEdge): string {
  return (edge.sections ?? [])
    .map((section) =>
      [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
        .map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`)
        .join(' '),
    )
    .join(' ');
}

function EdgeShape({ edge, last }: { readonly edge: ElkEdge; readonly last: boolean }) {
  const label = edge.labels?.[0];
  return (
    <g data-edge={edge.id} data-last={last ? 'true' : undefined} class={last ? 'edge last' : 'edge'}>
      <title>{`${edge.sources[0] ?? ''} → ${edge.targets[0] ?? ''}: ${label?.text ?? ''}`}</title>
      <path
        class="edge-line"
        d={edgePath(edge)}
        marker-end={last ? 'url(#sc-arrow-last)' : 'url(#sc-arrow)'}
      />
      {label && label.x !== undefined && label.y !== undefined && (
        <text
          class="edge-label"
          x={label.x + label.width / 2}
          y={label.y + label.height / 2}
          dominant-baseline="central"
          text-anchor="middle"
        >
          {label.text}
        </text>
      )}
    </g>
  );
}

export function StatechartSvg({ chart, layout, layoutError, activeIds, lastEdges }: StatechartProps) {
  if (!layout) {
    return (
      <svg
        data-statechart=""
        data-machine={chart.machine}
        data-layout="pending"
        class="statechart pending"
        viewBox="0 0 320 40"
        width={320}
        height={40}
      >
        <text x={8} y={24} class="muted-text">
          {layoutError !== undefined ? `layout failed: ${layoutError}` : 'laying out…'}
        </text>
      </svg>
    );
  }
  const nodes = chartNodesById(chart.root);
  const initials = initialIds(chart.root);
  const width = Math.ceil(layout.width ?? 0);
  const height = Math.ceil(layout.height ?? 0);
  const topShapes = layout.id === GRAPH_ROOT_ID ? (layout.children ?? []) : [layout];
  return (
    <svg
      data-statechart=""
      data-machine={chart.machine}
      data-layout="done"
      class="statechart"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={`state chart of ${chart.machine}`}
    >
      <defs>
        <ArrowMarker id="sc-arrow" pathClass="arrow" />
        <ArrowMarker id="sc-arrow-last" pathClass="arrow last" />
      </defs>
      {topShapes.map((shape) => (
        <StateShape
          key={shape.id}
          shape={shape}
          nodes={nodes}
          initials={initials}
          activeIds={activeIds}
          inParallel={false}
        />
      ))}
      {(layout.edges ?? []).map((edge) => (
        <EdgeShape key={edge.id} edge={edge} last={lastEdges.has(edge.id)} />
      ))}
    </svg>
  );
}

/** An arrowhead for edges; the last transitions use their own so they can be coloured apart. */
function ArrowMarker({ id, pathClass }: { readonly id: string; readonly pathClass: string }) {
  return (
    <marker
      id={id}
      viewBox="0 0 10 10"
      refX="9"
      refY="5"
      markerUnits="userSpaceOnUse"
      markerWidth="9"
      markerHeight="9"
      orient="auto-start-reverse"
    >
      <path d="M0,0 L10,5 L0,10 z" class={pathClass} />
    </marker>
  );
}
