import { useSearchParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, ErrorBoundary, onMount, Show } from 'solid-js';
import type { FindingList } from '../../../core/api/schemas';
import { fetchFindings, reportUrl } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { ResultFacts } from '../components/ResultFacts';
import { downloadText, exportFileName, findingsToCsv } from '../findings/csv';
import { FindingFiltersForm } from '../findings/FindingFiltersForm';
import { FindingsTable } from '../findings/FindingsTable';
import {
  applyFindingFilters,
  type FindingFilters,
  findingFilterParams,
  layersOf,
  parseFindingFilters,
  statusesOf,
} from '../findings/filters';
import { sendRequest } from '../http';
import { layersPath } from '../paths';

/** Performance marks that `npm run bench` reads to time the findings render. */
export const FINDINGS_MARKS = {
  loaded: 'berth:findings-loaded',
  rendered: 'berth:findings-rendered',
};

/** Props of FindingsPage and LayersPage. */
export interface TagPageProps {
  repository: string;
  tag: string;
}

/** Lists a tag's findings with filters kept in the query string, and exports them. */
export function FindingsPage(props: TagPageProps) {
  const [findings] = createResource(
    () => ({ repository: props.repository, tag: props.tag }),
    async (source) => {
      const list = await fetchFindings(source.repository, source.tag);
      performance.mark(FINDINGS_MARKS.loaded);
      return list;
    },
  );

  return (
    <section aria-labelledby="findings-heading">
      <Breadcrumbs repository={props.repository} current={`${props.tag} findings`} />
      <h1 id="findings-heading">
        Findings in {props.repository}:{props.tag}
      </h1>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the findings" />}
      >
        <Show when={findings()} fallback={<p class="muted">Loading findings…</p>}>
          {(list) => <FindingsView list={list()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function FindingsView(props: { list: FindingList }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = createMemo(() => parseFindingFilters(searchParams));
  const filtered = createMemo(() => applyFindingFilters(props.list.vulnerabilities, filters()));
  const statuses = createMemo(() => statusesOf(props.list.vulnerabilities));
  const layers = createMemo(() => layersOf(props.list.vulnerabilities));

  const setFilters = (next: FindingFilters) =>
    setSearchParams(findingFilterParams(next), { replace: true });
  const exportCsv = () =>
    downloadText(
      exportFileName(props.list.repository, props.list.tag, 'csv'),
      findingsToCsv(filtered().shown),
      'text/csv',
    );

  const [downloadError, setDownloadError] = createSignal<unknown>();
  // A plain link would not send the sign-in header, so the report is fetched and saved.
  const downloadReport = async () => {
    setDownloadError(undefined);
    try {
      const response = await sendRequest('GET', reportUrl(props.list.repository, props.list.tag));
      const fileName = exportFileName(props.list.repository, props.list.tag, 'json');
      downloadText(
        fileName.replace('-findings', '-trivy'),
        await response.text(),
        'application/json',
      );
    } catch (failure) {
      setDownloadError(failure);
    }
  };

  onMount(() => requestAnimationFrame(() => performance.mark(FINDINGS_MARKS.rendered)));

  return (
    <>
      <ResultFacts result={props.list.result} />
      <Show when={!props.list.mappingKnown}>
        <p class="message message-warning">
          Layer mapping unknown: the image history does not line up with its layers
        </p>
      </Show>
      <FindingFiltersForm
        filters={filters()}
        severityCounts={filtered().severityCounts}
        statuses={statuses()}
        layers={layers()}
        onChange={setFilters}
      />
      <div class="toolbar">
        <p class="muted" aria-live="polite">
          Showing {filtered().shown.length} of {props.list.vulnerabilities.length} findings.
        </p>
        <button type="button" class="button" onClick={exportCsv}>
          Export the shown findings (CSV)
        </button>
        <button type="button" class="button" onClick={() => void downloadReport()}>
          Download the Trivy report (JSON)
        </button>
        <a href={layersPath(props.list.repository, props.list.tag)}>View Layers</a>
      </div>
      <Show when={downloadError()}>
        {(failure) => (
          <ErrorMessage error={failure()} context="Could not download the Trivy report" />
        )}
      </Show>
      <Show when={filtered().shown.length > 0}>
        <FindingsTable findings={filtered().shown} />
      </Show>
    </>
  );
}
