import type { ScanView } from '../../core/api/schemas';
import { ApiRequestError } from './api';

/** The outcome of a polling loop. */
export type PollOutcome = 'completed' | 'failed' | 'timed-out' | 'aborted';

/** Settings of pollScan; the delays are in milliseconds. */
export interface PollScanOptions {
  fetchView: () => Promise<ScanView>;
  /** Receives every scan view read, so the caller can show the state as it changes. */
  onView: (view: ScanView) => void;
  /** Receives the errors that polling retries after: network failures and 5xx responses. */
  onTransientError: (error: unknown) => void;
  signal: AbortSignal;
  /** @default 1000 */
  initialDelayMs?: number;
  /** @default 1.5 */
  backoffFactor?: number;
  /** @default 10000 */
  maxDelayMs?: number;
  /** @default 600000 (10 minutes) */
  timeoutMs?: number;
}

/**
 * Polls a scan until it completes or fails, waiting 1 s first and 1.5 times longer after
 * each poll up to 10 s. Throws the ApiRequestError of a 4xx response, because retrying
 * cannot fix it.
 */
export async function pollScan(options: PollScanOptions): Promise<PollOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let delay = options.initialDelayMs ?? 1000;

  while (Date.now() + delay <= deadline) {
    if (!(await sleep(delay, options.signal))) return 'aborted';

    const state = await pollOnce(options);
    if (options.signal.aborted) return 'aborted';
    if (state === 'completed' || state === 'failed') return state;

    delay = Math.min(delay * (options.backoffFactor ?? 1.5), options.maxDelayMs ?? 10_000);
  }

  return 'timed-out';
}

/** Reads the scan view once; returns its state, or undefined after a transient error. */
async function pollOnce(options: PollScanOptions) {
  try {
    const view = await options.fetchView();
    options.onView(view);
    return view.status?.state;
  } catch (error) {
    if (isClientError(error)) throw error;
    options.onTransientError(error);
    return undefined;
  }
}

function isClientError(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status >= 400 && error.status < 500;
}

/** Waits `ms` milliseconds; resolves false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);

  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
