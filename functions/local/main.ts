import { readConfig } from '../../core/config';
import { createLogger } from '../../core/log';
import { startBerth } from './server';

/** Entry point of `npm start`: the API, the SPA and the worker in one process. */
const logger = createLogger();
try {
  const berth = await startBerth(readConfig(), logger);
  console.log(`Berth is running at ${berth.url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      void berth.stop().then(() => process.exit(0));
    });
  }
} catch (error) {
  logger.fatal({ err: error }, 'berth failed to start');
  process.exitCode = 1;
}
