import { type Accessor, createSignal, getOwner, onCleanup, runWithOwner } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { fetchTagPage } from '../api';
import { createTagScan, type TagScan } from '../tag-scan';

/** A tag with the scan state its row shows; kept outside the row so scrolling keeps it. */
export interface TagEntry {
  tag: TagSummary;
  scan: TagScan;
}

/**
 * Tags per request. The API describes every tag of a page with at least one registry request,
 * so a page of 200 returns in well under a second where 5,000 tags in one response take seconds.
 */
export const TAG_PAGE_SIZE = 200;

/** The tags of a repository as their pages arrive. */
export interface TagPages {
  entries: Accessor<TagEntry[]>;
  /** Tags in the repository, all pages together; undefined until the first page arrives. */
  total: Accessor<number | undefined>;
  /** True while pages are still being read. */
  loading: Accessor<boolean>;
  /** The failure that stopped reading pages, if any. */
  error: Accessor<unknown>;
  /** Reads the remaining pages again after a failure. */
  retry: () => void;
  /** Removes the rows of deleted tags and lowers the total to match. */
  remove: (names: readonly string[]) => void;
}

/**
 * Reads a repository's tags page by page and appends each page as it arrives, so the first
 * tags show at once. Call it inside a component: the scan state of each tag lives as long as
 * that component.
 */
export function createTagPages(repository: string): TagPages {
  const owner = getOwner();
  const [entries, setEntries] = createSignal<TagEntry[]>([]);
  const [total, setTotal] = createSignal<number>();
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<unknown>();
  const loaded = new Set<string>();
  let next: string | undefined;
  let stopped = false;
  onCleanup(() => {
    stopped = true;
  });

  // The owner gives each tag's polling a cleanup that runs when the page unmounts.
  const toEntry = (tag: TagSummary) =>
    runWithOwner(owner, () => ({ tag, scan: createTagScan(repository, tag) })) as TagEntry;

  const appendPage = (tags: readonly TagSummary[]) => {
    // A tag deleted while pages load can make the next page start over, so names are deduplicated.
    const added = tags.filter((tag) => !loaded.has(tag.name));
    for (const tag of added) loaded.add(tag.name);
    setEntries((current) => [...current, ...added.map(toEntry)]);
  };

  const readPages = async () => {
    setLoading(true);
    setError(undefined);
    try {
      do {
        const page = await fetchTagPage(repository, next, TAG_PAGE_SIZE);
        if (stopped) return;
        next = page.next;
        setTotal(page.total);
        appendPage(page.tags);
      } while (next !== undefined);
    } catch (failure) {
      if (!stopped) setError(failure);
    } finally {
      if (!stopped) setLoading(false);
    }
  };

  const remove = (names: readonly string[]) => {
    const removed = entries().filter((entry) => names.includes(entry.tag.name)).length;
    setEntries((current) => current.filter((entry) => !names.includes(entry.tag.name)));
    setTotal((current) => (current === undefined ? current : current - removed));
  };

  void readPages();

  return { entries, total, loading, error, retry: () => void readPages(), remove };
}
