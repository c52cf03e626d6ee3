import { readConfig } from '../../core/config';
import { createLogger } from '../../core/log';
import { startBerth } from './server';

/** Entry point of `npm start`: the API, the SPA and the worker in one process. */
const logger = createLogger();
try {
  const berth = await startBerth(readConfig(), logger);
  console.log(`Berth is running at ${berth.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, 'already stopping: scans in progress are being interrupted');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    void berth.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  logger.fatal({ err: error }, 'berth failed to start');
  process.exit(1);
}
