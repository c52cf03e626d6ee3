import pino from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Structured logger shared by the API, the worker and the scripts. */
export type Logger = pino.Logger;

/**
 * Creates the process logger. `LOG_LEVEL` sets the level (default `info`); tests pass
 * `silent`. Secrets never reach a record because callers log ids, not credentials.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new Error(
      `Invalid LOG_LEVEL ${JSON.stringify(level)}: expected one of ${LEVELS.join(', ')}.`,
    );
  }
  return pino({
    name: options.name ?? 'berth',
    level,
    redact: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
  });
}
