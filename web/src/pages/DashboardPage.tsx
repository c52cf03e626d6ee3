import { createResource, ErrorBoundary, For, Show } from 'solid-js';
import type { Dashboard, SeveritySummary } from '../../../core/api/schemas';
import { fetchDashboard } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { SeverityBadges, SeverityBar } from '../components/SeverityBadges';
import { TrendChart } from '../components/TrendChart';
import { formatRelative, SEVERITY_ORDER, severityLabel } from '../format';
import { tagsPath } from '../paths';

/** Shows totals per severity, the worst images, findings per repository and the trend. */
export default function DashboardPage() {
  const [dashboard] = createResource(fetchDashboard);

  return (
    <section aria-labelledby="dashboard-heading">
      <h1 id="dashboard-heading">Dashboard</h1>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the dashboard" />}
      >
        <Show when={dashboard()} fallback={<p class="muted">Loading the dashboard…</p>}>
          {(current) => <DashboardView dashboard={current()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function DashboardView(props: { dashboard: Dashboard }) {
  return (
    <Show
      when={props.dashboard.scannedImages > 0}
      fallback={<p>No image has been scanned yet: open a repository and scan a tag.</p>}
    >
      <Totals dashboard={props.dashboard} />
      <TopImages dashboard={props.dashboard} />
      <RepositoryCounts dashboard={props.dashboard} />
      <Trend dashboard={props.dashboard} />
    </Show>
  );
}

function Totals(props: { dashboard: Dashboard }) {
  return (
    <section aria-labelledby="totals-heading">
      <h2 id="totals-heading">Totals across {props.dashboard.scannedImages} scanned images</h2>
      <dl class="totals">
        <For each={SEVERITY_ORDER}>
          {(severity) => (
            <div class={`total total-${severity.toLowerCase()}`}>
              <dt>{severityLabel(severity)}</dt>
              <dd>{props.dashboard.totals[severity]}</dd>
            </div>
          )}
        </For>
      </dl>
    </section>
  );
}

function TopImages(props: { dashboard: Dashboard }) {
  // The API ranks every scanned image; only those with critical or high findings belong here.
  const images = () =>
    props.dashboard.topImages.filter((image) => image.summary.CRITICAL + image.summary.HIGH > 0);

  return (
    <section aria-labelledby="top-heading">
      <h2 id="top-heading">Images with the most critical and high findings</h2>
      <Show
        when={images().length > 0}
        fallback={<p>No scanned image has critical or high findings.</p>}
      >
        <ol class="top-images">
          <For each={images()}>
            {(image) => (
              <li>
                <a href={tagsPath(image.repository)}>
                  {image.repository}:{image.tag}
                </a>{' '}
                <span class="muted">scanned {formatRelative(image.scannedAt)}</span>
                <SeverityBadges
                  summary={image.summary}
                  repository={image.repository}
                  tag={image.tag}
                />
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}

function RepositoryCounts(props: { dashboard: Dashboard }) {
  const scale = () => Math.max(0, ...props.dashboard.repositories.map((row) => row.summary.total));

  return (
    <section aria-labelledby="repositories-heading">
      <h2 id="repositories-heading">Findings per repository</h2>
      <table class="stacked repository-counts">
        <thead>
          <tr>
            <th scope="col">Repository</th>
            <th scope="col">Images</th>
            <SummaryHeaders />
          </tr>
        </thead>
        <tbody>
          <For each={props.dashboard.repositories}>
            {(row) => (
              <tr>
                <th scope="row" data-label="Repository">
                  <a href={tagsPath(row.repository)}>{row.repository}</a>
                  <SeverityBar summary={row.summary} scale={scale()} />
                </th>
                <td data-label="Images">{row.images}</td>
                <SummaryCells summary={row.summary} />
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

function SummaryHeaders() {
  return (
    <>
      <For each={SEVERITY_ORDER}>
        {(severity) => <th scope="col">{severityLabel(severity)}</th>}
      </For>
      <th scope="col">Total</th>
    </>
  );
}

function SummaryCells(props: { summary: SeveritySummary }) {
  return (
    <>
      <For each={SEVERITY_ORDER}>
        {(severity) => <td data-label={severityLabel(severity)}>{props.summary[severity]}</td>}
      </For>
      <td data-label="Total">{props.summary.total}</td>
    </>
  );
}

function Trend(props: { dashboard: Dashboard }) {
  return (
    <section aria-labelledby="trend-heading">
      <h2 id="trend-heading">Trend of the totals over scan history</h2>
      <Show
        when={props.dashboard.trend.length > 1}
        fallback={<p class="muted">The trend needs scans on at least two days.</p>}
      >
        <TrendChart trend={props.dashboard.trend} />
      </Show>
      <details>
        <summary>Trend as a table</summary>
        <table class="stacked trend-table">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <SummaryHeaders />
            </tr>
          </thead>
          <tbody>
            <For each={props.dashboard.trend}>
              {(point) => (
                <tr>
                  <th scope="row" data-label="Date">
                    {point.date}
                  </th>
                  <SummaryCells summary={point.totals} />
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </details>
    </section>
  );
}
