import type { SeveritySummary, TagSummary } from '../../../core/api/schemas';

const SEVERITY_KEYS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;

/**
 * Compares two results by severity: more critical findings sort higher, then more high, and so
 * on. A tag without a result sorts below any scanned tag.
 */
export function compareSummaries(
  a: SeveritySummary | undefined,
  b: SeveritySummary | undefined,
): number {
  if (a === undefined || b === undefined) return (a ? 1 : 0) - (b ? 1 : 0);

  for (const key of SEVERITY_KEYS) {
    if (a[key] !== b[key]) return a[key] - b[key];
  }
  return 0;
}

/** Returns the creation time in milliseconds, or 0 when it is missing or invalid. */
export function createdTime(tag: TagSummary): number {
  const time = tag.created ? Date.parse(tag.created) : Number.NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** Keeps the tags whose name contains the text, ignoring case. */
export function filterTagsByName<T extends { tag: TagSummary }>(
  entries: readonly T[],
  text: string,
) {
  const needle = text.trim().toLowerCase();
  if (needle === '') return entries;
  return entries.filter((entry) => entry.tag.name.toLowerCase().includes(needle));
}
