import { randomUUID } from 'node:crypto';
import type { ScanStatus, ScanView } from '../api/schemas';
import type { Logger } from '../log';
import { checkRepository, checkTag } from '../names';
import type { ScanMessage, ScanQueue } from '../queue/port';
import type { Registry } from '../registry/port';
import { parseReport } from '../report/parse';
import { summarize } from '../report/summary';
import type { Scanner } from '../scanner/types';
import { type HistoryStore, historyRecord } from '../store/history';
import type { ImageName } from '../store/result-keys';
import { RESULT_FORMAT, type ResultStore, type StoredResult } from '../store/results';
import type { StatusStore } from '../store/statuses';
import { failureReason } from './failure';
import type { HealthErrors } from './health-errors';

export interface ScanServiceOptions {
  registry: Registry;
  scanner: Scanner;
  results: ResultStore;
  statuses: StatusStore;
  /** Gets one record per completed scan, for the dashboard's trend. */
  history: HistoryStore;
  queue: ScanQueue;
  /** Registry credentials handed to Trivy through its environment. */
  credentials?: { username: string; password: string };
  /** Lets Trivy pull over plain HTTP or from a registry with a self-signed certificate. */
  insecure: boolean;
  logger: Logger;
  /** Record of the last scan failure for the health page; absent in a worker-only process. */
  healthErrors?: HealthErrors;
  /** Called after a scan is queued, so a worker or launcher can start at once. */
  onQueued?: () => void;
}

/** A scan stopped because the process is stopping; it is neither completed nor failed. */
export class ScanInterrupted extends Error {
  constructor(readonly scanId: string) {
    super(`Scan ${scanId} was interrupted because Berth is stopping.`);
    this.name = 'ScanInterrupted';
  }
}

/**
 * The scan, written once for every deployment: queueing a request, running it through the
 * scanner, storing the result and recording each state change.
 */
