/**
 * DOWN batches: how many deaths the channel manager handled per batch (bars, one per batch, the
 * last 300) and how long their cleanup took (the line, scaled to its own maximum), plus totals.
 */
import type { DownBatch } from '../../src/feed-protocol.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { PendingView } from './pending-view.js';
import { formatClock, formatMs } from '../format.js';
import { Metric } from '../metric.js';

const WIDTH = 900;
const HEIGHT = 220;
const PAD_TOP = 10;
const PAD_BOTTOM = 20;

function DownsChart({ batches }: { readonly batches: readonly DownBatch[] }) {
  const slot = WIDTH / Math.max(batches.length, 1);
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const maxSize = Math.max(1, ...batches.map((b) => b.size));
  const maxCleanup = Math.max(1e-9, ...batches.map((b) => b.cleanupMs ?? 0));
  const y = (fraction: number) => PAD_TOP + plotHeight * (1 - fraction);
  const latencyPoints = batches
    .map((batch, index) =>
      batch.cleanupMs === undefined
        ? undefined
        : `${(index * slot + slot / 2).toFixed(1)},${y(batch.cleanupMs / maxCleanup).toFixed(1)}`,
    )
    .filter((point) => point !== undefined)
    .join(' ');
  return (
    <figure class="line-chart">
      <svg
        data-chart="downs"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="DOWN batch sizes and cleanup latency"
      >
        <line class="grid" x1={0} x2={WIDTH} y1={y(0)} y2={y(0)} />
        <line class="grid" x1={0} x2={WIDTH} y1={y(0.5)} y2={y(0.5)} />
        {batches.map((batch, index) => {
          const height = (batch.size / maxSize) * plotHeight;
          return (
            <rect
              key={`${batch.at}-${index}`}
              data-batch={String(index)}
              data-size={String(batch.size)}
              data-cleanup-ms={batch.cleanupMs === undefined ? undefined : String(batch.cleanupMs)}
              class={batch.cleanupMs === undefined ? 'bar running' : 'bar'}
              x={index * slot + slot * 0.1}
              width={Math.max(slot * 0.8, 0.5)}
              y={y(0) - height}
              height={Math.max(height, 1)}
            >
              <title>
                {`${formatClock(batch.at)}: ${batch.size} DOWNs (${batch.known} known), cleanup ${batch.cleanupMs === undefined ? 'running' : formatMs(batch.cleanupMs)}`}
              </title>
            </rect>
          );
        })}
        {latencyPoints !== '' && (
          <polyline class="latency" points={latencyPoints} fill="none" vector-effect="non-scaling-stroke" />
        )}
      </svg>
      <figcaption class="legend">
        <span class="legend-item">
          <span class="swatch bar-swatch" /> batch size (max {maxSize})
        </span>
        <span class="legend-item">
          <span class="swatch latency-swatch" /> cleanup latency (max {formatMs(maxCleanup)})
        </span>
      </figcaption>
    </figure>
  );
}

export function DownsView({ store }: { readonly store: FeedStore }) {
  const { downs, hello } = useFeedStore(store);
  if (!downs) return <PendingView view="downs" title="DOWN batches" hello={hello} />;
  const batches = downs.batches.slice(-300);
  const last = batches.at(-1);
  return (
    <section data-view="downs" class="view">
      <h1>DOWN batches</h1>
      <div class="metrics">
        <Metric name="totalBatches" label="Batches" value={downs.totalBatches} />
        <Metric name="totalDowns" label="DOWNs" value={downs.totalDowns} />
        {last && (
          <Metric
            name="lastBatchSize"
            label="Last batch"
            value={last.size}
            detail={last.cleanupMs === undefined ? 'cleanup running' : `cleanup ${formatMs(last.cleanupMs)}`}
          />
        )}
      </div>
      <DownsChart batches={batches} />
      {batches.length === 0 && <p class="muted">No DOWN batch yet.</p>}
    </section>
  );
}
