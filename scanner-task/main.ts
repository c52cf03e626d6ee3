import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../core/log';
import { type AwsClients, createAwsClients, createTaskRuntime } from '../functions/aws/runtime';

/** Inputs of one scanner task run; tests pass mocked clients and a silent logger. */
export interface ScannerTaskOptions {
  env: NodeJS.ProcessEnv;
  clients?: AwsClients;
  logger: Logger;
  /** Aborted when ECS stops the task (SIGTERM): the worker stops after its running scans. */
  signal?: AbortSignal;
}

/**
 * Runs the ECS scanner task: receives scan messages from SQS and scans them until the worker
 * has been idle for IDLE_EXIT_SECONDS or `signal` is aborted. Resolves once the worker has
 * stopped; rejects when the environment or a secret is invalid.
 */
export async function runScannerTask(options: ScannerTaskOptions): Promise<void> {
  const { env, logger, signal } = options;
  const clients = options.clients ?? createAwsClients(env);
  let reportStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    reportStop = resolve;
  });

  const { worker, scanner } = await createTaskRuntime(env, clients, logger, () =>
    reportStop('idle'),
  );
  signal?.addEventListener('abort', () => reportStop('stop requested'), { once: true });
  if (signal?.aborted) reportStop('stop requested');
  await worker.start();
  logger.info({ mode: scanner.mode, concurrency: scanner.concurrency }, 'scanner task started');

  const reason = await stopRequested;
  await worker.stop();
  logger.info({ reason }, 'scanner task stopped');
}

/** Starts the task when this file is the program (node main.mjs, or tsx scanner-task/main.ts). */
function isProgram(): boolean {
  const program = process.argv[1];
  return program !== undefined && import.meta.url === pathToFileURL(realpathSync(program)).href;
}

if (isProgram()) {
  const logger = createLogger({ name: 'scanner-task' });
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => controller.abort());
  }
  runScannerTask({ env: process.env, logger, signal: controller.signal }).then(
    () => process.exit(0),
    (error: unknown) => {
      logger.fatal({ err: error }, 'scanner task failed to start');
      process.exit(1);
    },
  );
}
