import { z } from 'zod';
import {
  type ResultInfo,
  ResultInfoSchema,
  type ScannerMode,
  ScannerModeSchema,
  type SeveritySummary,
  SeveritySummarySchema,
} from '../api/schemas';
import { ImageDocuments } from './image-documents';
import type { ObjectStore } from './object-store';
import type { ImageName } from './result-keys';

/** Version of the stored result layout; readers reject files of another version. */
export const RESULT_FORMAT = 'berth.scan-result.v1';

/**
 * One stored scan result: the file written to `DATA_DIR` (or the S3 data prefix) per image
 * tag. `report` is Trivy's JSON report as Trivy wrote it, so it can be imported by tools
 * that read Trivy JSON.
 */
export interface StoredResult {
  format: typeof RESULT_FORMAT;
  image: { registry: string; repository: string; tag: string; digest: string };
  scan: {
    id: string;
    scannedAt: string;
    mode: ScannerMode;
    trivyVersion: string;
    recorded: boolean;
  };
  summary: SeveritySummary;
  report: unknown;
}

/** The fields Berth reads from a stored result; a file without them is treated as damaged. */
const StoredEntrySchema = z.object({
  format: z.literal(RESULT_FORMAT),
  image: z.object({
    registry: z.string(),
    repository: z.string(),
    tag: z.string(),
    digest: z.string(),
  }),
  scan: z.object({
    id: z.string(),
    scannedAt: z.string(),
    mode: ScannerModeSchema,
    trivyVersion: z.string(),
    recorded: z.boolean(),
  }),
  summary: SeveritySummarySchema,
  report: z.looseObject({}),
});

/** A stored result without Trivy's report. */
export type ResultEntry = Omit<StoredResult, 'report'>;

/** Prefix of the small per-tag summaries that tag lists read instead of whole results. */
export const RESULT_INFO_PREFIX = '.berth/results/';

/** A result's summary file: the image it belongs to and what the API shows beside a tag. */
interface InfoDocument {
  image: ImageName;
  info: ResultInfo;
}

/**
 * Scan results, one file per image tag at the top of the store, each with a small summary
 * file so that listing many tags does not parse every Trivy report.
 */
export class ResultStore {
  private readonly documents: ImageDocuments<StoredResult>;
  private readonly infos: ImageDocuments<InfoDocument>;

  constructor(objects: ObjectStore, prefix = '') {
    this.documents = new ImageDocuments(
      objects,
      prefix,
      (result) => (result.format === RESULT_FORMAT ? result.image : undefined),
      (result) => StoredEntrySchema.safeParse(result).success,
    );
    this.infos = new ImageDocuments(
      objects,
      prefix + RESULT_INFO_PREFIX,
      (document) => document.image,
      (document) => ResultInfoSchema.safeParse(document.info).success,
    );
  }

  async delete(image: ImageName): Promise<void> {
    await this.documents.delete(image);
    await this.infos.delete(image);
  }

  read(image: ImageName): Promise<StoredResult | undefined> {
    return this.documents.read(image);
  }

  /** Reads what the API shows beside a tag, from the summary file when there is one. */
  async readInfo(image: ImageName): Promise<ResultInfo | undefined> {
    const document = await this.infos.read(image);
    if (document) return document.info;

    // Results written before summary files existed, or whose summary write failed.
    const result = await this.documents.read(image);
    return result && resultInfo(result);
  }

  /** Stores `result` with its summary file and returns the key the result was written to. */
  async write(result: StoredResult): Promise<string> {
    const key = await this.documents.write(result.image, result);
    const image = { repository: result.image.repository, tag: result.image.tag };
    try {
      await this.infos.write(image, { image, info: resultInfo(result) });
    } catch (error) {
      // A stale summary would show an older scan than the stored result: remove it instead.
      await this.infos.delete(image).catch(() => undefined);
      throw error;
    }
    return key;
  }

  /** Reads every stored result, Trivy reports included. */
  list(): Promise<StoredResult[]> {
    return this.documents.list();
  }

  /** Reads every stored result without its Trivy report, which keeps memory small. */
  listEntries(): Promise<ResultEntry[]> {
    // NOTE: each file is still parsed whole, so the time grows with the size of the reports.
    return this.documents.list(({ report: _report, ...entry }) => entry);
  }
}

/** The part of a stored result the API returns beside a tag. */
export function resultInfo(result: StoredResult): ResultInfo {
  return {
    scanId: result.scan.id,
    digest: result.image.digest,
    scannedAt: result.scan.scannedAt,
    mode: result.scan.mode,
    trivyVersion: result.scan.trivyVersion,
    recorded: result.scan.recorded,
    platform: scannedPlatform(result.report),
    summary: result.summary,
  };
}

/** Reads `os/architecture[/variant]` from the image config Trivy recorded in its report. */
function scannedPlatform(report: unknown): string | undefined {
  const config = (report as { Metadata?: { ImageConfig?: Record<string, unknown> } } | undefined)
    ?.Metadata?.ImageConfig;
  const parts = [config?.os, config?.architecture, config?.variant];
  if (typeof parts[0] !== 'string' || typeof parts[1] !== 'string') return undefined;
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join('/');
}
