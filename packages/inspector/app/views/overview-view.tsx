/** Overview: the node's counts, event loop and memory, and a history chart of the last minutes. */
import type { CountMax, OverviewSample } from '../../src/feed-protocol.js';
import type { FeedStore } from '../feed-store.js';
import { useFeedStore } from '../feed-store.js';
import { formatAge, formatBytes, formatMs, formatPercent } from '../format.js';
import { LineChart } from '../line-chart.js';
import { Metric } from '../metric.js';

function historySpan(history: readonly OverviewSample[]): string {
  const first = history[0];
  const last = history.at(-1);
  return first && last && last.at > first.at ? `${formatAge(last.at - first.at)} ago` : '';
}

function formatCountShort(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(0)}k` : value.toFixed(0);
}

function CountMetric({
  name,
  label,
  value,
}: {
  readonly name: string;
  readonly label: string;
  readonly value?: CountMax | undefined;
}) {
  if (!value) return <Metric name={name} label={label} value={0} display="–" detail="no channel manager" />;
  return <Metric name={name} label={label} value={value.count} max={value.max} />;
}

export function OverviewView({ store }: { readonly store: FeedStore }) {
  const { overview, hello } = useFeedStore(store);
  if (!overview) {
    return (
      <section data-view="overview" class="view">
        <h1>Overview</h1>
        <p class="muted">Waiting for the first update…</p>
      </section>
    );
  }
  const { eventLoop, memory, history } = overview;
  return (
    <section data-view="overview" class="view">
      <h1>Overview</h1>
      <h2>Channels</h2>
      <div class="metrics">
        <CountMetric name="connections" label="Connections" value={overview.connections} />
        <CountMetric name="sessions" label="Sessions" value={overview.sessions} />
        <CountMetric name="liveConnections" label="Live connections" value={overview.liveConnections} />
        <CountMetric name="channels" label="Channels" value={overview.channels} />
        {overview.transportConnections !== undefined ? (
          <Metric
            name="transportConnections"
            label="Transport connections"
            value={overview.transportConnections}
          />
        ) : (
          <Metric
            name="transportConnections"
            label="Transport connections"
            value={0}
            display="–"
            detail={hello?.has.transport === false ? 'no transport' : undefined}
          />
        )}
        <Metric name="processes" label="Processes" value={overview.processes} />
      </div>
      <h2>Runtime</h2>
      <div class="metrics">
        <Metric
          name="delayP50"
          label="Loop delay p50"
          value={eventLoop.delayP50Ms}
          display={formatMs(eventLoop.delayP50Ms)}
        />
        <Metric
          name="delayP99"
          label="Loop delay p99"
          value={eventLoop.delayP99Ms}
          display={formatMs(eventLoop.delayP99Ms)}
        />
        <Metric
          name="delayMax"
          label="Loop delay max"
          value={eventLoop.delayMaxMs}
          display={formatMs(eventLoop.delayMaxMs)}
        />
        <Metric
          name="elu"
          label="Loop utilisation"
          value={eventLoop.utilization}
          display={formatPercent(eventLoop.utilization)}
        />
        <Metric
          name="heapUsed"
          label="Heap used"
          value={memory.heapUsed}
          display={formatBytes(memory.heapUsed)}
          detail={`of ${formatBytes(memory.heapTotal)}`}
        />
        <Metric
          name="heapTotal"
          label="Heap total"
          value={memory.heapTotal}
          display={formatBytes(memory.heapTotal)}
        />
        <Metric name="rss" label="RSS" value={memory.rss} display={formatBytes(memory.rss)} />
      </div>
      <h2>History</h2>
      <div class="charts">
        <LineChart
          id="history"
          spanLabel={historySpan(history)}
          panels={[
            {
              format: formatCountShort,
              series: [
                { name: 'processes', color: '#3b82f6', values: history.map((s) => s.processes) },
                { name: 'connections', color: '#a78bfa', values: history.map((s) => s.connections) },
                { name: 'live connections', color: '#10b981', values: history.map((s) => s.liveConnections) },
              ],
            },
            {
              format: formatBytes,
              series: [{ name: 'heap used', color: '#f59e0b', values: history.map((s) => s.heapUsed) }],
            },
            {
              format: formatMs,
              series: [
                { name: 'loop delay p99', color: '#ec4899', values: history.map((s) => s.delayP99Ms) },
              ],
            },
          ]}
        />
      </div>
    </section>
  );
}
