/** One labelled number with the `data-metric`/`data-value` hooks the tests read. */
import type { ComponentChildren } from 'preact';

export function Metric({
  name,
  label,
  value,
  max,
  display,
  detail,
}: {
  readonly name: string;
  readonly label: string;
  readonly value: number;
  readonly max?: number | undefined;
  /** The formatted value; the raw number stays in `data-value`. */
  readonly display?: string;
  readonly detail?: ComponentChildren;
}) {
  return (
    <div
      class="metric"
      data-metric={name}
      data-value={String(value)}
      data-max={max === undefined ? undefined : String(max)}
    >
      <div class="metric-label">{label}</div>
      <div class="metric-value">{display ?? value.toLocaleString('en-US')}</div>
      {max !== undefined && <div class="metric-detail">max {max.toLocaleString('en-US')}</div>}
      {detail !== undefined && <div class="metric-detail">{detail}</div>}
    </div>
  );
}
