import { useSearchParams } from '@solidjs/router';
import {
  createColumnHelper,
  createSortedRowModel,
  createTable,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
} from '@tanstack/solid-table';
import { createMemo, createResource, createSignal, ErrorBoundary, For, Show } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { fetchTags } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { SortHeader } from '../components/SortHeader';
import { VirtualTableBody } from '../components/VirtualTableBody';
import { createTagScan, type TagScan } from '../tag-scan';
import { compareSummaries, createdTime, filterTagsByName } from '../tags/compare';
import { TagRow } from './TagRow';

/** A tag with the scan state its row shows; kept outside the row so scrolling keeps it. */
export interface TagEntry {
  tag: TagSummary;
  scan: TagScan;
}

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { basic: sortFn_basic, alphanumeric: sortFn_alphanumeric },
});
const helper = createColumnHelper<typeof features, TagEntry>();

const columns = helper.columns([
  helper.accessor((entry) => entry.tag.name, { id: 'name', header: 'Tag', sortFn: 'alphanumeric' }),
  helper.display({ id: 'digest', header: 'Digest' }),
  helper.accessor((entry) => entry.tag.size, { id: 'size', header: 'Size', sortFn: 'basic' }),
  helper.accessor((entry) => createdTime(entry.tag), {
    id: 'created',
    header: 'Created',
    sortFn: 'basic',
  }),
  helper.display({ id: 'platforms', header: 'Platforms' }),
  // NOTE: untested whether a scan that completes after sorting moves its row; sorting again
  // places it.
  helper.accessor((entry) => entry.scan.result()?.summary, {
    id: 'severity',
    header: 'Vulnerabilities',
    sortFn: (a, b) =>
      compareSummaries(a.original.scan.result()?.summary, b.original.scan.result()?.summary),
    sortDescFirst: true,
    // compareSummaries places unscanned tags itself, below every scanned one.
    sortUndefined: false,
  }),
  helper.display({ id: 'actions', header: 'Actions' }),
]);

/** Lists the tags of one repository with their scan results and scan buttons. */
export function TagListPage(props: { repository: string }) {
  const [tagList] = createResource(() => props.repository, fetchTags);

  return (
    <section aria-labelledby="tags-heading">
      <Breadcrumbs repository={props.repository} />
      <h1 id="tags-heading">{props.repository}</h1>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the tags" />}
      >
        <Show when={tagList()} fallback={<p class="muted">Loading tags…</p>}>
          {(list) => <TagTable repository={props.repository} tags={list().tags} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function TagTable(props: { repository: string; tags: TagSummary[] }) {
  const [searchParams, setSearchParams] = useSearchParams<{ q: string }>();
  const [entries, setEntries] = createSignal<TagEntry[]>(
    props.tags.map((tag) => ({ tag, scan: createTagScan(props.repository, tag) })),
  );
  const shown = createMemo(() => filterTagsByName(entries(), searchParams.q ?? ''));
  const [sorting, setSorting] = createSignal<SortingState>([]);
  const table = createTable({
    features,
    columns,
    get data() {
      return shown() as TagEntry[];
    },
    get state() {
      return { sorting: sorting() };
    },
    onSortingChange: setSorting,
  });
  const rows = () => table.getRowModel().rows.map((row) => row.original);
  const removeTag = (name: string) =>
    setEntries((current) => current.filter((entry) => entry.tag.name !== name));

  return (
    <Show when={props.tags.length > 0} fallback={<p>This repository has no tags.</p>}>
      <div class="field">
        <label for="tag-filter">Filter tags by name</label>
        <input
          id="tag-filter"
          type="search"
          autocomplete="off"
          value={searchParams.q ?? ''}
          onInput={(event) =>
            setSearchParams({ q: event.currentTarget.value || undefined }, { replace: true })
          }
        />
      </div>
      <p class="muted" aria-live="polite">
        Showing {shown().length} of {entries().length} tags.
      </p>
      <table class="stacked tags">
        <caption class="visually-hidden">Tags of {props.repository}</caption>
        <thead>
          <For each={table.getHeaderGroups()}>
            {(group) => (
              <tr>
                <For each={group.headers}>
                  {(header) => (
                    <SortHeader
                      label={String(header.column.columnDef.header)}
                      sorted={header.column.getIsSorted()}
                      onToggle={
                        header.column.getCanSort()
                          ? header.column.getToggleSortingHandler()
                          : undefined
                      }
                    />
                  )}
                </For>
              </tr>
            )}
          </For>
        </thead>
        <VirtualTableBody rows={rows()} columnCount={columns.length} estimateSize={96}>
          {(entry, index, measure) => (
            <TagRow
              repository={props.repository}
              tag={entry.tag}
              scan={entry.scan}
              index={index()}
              ref={measure}
              onDeleted={removeTag}
            />
          )}
        </VirtualTableBody>
      </table>
    </Show>
  );
}
