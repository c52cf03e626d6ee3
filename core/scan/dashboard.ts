import type { Dashboard, SeveritySummary } from '../api/schemas';
import { SEVERITIES } from '../api/schemas';
import { emptySummary } from '../report/summary';
import {
  compareRecords,
  type HistoryRecord,
  type HistoryStore,
  historyRecord,
} from '../store/history';
import type { ResultStore } from '../store/results';

/** Images listed in `topImages`. */
const TOP_IMAGES = 10;

/** Reads the latest results and the scan history and computes the dashboard. */
export async function loadDashboard(
  results: ResultStore,
  history: HistoryStore,
): Promise<Dashboard> {
  const [entries, records] = await Promise.all([results.listEntries(), history.list()]);
  return computeDashboard(entries.map(historyRecord), records);
}

/**
 * Computes the dashboard from the latest result of every image tag (`latest`) and the scan
 * history. The latest results also count as history, so results stored before the history
 * existed, or whose history record failed to write, still appear in the trend.
 */
export function computeDashboard(latest: HistoryRecord[], history: HistoryRecord[]): Dashboard {
  const images = [...latestPerImage(latest).values()];

  const repositories = new Map<string, { images: number; summary: SeveritySummary }>();
  for (const image of images) {
    const entry = repositories.get(image.repository) ?? { images: 0, summary: emptySummary() };
    entry.images += 1;
    addSummary(entry.summary, image.summary);
    repositories.set(image.repository, entry);
  }

  return {
    scannedImages: images.length,
    totals: sumSummaries(images),
    topImages: topImages(images),
    repositories: [...repositories]
      .map(([repository, entry]) => ({ repository, ...entry }))
      .sort((left, right) => compareSeverity(left.summary, right.summary) || byName(left, right)),
    trend: trend([...history, ...latest]),
  };
}

/**
 * Images with findings, ordered by critical, then high, then all findings, most first, at most
 * TOP_IMAGES of them. Images without findings are left out, since they top nothing.
 */
function topImages(images: HistoryRecord[]): Dashboard['topImages'] {
  const withFindings = images.filter((image) => image.summary.total > 0);
  const ordered = withFindings.sort(
    (left, right) => compareSeverity(left.summary, right.summary) || byName(left, right),
  );
  return ordered.slice(0, TOP_IMAGES).map(({ repository, tag, digest, scannedAt, summary }) => ({
    repository,
    tag,
    digest,
    scannedAt,
    summary,
  }));
}

/**
 * For each UTC day with a completed scan, the totals over the latest record of every image tag
 * scanned up to the end of that day. A scan id seen twice counts once.
 */
function trend(records: HistoryRecord[]): Dashboard['trend'] {
  const unique = new Map(records.map((record) => [record.scanId, record]));
  const ordered = [...unique.values()].sort(compareRecords);

  const current = new Map<string, HistoryRecord>();
  const days: Dashboard['trend'] = [];
  for (const [index, record] of ordered.entries()) {
    current.set(imageKey(record), record);

    const date = record.scannedAt.slice(0, 'YYYY-MM-DD'.length);
    const next = ordered[index + 1];
    if (next?.scannedAt.startsWith(date)) continue;
    days.push({ date, totals: sumSummaries([...current.values()]) });
  }
  return days;
}

/** Keeps the most recent record of each image tag. */
function latestPerImage(records: HistoryRecord[]): Map<string, HistoryRecord> {
  const latest = new Map<string, HistoryRecord>();
  for (const record of records) {
    const key = imageKey(record);
    const known = latest.get(key);
    if (!known || compareRecords(known, record) < 0) latest.set(key, record);
  }
  return latest;
}

/** `repository:tag`; the colon cannot occur in a repository name, so keys never collide. */
function imageKey(image: { repository: string; tag: string }): string {
  return `${image.repository}:${image.tag}`;
}

function sumSummaries(records: { summary: SeveritySummary }[]): SeveritySummary {
  const total = emptySummary();
  for (const record of records) addSummary(total, record.summary);
  return total;
}

function addSummary(target: SeveritySummary, addend: SeveritySummary): void {
  for (const severity of SEVERITIES) target[severity] += addend[severity];
  target.total += addend.total;
}

/** Sorts the summary with more critical, then high, then total findings first. */
function compareSeverity(left: SeveritySummary, right: SeveritySummary): number {
  return right.CRITICAL - left.CRITICAL || right.HIGH - left.HIGH || right.total - left.total;
}

/** Orders by repository, then tag, in code-unit order so the result does not depend on locale. */
function byName(
  left: { repository: string; tag?: string },
  right: { repository: string; tag?: string },
): number {
  if (left.repository !== right.repository) return left.repository < right.repository ? -1 : 1;
  if (left.tag === right.tag) return 0;
  return (left.tag ?? '') < (right.tag ?? '') ? -1 : 1;
}
