import { useSearchParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, ErrorBoundary, onMount, Show } from 'solid-js';
import type { FindingList } from '../../../core/api/schemas';
import { ApiRequestError, fetchFindings, fetchTag, reportUrl } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { ResultFacts } from '../components/ResultFacts';
import { downloadText, exportFileName, findingsToCsv } from '../findings/csv';
import { FindingFiltersForm } from '../findings/FindingFiltersForm';
import { FindingsEmpty } from '../findings/FindingsEmpty';
import { FindingsTable } from '../findings/FindingsTable';
import {
  applyFindingFilters,
  type FindingFilters,
  findingFilterParams,
  layersOf,
  NO_FILTERS,
  parseFindingFilters,
  statusesOf,
} from '../findings/filters';
import { sendRequest } from '../http';
import { layersPath, tagsPath } from '../paths';
import { canAdminister } from '../session';

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
      <ErrorBoundary fallback={(error) => <FindingsError error={error} {...props} />}>
        <Show when={findings()} fallback={<p class="muted">Loading findings…</p>}>
          {(list) => <FindingsView list={list()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

/** Says what to do about a tag without a result; shows any other failure with its hint. */
function FindingsError(props: TagPageProps & { error: unknown }) {
  const notScanned = () =>
    props.error instanceof ApiRequestError && props.error.code === 'not_scanned';

  return (
    <Show
      when={notScanned()}
      fallback={<ErrorMessage error={props.error} context="Could not load the findings" />}
    >
      <p class="message message-info" role="status">
        <Show
          when={canAdminister()}
          fallback="Not scanned yet: ask an administrator to scan this tag."
        >
          Not scanned yet: go back to <a href={tagsPath(props.repository)}>the tag list</a> and
          click Scan.
        </Show>
      </p>
    </Show>
  );
}

function FindingsView(props: { list: FindingList }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = createMemo(() => parseFindingFilters(searchParams));
  const filtered = createMemo(() => applyFindingFilters(props.list.vulnerabilities, filters()));
  const statuses = createMemo(() => statusesOf(props.list.vulnerabilities));
  const layers = createMemo(() => layersOf(props.list.vulnerabilities));
  const hasUnknownLayer = createMemo(() =>
    props.list.vulnerabilities.some((finding) => finding.layer.index === undefined),
  );
  // The platform count comes from the tag; without it the facts still name the platform.
  const [tag] = createResource(() =>
    fetchTag(props.list.repository, props.list.tag).catch(() => undefined),
  );

  const setFilters = (next: FindingFilters) =>
    setSearchParams(findingFilterParams(next), { replace: true });
  const exportCsv = () =>
    downloadText(
      exportFileName(props.list.repository, props.list.tag, 'findings', 'csv'),
      findingsToCsv(filtered().shown),
      'text/csv',
    );

  onMount(() => requestAnimationFrame(() => performance.mark(FINDINGS_MARKS.rendered)));

  return (
    <>
      <ResultFacts result={props.list.result} platformCount={tag()?.platforms.length} />
      <Show when={!props.list.mappingKnown}>
        <p class="message message-warning">
          Layer mapping unknown: the image history does not line up with its layers, so findings
          show their layer index without a Dockerfile command.
        </p>
      </Show>
      <FindingFiltersForm
        filters={filters()}
        severityCounts={filtered().severityCounts}
        statuses={statuses()}
        layers={layers()}
        hasUnknownLayer={hasUnknownLayer()}
        onChange={setFilters}
      />
      <div class="toolbar">
        <p class="muted" aria-live="polite">
          Showing {filtered().shown.length} of {props.list.vulnerabilities.length} findings.
        </p>
        <button type="button" class="button" onClick={exportCsv}>
          Export the shown findings (CSV)
        </button>
        <ReportDownload list={props.list} />
        <a href={layersPath(props.list.repository, props.list.tag)}>View Layers</a>
      </div>
      <Show
        when={filtered().shown.length > 0}
        fallback={
          <Show when={props.list.vulnerabilities.length > 0}>
            <FindingsEmpty
              filters={filters()}
              statuses={statuses()}
              layers={layers()}
              onClear={() => setFilters(NO_FILTERS)}
            />
          </Show>
        }
      >
        <FindingsTable findings={filtered().shown} />
      </Show>
    </>
  );
}

/** Renders a button that saves the stored Trivy report, and the error if the download fails. */
function ReportDownload(props: { list: FindingList }) {
  const [downloadError, setDownloadError] = createSignal<unknown>();
  // A plain link would not send the sign-in header, so the report is fetched and saved.
  const downloadReport = async () => {
    setDownloadError(undefined);
    try {
      const response = await sendRequest('GET', reportUrl(props.list.repository, props.list.tag));
      downloadText(
        exportFileName(props.list.repository, props.list.tag, 'trivy', 'json'),
        await response.text(),
        'application/json',
      );
    } catch (failure) {
      setDownloadError(failure);
    }
  };

  return (
    <>
      <button type="button" class="button" onClick={() => void downloadReport()}>
        Download the Trivy report (JSON)
      </button>
      <Show when={downloadError()}>
        {(failure) => (
          <ErrorMessage error={failure()} context="Could not download the Trivy report" />
        )}
      </Show>
    </>
  );
}
