import { type ScanStatus, ScanStatusSchema } from '../api/schemas';
import { ImageDocuments } from './image-documents';
import type { ObjectStore } from './object-store';
import type { ImageName } from './result-keys';

/** Prefix of the scan status files, beside the results but hidden from a plain listing. */
export const STATUS_PREFIX = '.berth/scans/';

/** The latest scan status of each image tag, with the same file-name rule as the results. */
export class StatusStore {
  private readonly documents: ImageDocuments<ScanStatus>;

  constructor(objects: ObjectStore, prefix = '') {
    this.documents = new ImageDocuments(
      objects,
      prefix + STATUS_PREFIX,
      (status) => status,
      (status) => ScanStatusSchema.safeParse(status).success,
    );
  }

  delete(image: ImageName): Promise<void> {
    return this.documents.delete(image);
  }

  read(image: ImageName): Promise<ScanStatus | undefined> {
    return this.documents.read(image);
  }

  async write(status: ScanStatus): Promise<void> {
    await this.documents.write(status, status);
  }

  list(): Promise<ScanStatus[]> {
    return this.documents.list();
  }
}
