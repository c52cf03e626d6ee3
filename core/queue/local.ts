import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseScanMessage } from './message';
import type { ReceivedMessage, ScanMessage, ScanQueue } from './port';

/**
 * A durable scan queue in a directory, one file per message: `pending/` contains waiting
 * messages, a receive claims one by renaming it into `inflight/` (rename is atomic, so two
 * receivers never take the same file), and `dead/` keeps rejected ones with their reason.
 *
 * Written by hand because the npm queue libraries either keep messages in memory or need a
 * server or a native addon. One process uses a directory at a time: `recover()` at start
 * moves the messages of a process that died back to `pending/`.
 */
export class LocalScanQueue implements ScanQueue {
  private readonly pending: string;
  private readonly inflight: string;
  private readonly dead: string;

  constructor(directory: string) {
    this.pending = join(directory, 'pending');
    this.inflight = join(directory, 'inflight');
    this.dead = join(directory, 'dead');
  }

  /** Creates the folders and returns the messages left in flight by a previous process. */
  async recover(): Promise<number> {
    await this.createFolders();
    const stranded = await readdir(this.inflight);
    for (const name of stranded) {
      await rename(join(this.inflight, name), join(this.pending, name));
    }
    return stranded.length;
  }

  async send(message: ScanMessage): Promise<void> {
    await this.createFolders();
    // Names sort by queue time, so receive() takes the oldest first.
    const name = `${Date.now().toString().padStart(15, '0')}-${message.scanId}.json`;
    const temporary = join(this.pending, `.tmp-${name}`);
    await writeFile(temporary, JSON.stringify(message), { flush: true });
    await rename(temporary, join(this.pending, name));
  }

  async receive(maxMessages: number): Promise<ReceivedMessage[]> {
    await this.createFolders();
    const names = (await this.listMessages(this.pending)).sort();
    const received: ReceivedMessage[] = [];
    for (const name of names) {
      if (received.length >= maxMessages) break;
      const claimed = await this.claim(name);
      if (claimed) received.push(claimed);
    }
    return received;
  }

  async delete(receipt: string): Promise<void> {
    await rm(join(this.inflight, receipt), { force: true });
  }

  async reject(receipt: string, reason: string): Promise<void> {
    await writeFile(join(this.dead, `${receipt}.reason`), `${reason}\n`);
    await rename(join(this.inflight, receipt), join(this.dead, receipt));
  }

  async pendingScanIds(): Promise<Set<string>> {
    const names = [
      ...(await this.listMessages(this.pending)),
      ...(await this.listMessages(this.inflight)),
    ];
    return new Set(names.map((name) => name.slice(name.indexOf('-') + 1, -'.json'.length)));
  }

  private async createFolders(): Promise<void> {
    for (const folder of [this.pending, this.inflight, this.dead]) {
      await mkdir(folder, { recursive: true });
    }
  }

  private async claim(name: string): Promise<ReceivedMessage | undefined> {
    try {
      await rename(join(this.pending, name), join(this.inflight, name));
    } catch {
      return undefined;
    }
    const body = await readFile(join(this.inflight, name), 'utf8');
    return { receipt: name, body, ...parseScanMessage(body) };
  }

  private async listMessages(directory: string): Promise<string[]> {
    const names = await readdir(directory).catch(() => []);
    return names.filter((name) => name.endsWith('.json') && !name.startsWith('.tmp-'));
  }
}
