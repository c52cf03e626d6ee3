import type { Logger } from '../log';
import type { ReceivedMessage, ScanQueue } from '../queue/port';
import type { StatusStore } from '../store/statuses';
import { ScanInterrupted, type ScanService } from './service';

export interface WorkerOptions {
  queue: ScanQueue;
  service: ScanService;
  statuses: StatusStore;
  /** Scans run at the same time: 1 in builtin mode, SCAN_CONCURRENCY in remote mode. */
  concurrency: number;
  /** Wait between empty receives, in milliseconds. */
  pollIntervalMs?: number;
  /**
   * Visibility the worker keeps renewing on a message while its scan runs, in seconds; the
   * renewal runs every third of it. Used only by queues with `extendVisibility`. @default 300
   */
  visibilitySeconds?: number;
  /**
   * Requeues, at start, queued or running scans whose message is not in the queue. Turn it
   * off for queues that keep every message until it is deleted (SQS). @default true
   */
  requeueOrphans?: boolean;
  /** Calls `onIdle` once after this many milliseconds with no message and no scan running. */
  idleTimeoutMs?: number;
  /** Called once when the worker has been idle for `idleTimeoutMs`, such as to exit the task. */
  onIdle?: () => void;
  logger: Logger;
}

/**
 * Takes scan messages from the queue and runs them, up to `concurrency` at once. A message
 * is deleted only after its scan is recorded as completed or failed, so a scan accepted
 * before a crash runs again after the restart.
 */
export class ScanWorker {
  private readonly active = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastActivity = Date.now();
  private idleReported = false;

  constructor(private readonly options: WorkerOptions) {}

  /** Requeues scans whose message was lost (unless `requeueOrphans` is false), then receives. */
  async start(): Promise<void> {
    if (this.options.requeueOrphans ?? true) await this.requeueOrphans();
    this.lastActivity = Date.now();
    this.running = true;
    this.loop = this.receiveLoop();
  }

  /** Stops receiving and waits for the scans in progress. */
  /**
   * Stops receiving and interrupts the scans in progress: their messages stay in the queue,
   * so they run again after the restart instead of holding up the stop for a whole scan.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    if (this.active.size > 0) {
      this.options.logger.info({ scans: this.active.size }, 'interrupting scans in progress');
      this.stopping.abort();
    }
    await Promise.all(this.active);
  }

  /** Wakes the loop at once, for example after a scan was queued. */
  notify(): void {
    this.wake?.();
  }

  private async receiveLoop(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.active.size;
      const messages = free > 0 ? await this.receive(free) : [];
      for (const received of messages) this.track(this.process(received));
      if (messages.length > 0 || this.active.size > 0) this.lastActivity = Date.now();
      if (messages.length === 0) {
        this.reportIdle();
        await this.idle();
      }
    }
  }

  /** Calls `onIdle` once when no message arrived and no scan ran for `idleTimeoutMs`. */
  private reportIdle(): void {
    const { idleTimeoutMs, onIdle } = this.options;
    if (idleTimeoutMs === undefined || !onIdle || this.idleReported) return;
    if (this.active.size > 0 || Date.now() - this.lastActivity < idleTimeoutMs) return;

    this.idleReported = true;
    this.options.logger.info({ idleTimeoutMs }, 'scan worker idle');
    onIdle();
  }

  private async receive(maxMessages: number): Promise<ReceivedMessage[]> {
    try {
      return await this.options.queue.receive(maxMessages);
    } catch (error) {
      this.options.logger.error({ err: error }, 'scan queue receive failed');
      return [];
    }
  }

  private async process(received: ReceivedMessage): Promise<void> {
    const { queue, service, logger } = this.options;
    if (!received.message) {
      logger.error({ receipt: received.receipt, reason: received.error }, 'scan message rejected');
      await queue.reject(received.receipt, received.error ?? 'invalid message');
      return;
    }
    const stopRenewing = this.renewVisibility(received);
    try {
      await service.run(received.message, this.stopping.signal);
      await queue.delete(received.receipt);
    } catch (error) {
      if (error instanceof ScanInterrupted) return;
      // The status could not be recorded (storage down): keep the message for a retry.
      logger.error({ err: error, scanId: received.message.scanId }, 'scan could not be recorded');
    } finally {
      stopRenewing();
    }
  }

  /** Renews the message's visibility while its scan runs; returns the function that stops it. */
  private renewVisibility(received: ReceivedMessage): () => void {
    const { queue, logger } = this.options;
    if (!queue.extendVisibility) return () => {};

    const seconds = this.options.visibilitySeconds ?? 300;
    const timer = setInterval(
      () => {
        queue.extendVisibility?.(received.receipt, seconds).catch((error: unknown) => {
          logger.warn(
            { err: error, scanId: received.message?.scanId },
            'scan message visibility not extended',
          );
        });
      },
      (seconds * 1000) / 3,
    );
    return () => clearInterval(timer);
  }

  private track(task: Promise<void>): void {
    this.active.add(task);
    void task.finally(() => {
      this.active.delete(task);
      this.lastActivity = Date.now();
      this.notify();
    });
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollIntervalMs ?? 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async requeueOrphans(): Promise<void> {
    const { queue, statuses, logger } = this.options;
    const waiting = await queue.pendingScanIds();
    for (const status of await statuses.list()) {
      const unfinished = status.state === 'queued' || status.state === 'running';
      if (!unfinished || waiting.has(status.id)) continue;
      const { id: scanId, repository, tag, queuedAt } = status;
      await queue.send({ scanId, repository, tag, queuedAt });
      logger.warn({ scanId, repository, tag }, 'scan requeued: its message was lost');
    }
  }
}
