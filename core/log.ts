import pino from 'pino';

/** Structured logger shared by the API, the worker and the scripts. */
export type Logger = pino.Logger;

/**
 * Creates the process logger. `LOG_LEVEL` sets the level (default `info`); tests pass
 * `silent`. Secrets never reach a record because callers log ids, not credentials.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'berth',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
  });
}
