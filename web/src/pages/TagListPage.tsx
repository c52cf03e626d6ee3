import { useSearchParams } from '@solidjs/router';
import { createColumnHelper, createTable, type SortingState } from '@tanstack/solid-table';
import { createMemo, createSignal, Show } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { sortingFeatures } from '../components/sorting';
import { TableHead } from '../components/TableHead';
import { VirtualTableBody } from '../components/VirtualTableBody';
import { canAdminister } from '../session';
import { compareSummaries, createdTime, filterTagsByName } from '../tags/compare';
import { createTagPages, type TagEntry, type TagPages } from '../tags/tag-pages';
import { TagRow } from './TagRow';

const features = sortingFeatures;
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
  const pages = createTagPages(props.repository);

  return (
    <section aria-labelledby="tags-heading">
      <Breadcrumbs repository={props.repository} />
      <h1 id="tags-heading">{props.repository}</h1>
      <Show when={pages.total() !== undefined} fallback={<FirstPageState pages={pages} />}>
        <TagTable repository={props.repository} pages={pages} />
      </Show>
    </section>
  );
}

function FirstPageState(props: { pages: TagPages }) {
  return (
    <Show when={props.pages.error()} fallback={<p class="muted">Loading tags…</p>}>
      {(error) => <ErrorMessage error={error()} context="Could not load the tags" />}
    </Show>
  );
}

/** Formats a count with thousands separators, for example `5,000`. */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

function TagTable(props: { repository: string; pages: TagPages }) {
  const [searchParams, setSearchParams] = useSearchParams<{ q: string }>();
  const entries = props.pages.entries;
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
  const tagsByDigest = createMemo(() => groupByDigest(entries()));
  const sameDigestTags = (tag: TagSummary) =>
    (tagsByDigest().get(tag.digest) ?? []).filter((name) => name !== tag.name);

  return (
    <Show
      when={entries().length > 0 || props.pages.loading()}
      fallback={<p>This repository has no tags.</p>}
    >
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
      <LoadState pages={props.pages} shown={shown().length} />
      <Show when={!canAdminister()}>
        <p id="admin-only-note" class="message message-info">
          Scanning and deleting tags needs the admin role; you can read every result.
        </p>
      </Show>
      <div class="table-scroll">
        <table class="stacked tags">
          <caption class="visually-hidden">Tags of {props.repository}</caption>
          <TableHead table={table} />
          <VirtualTableBody rows={rows()} columnCount={columns.length} estimateSize={96}>
            {(entry, index, measure) => (
              <TagRow
                repository={props.repository}
                tag={entry.tag}
                scan={entry.scan}
                sameDigestTags={sameDigestTags(entry.tag)}
                index={index()}
                ref={measure}
                onDeleted={props.pages.remove}
              />
            )}
          </VirtualTableBody>
        </table>
      </div>
    </Show>
  );
}

/** Shows how many tags are shown and loaded, and a retry when a later page failed. */
function LoadState(props: { pages: TagPages; shown: number }) {
  const loaded = () => props.pages.entries().length;

  return (
    <div aria-live="polite">
      <p class="muted">
        Showing {count(props.shown)} of {count(loaded())} tags.
      </p>
      <Show when={props.pages.loading()}>
        <p class="muted loading-tags">
          Loaded {count(loaded())} of {count(props.pages.total() ?? 0)} tags. Sorting and filtering
          cover the loaded tags until the rest arrive.
        </p>
      </Show>
      <Show when={props.pages.error()}>
        {(error) => (
          <>
            <ErrorMessage error={error()} context="Could not load the remaining tags" />
            <button type="button" class="button" onClick={() => props.pages.retry()}>
              Retry loading tags
            </button>
          </>
        )}
      </Show>
    </div>
  );
}

/** Maps each digest to the names of the loaded tags that point to it. */
function groupByDigest(entries: readonly TagEntry[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { tag } of entries) {
    // A tag the registry could not describe has no digest, so it shares nothing.
    if (tag.digest === '') continue;
    const group = groups.get(tag.digest);
    if (group) group.push(tag.name);
    else groups.set(tag.digest, [tag.name]);
  }
  return groups;
}
