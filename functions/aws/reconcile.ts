import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { approximateDepth } from '../../core/aws/sqs-queue';
import { createLogger, type Logger } from '../../core/log';
import { parseScanMessage } from '../../core/queue/message';
import type { ScanLauncher } from '../../core/scan/launcher';
import type { ScanService } from '../../core/scan/service';
import type { StatusStore } from '../../core/store/statuses';
import { type AwsClients, createAwsClients, createReconcileRuntime } from './runtime';

/**
 * Receives after which SQS moves a message to the dead-letter queue: the queue's redrive
 * policy in the stack (maxReceiveCount).
 */
export const MAX_RECEIVES = 3;

/** Reason recorded on a scan whose message reached the dead-letter queue. */
export const DEAD_LETTER_REASON = `The scan failed ${MAX_RECEIVES} times; see the scanner task logs.`;

/** Dead-letter batches read per run; the next run, 5 minutes later, reads the rest. */
const MAX_BATCHES = 10;

/** Dependencies of the scheduled check. */
export interface ReconcileDependencies {
  scans: ScanService;
  statuses: StatusStore;
  launcher: ScanLauncher;
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  logger: Logger;
}

/** Counts of one run of the scheduled check. */
export interface ReconcileSummary {
  /** Messages waiting in the scan queue, as SQS approximates it. */
  waiting: number;
  /** Scans marked failed because their message reached the dead-letter queue. */
  failed: number;
  /** Dead letters whose scan was already finished or replaced by a later scan. */
  skipped: number;
  /** Dead letters that were not scan messages. */
  malformed: number;
}

/**
 * Runs the scheduled check. It starts a scanner task when messages wait, because ECR push
 * events and RunTask calls can be lost. Then it marks each scan whose message reached the
 * dead-letter queue as failed, unless a later scan of that tag replaced it, and deletes the
 * dead letter.
 */
export async function reconcile(deps: ReconcileDependencies): Promise<ReconcileSummary> {
  const waiting = await approximateDepth(deps.sqs, deps.queueUrl);
  if (waiting > 0) {
    deps.logger.info({ waiting }, 'scan messages waiting; ensuring a scanner task runs');
    try {
      await deps.launcher.ensureRunning();
    } catch (error) {
      // The dead letters below still need their scans marked failed; the next run retries.
      deps.logger.error({ err: error }, 'scanner task not started');
    }
  }

  const summary: ReconcileSummary = { waiting, failed: 0, skipped: 0, malformed: 0 };
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const response = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = response.Messages ?? [];
    for (const message of messages) await handleDeadLetter(message, deps, summary);
    if (messages.length === 0) break;
  }
  deps.logger.info({ ...summary }, 'scheduled check finished');
  return summary;
}

/** Records one dead letter on its scan and deletes it; a storage failure keeps it for later. */
async function handleDeadLetter(
  message: Message,
  deps: ReconcileDependencies,
  summary: ReconcileSummary,
): Promise<void> {
  const parsed = parseScanMessage(message.Body ?? '');
  const logger = deps.logger.child({ messageId: message.MessageId });
  try {
    if (!parsed.message) {
      logger.error({ reason: parsed.error }, 'dead letter is not a scan message; deleted');
      summary.malformed++;
    } else if (await markFailed(parsed.message, deps)) {
      summary.failed++;
    } else {
      summary.skipped++;
    }
  } catch (error) {
    logger.error({ err: error }, 'dead letter not recorded; kept for the next run');
    return;
  }
  try {
    await deps.sqs.send(
      new DeleteMessageCommand({ QueueUrl: deps.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  } catch (error) {
    // The status is already recorded, so a dead letter received again is skipped then.
    logger.error({ err: error }, 'dead letter not deleted; it is handled again next run');
  }
}

/** Marks the message's scan failed; returns false when the scan finished or was replaced. */
async function markFailed(
  message: { scanId: string; repository: string; tag: string },
  deps: ReconcileDependencies,
): Promise<boolean> {
  const image = { repository: message.repository, tag: message.tag };
  const status = await deps.statuses.read(image);
  const logger = deps.logger.child({ scanId: message.scanId, ...image });

  if (status?.id !== message.scanId) {
    logger.info({ currentScanId: status?.id }, 'dead letter skipped: a later scan replaced it');
    return false;
  }
  if (status.state === 'completed' || status.state === 'failed') {
    logger.info({ state: status.state }, 'dead letter skipped: the scan already finished');
    return false;
  }
  await deps.scans.fail(status, new Error(DEAD_LETTER_REASON));
  return true;
}

/** Builds the scheduled check from the environment; tests pass mocked clients. */
export async function createReconcileHandler(options: {
  env: NodeJS.ProcessEnv;
  clients?: AwsClients;
  logger?: Logger;
}): Promise<() => Promise<ReconcileSummary>> {
  const logger = options.logger ?? createLogger({ name: 'reconcile' });
  const clients = options.clients ?? createAwsClients(options.env);
  const runtime = await createReconcileRuntime(options.env, clients, logger);
  return () => reconcile({ ...runtime, logger });
}

let cachedHandler: ReturnType<typeof createReconcileHandler> | undefined;

/** Lambda entry point of the schedule rule (every 5 minutes). */
export async function handler(): Promise<ReconcileSummary> {
  cachedHandler ??= createReconcileHandler({ env: process.env }).catch((error: unknown) => {
    cachedHandler = undefined;
    throw error;
  });
  return (await cachedHandler)();
}
