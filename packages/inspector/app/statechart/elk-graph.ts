/**
 * Turns a `chart` message into an ELK input graph (sizes estimated from label lengths, since the
 * layout runs in a worker that cannot measure text) and defines the small message pair between the
 * page and `layout-worker.ts`. Shared by both sides; no elkjs code here.
 */
import type { ChartMessage, ChartNode } from '../../src/feed-protocol.js';

/** The subset of ELK's JSON graph format this page sends and reads back. */
export interface ElkPoint {
  readonly x: number;
  readonly y: number;
}
export interface ElkLabel {
  readonly text: string;
  readonly width: number;
  readonly height: number;
  readonly x?: number;
  readonly y?: number;
}
export interface ElkSection {
  readonly startPoint: ElkPoint;
  readonly endPoint: ElkPoint;
  readonly bendPoints?: readonly ElkPoint[];
}
export interface ElkEdge {
  readonly id: string;
  readonly sources: readonly string[];
  readonly targets: readonly string[];
  readonly labels?: readonly ElkLabel[];
  readonly sections?: readonly ElkSection[];
}
export interface ElkShape {
  readonly id: string;
  readonly width?: number;
  readonly height?: number;
  readonly x?: number;
  readonly y?: number;
  readonly layoutOptions?: Readonly<Record<string, string>>;
  readonly children?: readonly ElkShape[];
  readonly edges?: readonly ElkEdge[];
}

export interface LayoutRequest {
  readonly machine: string;
  readonly chart: ChartMessage;
}
export type LayoutResponse =
  | { readonly machine: string; readonly graph: ElkShape }
  | { readonly machine: string; readonly error: string };

/** The invisible top-level graph; the chart's root state is its only child (drawn as a box). */
export const GRAPH_ROOT_ID = '\u0000graph';

const CHAR_WIDTH = 7.2;
const LABEL_CHAR_WIDTH = 6.4;
export const STATE_HEIGHT = 32;
export const LABEL_HEIGHT = 14;
export const CONTAINER_HEADER = 28;

/** Box sizes for atomic, final and history states; containers are sized by ELK around children. */
export function leafSize(node: ChartNode): { width: number; height: number } {
  if (node.type === 'history') return { width: 32, height: 32 };
  // Room for the label plus the initial-state dot on its left.
  return { width: Math.max(64, Math.ceil(node.key.length * CHAR_WIDTH) + 36), height: STATE_HEIGHT };
}

function toElkShape(node: ChartNode): ElkShape {
  if (node.children.length === 0) return { id: node.id, ...leafSize(node) };
  const minWidth = Math.ceil((node.key.length + (node.type === 'parallel' ? 9 : 0)) * CHAR_WIDTH) + 48;
  return {
    id: node.id,
    layoutOptions: {
      'elk.padding': `[top=${CONTAINER_HEADER + 8},left=14,bottom=14,right=14]`,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      'elk.nodeSize.minimum': `(${minWidth}, ${CONTAINER_HEADER + 20})`,
    },
    children: node.children.map(toElkShape),
  };
}

function collectIds(node: ChartNode, ids: Set<string>): Set<string> {
  ids.add(node.id);
  for (const child of node.children) collectIds(child, ids);
  return ids;
}

export type LayoutDirection = 'DOWN' | 'RIGHT';

/** Both directions are laid out; the one that fits this box at the larger scale wins. */
export const LAYOUT_TARGET = { width: 900, height: 600 };

/** How much a laid-out graph must shrink to fit LAYOUT_TARGET (1 when it fits as is). */
export function fitScale(graph: ElkShape): number {
  const width = graph.width ?? 1;
  const height = graph.height ?? 1;
  return Math.min(1, LAYOUT_TARGET.width / width, LAYOUT_TARGET.height / height);
}

export function chartToElkGraph(chart: ChartMessage, direction: LayoutDirection = 'DOWN'): ElkShape {
  const ids = collectIds(chart.root, new Set());
  return {
    id: GRAPH_ROOT_ID,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      // Absolute coordinates for every shape and edge: the SVG is one flat coordinate system.
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: [toElkShape(chart.root)],
    // All edges at the top: with INCLUDE_CHILDREN, ELK routes across hierarchy levels itself. An
    // edge to a state the chart does not have would make ELK reject the whole graph: leave it out.
    edges: chart.edges
      .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
      .map((edge) => ({
        id: edge.id,
        sources: [edge.source],
        targets: [edge.target],
        labels: [
          {
            text: edge.label,
            width: Math.ceil(edge.label.length * LABEL_CHAR_WIDTH) + 6,
            height: LABEL_HEIGHT,
          },
        ],
      })),
  };
}
