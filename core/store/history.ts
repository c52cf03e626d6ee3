import pLimit from 'p-limit';
import { z } from 'zod';
import type { ObjectStore } from './object-store';
import type { ResultEntry } from './results';

/** Prefix of the scan history, beside the results but hidden from a plain listing. */
export const HISTORY_PREFIX = '.berth/history/';

/** Objects read at the same time when the history is listed. */
const READ_CONCURRENCY = 16;

const count = z.number().int().nonnegative();

const HistoryRecordSchema = z.object({
  scanId: z.string().min(1),
  repository: z.string().min(1),
  tag: z.string().min(1),
  digest: z.string(),
  scannedAt: z.iso.datetime(),
  summary: z.object({
    CRITICAL: count,
    HIGH: count,
    MEDIUM: count,
    LOW: count,
    UNKNOWN: count,
    total: count,
  }),
});

/** One completed scan: which image tag, which digest, when, and its counts per severity. */
export type HistoryRecord = z.infer<typeof HistoryRecordSchema>;

/** Builds the history record of a stored result. */
export function historyRecord(result: ResultEntry): HistoryRecord {
  return {
    scanId: result.scan.id,
    repository: result.image.repository,
    tag: result.image.tag,
    digest: result.image.digest,
    scannedAt: result.scan.scannedAt,
    summary: result.summary,
  };
}

/**
 * The scan history: one small JSON object per completed scan, keyed
 * `<scannedAt>_<scanId>.json`, so keys sort by time. Records are only added: a rescan adds
 * a record and leaves the earlier ones.
 */
export class HistoryStore {
  private readonly prefix: string;

  constructor(
    private readonly objects: ObjectStore,
    prefix = '',
  ) {
    this.prefix = prefix + HISTORY_PREFIX;
  }

  /** Adds `record` and returns its key. Writing the same scan twice keeps the first record. */
  async append(record: HistoryRecord): Promise<string> {
    // Encoding keeps a `/` in a scan id from making a directory; UUIDs pass through unchanged.
    const key = `${this.prefix}${record.scannedAt}_${encodeURIComponent(record.scanId)}.json`;
    await this.objects.putIfAbsent(key, `${JSON.stringify(record)}\n`);
    return key;
  }

  /**
   * Reads every record, oldest first. Objects that are not valid records are skipped, so one
   * damaged file does not hide the rest of the history.
   */
  async list(): Promise<HistoryRecord[]> {
    // NOTE: records are never compacted, so this reads one object per scan ever completed.
    const keys = await this.objects.list(this.prefix);
    const ownKeys = keys.filter(
      (key) => key.endsWith('.json') && !key.slice(this.prefix.length).includes('/'),
    );

    const limit = pLimit(READ_CONCURRENCY);
    const records = await Promise.all(ownKeys.map((key) => limit(() => this.read(key))));

    const valid = records.filter((record) => record !== undefined);
    return valid.sort((left, right) => compareRecords(left, right));
  }

  private async read(key: string): Promise<HistoryRecord | undefined> {
    const body = await this.objects.get(key);
    if (body === undefined) return undefined;
    try {
      const parsed = HistoryRecordSchema.safeParse(JSON.parse(body));
      return parsed.success ? parsed.data : undefined;
    } catch {
      // Text that is not JSON is not a record.
      return undefined;
    }
  }
}

/** Orders records by scan time, then by scan id so that equal times keep one order. */
export function compareRecords(left: HistoryRecord, right: HistoryRecord): number {
  if (left.scannedAt !== right.scannedAt) return left.scannedAt < right.scannedAt ? -1 : 1;
  if (left.scanId === right.scanId) return 0;
  return left.scanId < right.scanId ? -1 : 1;
}
