import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Keyed text objects: the port behind result and status storage. Keys use `/` as the
 * separator whatever the platform. The filesystem adapter is here; an S3 adapter fits the
 * same contract (`putIfAbsent` maps to a conditional `If-None-Match: *` write).
 */
export interface ObjectStore {
  get(key: string): Promise<string | undefined>;
  /** Replaces the object atomically: readers see the old or the new text, never a mix. */
  put(key: string, body: string): Promise<void>;
  /** Creates the object only when no object has the key; returns false when one exists. */
  putIfAbsent(key: string, body: string): Promise<boolean>;
  /** Keys under `prefix`, in no set order. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** ObjectStore on a directory. Writes go to a temporary file in the same directory first. */
export class FsObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async put(key: string, body: string): Promise<void> {
    const temporary = await this.writeTemporary(key, body);
    await rename(temporary, this.path(key));
  }

  async putIfAbsent(key: string, body: string): Promise<boolean> {
    const temporary = await this.writeTemporary(key, body);
    try {
      // link(2) fails with EEXIST instead of replacing, which makes the create exclusive.
      await link(temporary, this.path(key));
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const directory = this.path(prefix.endsWith('/') || prefix === '' ? prefix : dirname(prefix));
    const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(
      (error: unknown) => {
        if (isCode(error, 'ENOENT')) return [];
        throw error;
      },
    );
    const keys = entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.tmp-'))
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join('/'));
    return keys.filter((key) => key.startsWith(prefix));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..')) {
      throw new Error(`Invalid object key ${JSON.stringify(key)}: ".." is not allowed.`);
    }
    return join(this.root, ...key.split('/'));
  }

  private async writeTemporary(key: string, body: string): Promise<string> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = join(dirname(target), `.tmp-${randomUUID()}`);
    await writeFile(temporary, body, { flush: true });
    return temporary;
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
