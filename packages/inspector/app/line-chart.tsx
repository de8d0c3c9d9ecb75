/**
 * A small hand-written SVG line chart: a few series over a shared time axis, each scaled to its own
 * maximum (processes and heap bytes differ by orders of magnitude), with the latest value in the
 * legend. Enough for a glance at trends; no axes library needed.
 */
export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly format: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 160;
const PAD = 6;

export function LineChart({ id, series }: { readonly id: string; readonly series: readonly LineSeries[] }) {
  const length = Math.max(0, ...series.map((s) => s.values.length));
  const x = (index: number) => PAD + (length <= 1 ? 0 : (index / (length - 1)) * (WIDTH - 2 * PAD));
  return (
    <figure class="line-chart">
      <svg
        data-chart={id}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={series.map((s) => s.name).join(', ')}
      >
        {[0.25, 0.5, 0.75].map((fraction) => (
          <line key={fraction} class="grid" x1={0} x2={WIDTH} y1={HEIGHT * fraction} y2={HEIGHT * fraction} />
        ))}
        {series.map((s) => {
          const max = Math.max(1e-9, ...s.values);
          const points = s.values
            .map(
              (value, index) =>
                `${x(index).toFixed(1)},${(HEIGHT - PAD - (value / max) * (HEIGHT - 2 * PAD)).toFixed(1)}`,
            )
            .join(' ');
          return (
            <polyline
              key={s.name}
              data-series={s.name}
              points={points}
              fill="none"
              stroke={s.color}
              stroke-width={1.5}
              vector-effect="non-scaling-stroke"
            >
              <title>{`${s.name} (max ${s.format(max)})`}</title>
            </polyline>
          );
        })}
      </svg>
      <figcaption class="legend">
        {series.map((s) => {
          const last = s.values.at(-1);
          return (
            <span key={s.name} class="legend-item">
              <span class="swatch" style={{ background: s.color }} />
              {s.name} {last === undefined ? '–' : s.format(last)}
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}