export class ScanService {
  private readonly requests = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ScanServiceOptions) {}

  /**
   * Queues a scan of `image` unless one is already queued or running. Returns the status
   * and whether this call created it. Throws RegistryError when the tag does not exist.
   */
  request(image: ImageName): Promise<{ status: ScanStatus; created: boolean }> {
    checkRepository(image.repository);
    checkTag(image.tag);
    return this.serialize(image, () => this.queueOnce(image));
  }

  /** Returns the latest status and the last completed result of `image`. */
  async view(image: ImageName): Promise<ScanView> {
    const [status, result] = await Promise.all([
      this.options.statuses.read(image),
      this.options.results.readInfo(image),
    ]);
    return { status, result };
  }

  /**
   * Runs one queued scan to `completed` or `failed`; never throws for a scan failure. When
   * `signal` aborts (the process is stopping), the scan is left `running` and ScanInterrupted
   * is thrown, so its message stays in the queue and the scan runs again after the restart.
   */
  async run(message: ScanMessage, signal?: AbortSignal): Promise<void> {
    const image = { repository: message.repository, tag: message.tag };
    const current = await this.options.statuses.read(image);
    if (
      current?.id !== message.scanId ||
      current.state === 'completed' ||
      current.state === 'failed'
    ) {
      this.log(message).info({ state: current?.state }, 'scan message skipped: already finished');
      return;
    }
    let status: ScanStatus = { ...current, state: 'running', startedAt: now() };
    await this.options.statuses.write(status);
    try {
      status = await this.resolve(status);
      const result = await this.scan(status, signal);
      if (!(await this.isCurrent(status))) return;
      await this.options.results.write(result);
      await this.recordHistory(result);
      await this.options.statuses.write({ ...status, state: 'completed', finishedAt: now() });
      this.log(status).info({ summary: result.summary }, 'scan completed');
    } catch (error) {
      if (signal?.aborted) {
        this.log(status).warn('scan interrupted: it runs again at the next start');
        throw new ScanInterrupted(status.id);
      }
      if (await this.isCurrent(status)) await this.fail(status, error);
    }
  }

  /**
   * Checks that the scan's status is still the stored one before its outcome is written. A tag
   * deleted while its scan ran has no status any more, and its result must not come back.
   */
  private async isCurrent(status: ScanStatus): Promise<boolean> {
    const stored = await this.options.statuses.read(status);
    if (stored?.id === status.id) return true;
    this.log(status).warn('scan outcome dropped: the tag was deleted or rescanned meanwhile');
    return false;
  }

  /** Marks a scan failed with the reason, keeping the last completed result. */
  async fail(status: ScanStatus, error: unknown): Promise<void> {
    const reason = failureReason(error);
    this.options.healthErrors?.recordScanFailure(reason);
    await this.options.statuses.write({ ...status, state: 'failed', reason, finishedAt: now() });
    this.log(status).error({ reason }, 'scan failed');
  }

  /** Adds the scan to the history. A failed write is logged and does not fail the scan. */
  private async recordHistory(result: StoredResult): Promise<void> {
    try {
      await this.options.history.append(historyRecord(result));
    } catch (error) {
      this.log({ id: result.scan.id, ...result.image }).error(
        { err: error },
        'scan history record not written',
      );
    }
  }

  private async queueOnce(image: ImageName): Promise<{ status: ScanStatus; created: boolean }> {
    const current = await this.options.statuses.read(image);
    if (current?.state === 'queued' || current?.state === 'running') {
      return { status: current, created: false };
    }
    await this.options.registry.getManifest(image.repository, image.tag);

    const status: ScanStatus = { id: randomUUID(), ...image, state: 'queued', queuedAt: now() };
    await this.options.statuses.write(status);
    await this.options.queue.send({ scanId: status.id, ...image, queuedAt: status.queuedAt });
    this.log(status).info('scan queued');
    this.options.onQueued?.();
    return { status, created: true };
  }

  private async resolve(status: ScanStatus): Promise<ScanStatus> {
    const manifest = await this.options.registry.getManifest(status.repository, status.tag);
    const resolved = { ...status, digest: manifest.digest };
    await this.options.statuses.write(resolved);
    this.log(resolved).info('scan running');
    return resolved;
  }

  private async scan(status: ScanStatus, signal?: AbortSignal): Promise<StoredResult> {
    const { registry, scanner, credentials, insecure } = this.options;
    const digest = status.digest ?? '';
    const imageRef = `${registry.host}/${status.repository}@${digest}`;
    const ids = this.ids(status);
    const output = await scanner.scan({ imageRef, credentials, insecure, ids, signal });

    // The stored report is Trivy's JSON as written; parsing only checks it and counts findings.
    const raw: unknown = JSON.parse(output.reportJson);
    const report = parseReport(raw);
    const { recorded } = await scanner.version();
    return {
      format: RESULT_FORMAT,
      image: { registry: registry.host, repository: status.repository, tag: status.tag, digest },
      scan: {
        id: status.id,
        scannedAt: now(),
        mode: scanner.mode,
        trivyVersion: output.trivyVersion,
        recorded,
      },
      summary: summarize(report),
      report: raw,
    };
  }

  private async serialize<T>(image: ImageName, task: () => Promise<T>): Promise<T> {
    const key = `${image.repository}:${image.tag}`;
    const previous = this.requests.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.requests.set(key, next);
    try {
      return await next;
    } finally {
      if (this.requests.get(key) === next) this.requests.delete(key);
    }
  }

  private ids(status: {
    id?: string;
    scanId?: string;
    repository: string;
    tag: string;
    digest?: string;
  }) {
    return {
      scanId: status.id ?? status.scanId ?? '',
      repository: status.repository,
      tag: status.tag,
      ...(status.digest ? { digest: status.digest } : {}),
    };
  }

  private log(status: Parameters<ScanService['ids']>[0]): Logger {
    return this.options.logger.child(this.ids(status));
  }
}

function now(): string {
  return new Date().toISOString();
}
