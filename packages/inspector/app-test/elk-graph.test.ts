import { describe, expect, it } from 'vitest';
import { chartToElkGraph, GRAPH_ROOT_ID } from '../app/statechart/elk-graph.js';
import { channelChart } from './fixtures.js';

describe('chartToElkGraph', () => {
  const graph = chartToElkGraph(channelChart);

  it('nests compound states as containers under an invisible top-level graph', () => {
    expect(graph.id).toBe(GRAPH_ROOT_ID);
    expect(graph.layoutOptions?.['elk.hierarchyHandling']).toBe('INCLUDE_CHILDREN');
    const root = graph.children?.[0];
    expect(root?.id).toBe('channel');
    const takingOver = root?.children?.find((child) => child.id === 'channel.takingOver');
    expect(takingOver?.children?.map((child) => child.id)).toEqual([
      'channel.takingOver.begun',
      'channel.takingOver.ended',
    ]);
    // Leaves get a size; containers are sized by ELK.
    expect(takingOver?.width).toBeUndefined();
    expect(root?.children?.[0]?.width).toBeGreaterThan(0);
  });

  it('gives every edge a sized label and drops edges to states the chart lacks', () => {
    expect(graph.edges?.map((edge) => edge.id)).not.toContain('ghost');
    expect(graph.edges).toHaveLength(channelChart.edges.length - 1);
    for (const edge of graph.edges ?? []) {
      expect(edge.labels?.[0]?.width).toBeGreaterThan(0);
      expect(edge.labels?.[0]?.height).toBeGreaterThan(0);
    }
  });
});
