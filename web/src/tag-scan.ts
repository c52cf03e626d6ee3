import { type Accessor, createSignal, onCleanup } from 'solid-js';
import type { ResultInfo, ScanStatus, ScanView, TagSummary } from '../../core/api/schemas';
import { fetchScan, requestScan } from './api';
import { type PollOutcome, pollScan } from './scan-poll';

/** Shown when polling gives up while the scan may still be running. */
export const POLL_TIMEOUT_TEXT =
  'The scan is still running after 10 minutes. Reload this page later to check its result.';

/** The scan state of one tag row, kept current by polling after a scan request. */
export interface TagScan {
  status: Accessor<ScanStatus | undefined>;
  /** The last completed result; a failed rescan keeps it. */
  result: Accessor<ResultInfo | undefined>;
  stale: Accessor<boolean>;
  /** True from the click on Scan until the latest scan completes or fails. */
  busy: Accessor<boolean>;
  error: Accessor<unknown>;
  notice: Accessor<string | undefined>;
  /** Queues a scan and polls its status until it ends. */
  start: () => Promise<void>;
}

/** Creates the scan state of a tag and resumes polling when a scan is already in progress. */
export function createTagScan(repository: string, tag: TagSummary): TagScan {
  const [status, setStatus] = createSignal(tag.scan);
  const [result, setResult] = createSignal(tag.result);
  const [stale, setStale] = createSignal(tag.stale);
  const [error, setError] = createSignal<unknown>();
  const [notice, setNotice] = createSignal<string>();
  const [requesting, setRequesting] = createSignal(false);
  const controller = new AbortController();
  onCleanup(() => controller.abort());

  // Busy from the click on, so a second click cannot send a second POST before the first returns.
  const busy = () => requesting() || status()?.state === 'queued' || status()?.state === 'running';

  const applyView = (view: ScanView) => {
    if (view.status) setStatus(view.status);
    if (view.result) setResult(view.result);
    setError(undefined);
  };

  const poll = async () => {
    const outcome = await pollScan({
      fetchView: () => fetchScan(repository, tag.name),
      onView: applyView,
      onTransientError: setError,
      signal: controller.signal,
    }).catch((failure: unknown): PollOutcome => {
      setError(failure);
      return 'aborted';
    });

    // A scan that completed just now resolved the tag again, so its result is current.
    // NOTE: a push of the tag while the scan ran shows as stale only after a page reload.
    if (outcome === 'completed') setStale(false);
    if (outcome === 'timed-out') setNotice(POLL_TIMEOUT_TEXT);
  };

  const start = async () => {
    if (busy()) return;
    setRequesting(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setStatus(await requestScan(repository, tag.name));
    } catch (failure) {
      setError(failure);
      return;
    } finally {
      setRequesting(false);
    }

    await poll();
  };

  if (busy()) void poll();

  return { status, result, stale, busy, error, notice, start };
}
