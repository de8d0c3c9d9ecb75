/**
 * A small hand-written SVG line chart: stacked panels over a shared time axis, each panel with its
 * own 0..max scale (process counts and heap bytes differ by orders of magnitude, so they cannot
 * share one). Enough for a glance at trends; no charting library needed.
 */
export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

export interface ChartPanel {
  readonly series: readonly LineSeries[];
  readonly format: (value: number) => string;
}

const WIDTH = 1200;
const PANEL_HEIGHT = 64;
const PANEL_GAP = 24;
const PAD_LEFT = 64;
const PAD_RIGHT = 8;

export function LineChart({
  id,
  panels,
  spanLabel,
}: {
  readonly id: string;
  readonly panels: readonly ChartPanel[];
  /** What the left edge means, e.g. `2 min ago`. */
  readonly spanLabel?: string;
}) {
  const length = Math.max(0, ...panels.flatMap((panel) => panel.series.map((s) => s.values.length)));
  const plotWidth = WIDTH - PAD_LEFT - PAD_RIGHT;
  const x = (index: number) => PAD_LEFT + (length <= 1 ? plotWidth : (index / (length - 1)) * plotWidth);
  const height = panels.length * (PANEL_HEIGHT + PANEL_GAP) + 16;
  return (
    <figure class="line-chart">
      <svg
        data-chart={id}
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={panels.flatMap((panel) => panel.series.map((s) => s.name)).join(', ')}
      >
        {panels.map((panel, panelIndex) => {
          const top = panelIndex * (PANEL_HEIGHT + PANEL_GAP) + 6;
          const max = Math.max(...panel.series.flatMap((s) => s.values), 0) * 1.1 || 1;
          const y = (value: number) => top + PANEL_HEIGHT - (value / max) * PANEL_HEIGHT;
          return (
            <g key={panelIndex} class="panel">
              <line
                class="axis"
                x1={PAD_LEFT}
                x2={WIDTH - PAD_RIGHT}
                y1={top + PANEL_HEIGHT}
                y2={top + PANEL_HEIGHT}
              />
              <line class="grid" x1={PAD_LEFT} x2={WIDTH - PAD_RIGHT} y1={y(max / 2)} y2={y(max / 2)} />
              <line class="grid" x1={PAD_LEFT} x2={WIDTH - PAD_RIGHT} y1={top} y2={top} />
              <text class="tick" x={PAD_LEFT - 6} y={top + 4} text-anchor="end">
                {panel.format(max)}
              </text>
              <text class="tick" x={PAD_LEFT - 6} y={y(max / 2) + 4} text-anchor="end">
                {panel.format(max / 2)}
              </text>
              <text class="tick" x={PAD_LEFT - 6} y={top + PANEL_HEIGHT + 4} text-anchor="end">
                0
              </text>
              {panel.series.map((s) => (
                <polyline
                  key={s.name}
                  data-series={s.name}
                  points={s.values
                    .map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`)
                    .join(' ')}
                  fill="none"
                  stroke={s.color}
                  stroke-width={2}
                  stroke-linejoin="round"
                >
                  <title>{s.name}</title>
                </polyline>
              ))}
            </g>
          );
        })}
        <text class="tick" x={PAD_LEFT} y={height - 2}>
          {spanLabel ?? ''}
        </text>
        <text class="tick" x={WIDTH - PAD_RIGHT} y={height - 2} text-anchor="end">
          now
        </text>
      </svg>
      <figcaption class="legend">
        {panels.flatMap((panel) =>
          panel.series.map((s) => {
            const last = s.values.at(-1);
            return (
              <span key={s.name} class="legend-item">
                <span class="swatch" style={{ background: s.color }} />
                {s.name} <b>{last === undefined ? '–' : panel.format(last)}</b>
              </span>
            );
          }),
        )}
      </figcaption>
    </figure>
  );
}
