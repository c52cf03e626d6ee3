import { onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard } from '../../../core/api/schemas';
import { SEVERITY_ORDER, severityLabel } from '../format';

const DAY_SECONDS = 86_400;

/** Tick spacings of the time axis in seconds; the trend has one point per day, so none is shorter. */
export const DAY_INCREMENTS = [1, 2, 7, 14, 30, 91, 182, 365].map((days) => days * DAY_SECONDS);

/** Formats a Unix time in seconds as its UTC date, for example `2024-05-01`. */
export function formatDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/**
 * Reads a custom property from the style sheet. The chart draws on a canvas, where CSS values
 * such as `currentColor` mean nothing, so every color is read as a value.
 */
function cssColor(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** Turns the trend into uPlot's columns: x in Unix seconds, then one column per severity. */
export function trendColumns(trend: Dashboard['trend']): uPlot.AlignedData {
  const x = trend.map((point) => Date.parse(`${point.date}T00:00:00Z`) / 1000);
  const series = SEVERITY_ORDER.map((severity) => trend.map((point) => point.totals[severity]));
  return [x, ...series];
}

/** Builds the chart options with the colors the current theme gives the container. */
function chartOptions(container: HTMLElement): uPlot.Options {
  const text = cssColor(container, '--color-text', 'gray');
  const grid = cssColor(container, '--color-border', 'gray');
  const background = cssColor(container, '--color-background', 'white');
  const axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  };

  return {
    width: Math.max(container.clientWidth, 280),
    height: 240,
    // Trend dates are UTC days, so ticks fall on UTC midnights whatever the browser's time zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    series: [
      { value: (_chart, seconds) => (seconds === null ? '' : formatDay(seconds)) },
      ...SEVERITY_ORDER.map((severity) => ({
        label: severityLabel(severity),
        stroke: cssColor(container, `--badge-${severity.toLowerCase()}`, 'gray'),
        width: 2,
        points: { fill: background },
      })),
    ],
    axes: [
      {
        ...axis,
        incrs: DAY_INCREMENTS,
        values: (_chart, splits) => splits.map(formatDay),
      },
      axis,
    ],
  };
}

/**
 * Draws the totals per severity over time as lines on a canvas, and draws again when the
 * theme changes. A canvas is invisible to screen readers, so the dashboard shows the same
 * numbers in a table next to it.
 */
export function TrendChart(props: { trend: Dashboard['trend'] }) {
  let container: HTMLDivElement | undefined;
  let chart: uPlot | undefined;

  const draw = () => {
    if (!container) return;
    chart?.destroy();
    chart = new uPlot(chartOptions(container), trendColumns(props.trend), container);
  };

  onMount(() => {
    draw();

    // The theme is `data-theme` on the root element, or the system setting when it is absent.
    const observer = new MutationObserver(draw);
    observer.observe(document.documentElement, { attributeFilter: ['data-theme'] });
    const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
    systemDark.addEventListener('change', draw);

    onCleanup(() => {
      observer.disconnect();
      systemDark.removeEventListener('change', draw);
      chart?.destroy();
    });
  });

  return <div class="trend-chart" ref={container} aria-hidden="true" />;
}
