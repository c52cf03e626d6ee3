import pLimit from 'p-limit';
import type { ObjectStore } from './object-store';
import { collisionFileName, type ImageName, plainFileName, sameImage } from './result-keys';

/** Objects read at the same time when a prefix is listed. */
const READ_CONCURRENCY = 16;

/**
 * JSON documents keyed by image tag under one prefix, with the collision rule of
 * result-keys.ts. A document is read only when it names the requested image and passes
 * `isValid`. A write never replaces a document that names another image, and it replaces a
 * damaged one.
 */
export class ImageDocuments<T> {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix: string,
    private readonly imageOf: (document: T) => ImageName | undefined,
    private readonly isValid: (document: T) => boolean = () => true,
  ) {}

  /** Reads the document of `image`, or undefined when there is none. */
  async read(image: ImageName): Promise<T | undefined> {
    for (const key of this.candidateKeys(image)) {
      const document = await this.readKey(key);
      if (document && this.owns(document, image) && this.isValid(document)) return document;
    }
    return undefined;
  }

  /**
   * Writes the document of `image` and returns the key it went to. The plain key is replaced
   * when its file belongs to `image` or to no image (damaged or of another shape), so the
   * documented file name never stays stuck on garbage.
   */
  async write(image: ImageName, document: T): Promise<string> {
    const body = `${JSON.stringify(document)}\n`;
    const [plainKey, collisionKey] = this.candidateKeys(image);
    if (await this.objects.putIfAbsent(plainKey, body)) return plainKey;

    const existing = await this.readKey(plainKey);
    const owner = existing === undefined ? undefined : this.ownerOf(existing);
    if (owner === undefined || sameImage(owner, image)) {
      await this.objects.put(plainKey, body);
      return plainKey;
    }
    await this.objects.put(collisionKey, body);
    return collisionKey;
  }

  /** Deletes the document of `image`, leaving documents of other images in place. */
  async delete(image: ImageName): Promise<void> {
    for (const key of this.candidateKeys(image)) {
      const document = await this.readKey(key);
      if (document && this.owns(document, image)) await this.objects.delete(key);
    }
  }

  /**
   * Reads every document directly under the prefix, a bounded number at a time; files of
   * another shape are skipped. `select` maps each document as soon as it is read, so that a
   * caller who needs a small part of large documents does not hold them all in memory.
   */
  async list(): Promise<T[]>;
  async list<U>(select: (document: T) => U): Promise<U[]>;
  async list<U>(select?: (document: T) => U): Promise<(T | U)[]> {
    const keys = await this.objects.list(this.prefix);
    const ownKeys = keys.filter(
      (key) => key.endsWith('.json') && !key.slice(this.prefix.length).includes('/'),
    );

    const limit = pLimit(READ_CONCURRENCY);
    const readOne = async (key: string) => {
      const document = await this.readKey(key);
      if (document === undefined || !this.imageOf(document) || !this.isValid(document)) {
        return undefined;
      }
      return select ? select(document) : document;
    };
    const documents = await Promise.all(ownKeys.map((key) => limit(() => readOne(key))));
    return documents.filter((document) => document !== undefined);
  }

  private candidateKeys(image: ImageName): [string, string] {
    return [this.prefix + plainFileName(image), this.prefix + collisionFileName(image)];
  }

  private ownerOf(document: T): ImageName | undefined {
    const owner = this.imageOf(document);
    if (typeof owner?.repository !== 'string' || typeof owner.tag !== 'string') return undefined;
    return owner;
  }

  private owns(document: T, image: ImageName): boolean {
    const owner = this.ownerOf(document);
    return owner !== undefined && sameImage(owner, image);
  }

  private async readKey(key: string): Promise<T | undefined> {
    const body = await this.objects.get(key);
    if (body === undefined) return undefined;
    try {
      return JSON.parse(body) as T;
    } catch {
      // A file that is not JSON belongs to no image; the write path never replaces it.
      return undefined;
    }
  }
}
