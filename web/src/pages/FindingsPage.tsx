import { useSearchParams } from '@solidjs/router';
import { createMemo, createResource, ErrorBoundary, For, Show } from 'solid-js';
import type { FindingList, Severity } from '../../../core/api/schemas';
import { fetchFindings, reportUrl } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { ResultFacts } from '../components/ResultFacts';
import { severityLabel } from '../format';
import { FindingRow } from './FindingRow';

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

function parseSeverity(value: string | undefined): Severity | undefined {
  return SEVERITIES.find((severity) => severity === value?.toUpperCase());
}

/** Props of FindingsPage and LayersPage. */
export interface TagPageProps {
  repository: string;
  tag: string;
}

/** Lists a tag's findings, filtered by the `severity` query parameter. */
export function FindingsPage(props: TagPageProps) {
  const [searchParams, setSearchParams] = useSearchParams<{ severity: string }>();
  const severity = () => parseSeverity(searchParams.severity);
  const [findings] = createResource(
    () => ({ repository: props.repository, tag: props.tag }),
    (source) => fetchFindings(source.repository, source.tag),
  );

  return (
    <section aria-labelledby="findings-heading">
      <Breadcrumbs repository={props.repository} current={`${props.tag} findings`} />
      <h1 id="findings-heading">
        Findings in {props.repository}:{props.tag}
      </h1>
      <div class="toolbar">
        <div class="field">
          <label for="severity-filter">Severity</label>
          <select
            id="severity-filter"
            value={severity() ?? ''}
            onChange={(event) =>
              setSearchParams({ severity: event.currentTarget.value || undefined })
            }
          >
            <option value="">All severities</option>
            <For each={SEVERITIES}>
              {(option) => <option value={option}>{severityLabel(option)}</option>}
            </For>
          </select>
        </div>
        <a href={reportUrl(props.repository, props.tag)} download="">
          Download the Trivy report (JSON)
        </a>
      </div>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the findings" />}
      >
        <Show when={findings()} fallback={<p class="muted">Loading findings…</p>}>
          {(list) => <FindingTable list={list()} severity={severity()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function FindingTable(props: { list: FindingList; severity: Severity | undefined }) {
  const shown = createMemo(() =>
    props.list.vulnerabilities.filter(
      (finding) => props.severity === undefined || finding.severity === props.severity,
    ),
  );

  return (
    <>
      <ResultFacts result={props.list.result} />
      <Show when={!props.list.mappingKnown}>
        <p class="message message-warning">
          Layer mapping unknown: the image history does not line up with its layers
        </p>
      </Show>
      <p class="muted" aria-live="polite">
        Showing {shown().length} of {props.list.vulnerabilities.length} findings.
      </p>
      <Show when={shown().length > 0}>
        <table class="stacked findings">
          <caption class="visually-hidden">Findings</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Severity</th>
              <th scope="col">Package</th>
              <th scope="col">Installed</th>
              <th scope="col">Fixed</th>
              <th scope="col">Status</th>
              <th scope="col">Layer</th>
              <th scope="col">Title</th>
            </tr>
          </thead>
          <tbody>
            <For each={shown()}>{(finding) => <FindingRow finding={finding} />}</For>
          </tbody>
        </table>
      </Show>
    </>
  );
}
