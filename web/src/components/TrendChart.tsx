import { onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard, Severity } from '../../../core/api/schemas';
import { severityLabel } from '../format';

const SERIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** Reads a severity's color from the style sheet, so the chart follows light and dark mode. */
function severityColor(element: Element, severity: Severity): string {
  const name = `--badge-${severity.toLowerCase()}`;
  return getComputedStyle(element).getPropertyValue(name).trim() || 'gray';
}

/** Turns the trend into uPlot's columns: x in Unix seconds, then one column per severity. */
export function trendColumns(trend: Dashboard['trend']): uPlot.AlignedData {
  const x = trend.map((point) => Date.parse(`${point.date}T00:00:00Z`) / 1000);
  const series = SERIES.map((severity) => trend.map((point) => point.totals[severity]));
  return [x, ...series];
}

/**
 * Draws the totals per severity over time as lines on a canvas. A canvas is invisible to screen
 * readers, so the dashboard shows the same numbers in a table next to it.
 */
export function TrendChart(props: { trend: Dashboard['trend'] }) {
  let container: HTMLDivElement | undefined;
  let chart: uPlot | undefined;

  onMount(() => {
    if (!container) return;
    const width = Math.max(container.clientWidth, 280);
    const options: uPlot.Options = {
      width,
      height: 240,
      series: [
        {},
        ...SERIES.map((severity) => ({
          label: severityLabel(severity),
          stroke: severityColor(container as Element, severity),
          width: 2,
        })),
      ],
      axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
    };
    chart = new uPlot(options, trendColumns(props.trend), container);
  });

  onCleanup(() => chart?.destroy());

  return <div class="trend-chart" ref={container} aria-hidden="true" />;
}
