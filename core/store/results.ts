import type { ResultInfo, ScannerMode, SeveritySummary } from '../api/schemas';
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

/** A stored result without Trivy's report. */
export type ResultEntry = Omit<StoredResult, 'report'>;

/** Scan results, one file per image tag at the top of the store. */
export class ResultStore {
  private readonly documents: ImageDocuments<StoredResult>;

  constructor(objects: ObjectStore, prefix = '') {
    this.documents = new ImageDocuments(objects, prefix, (result) =>
      result.format === RESULT_FORMAT ? result.image : undefined,
    );
  }

  read(image: ImageName): Promise<StoredResult | undefined> {
    return this.documents.read(image);
  }

  /** Stores `result` and returns the key it was written to. */
  write(result: StoredResult): Promise<string> {
    return this.documents.write(result.image, result);
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
    summary: result.summary,
  };
}
