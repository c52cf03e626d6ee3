import { Show } from 'solid-js';
import type { ResultInfo } from '../../../core/api/schemas';
import { formatRelative, scannedPlatformText, shortDigest } from '../format';

/** Props of ResultFacts. */
export interface ResultFactsProps {
  result: ResultInfo;
  /** Platforms of the tag, when the page has them, so a multi-arch tag says "of 2 platforms". */
  platformCount?: number;
}

/**
 * One line on where a stored result came from: digest, time, scanner mode, Trivy version and
 * the platform Trivy scanned.
 */
export function ResultFacts(props: ResultFactsProps) {
  const source = () => (props.result.recorded ? 'recorded report' : `${props.result.mode} mode`);

  return (
    <p class="muted result-facts">
      Scanned digest <code title={props.result.digest}>{shortDigest(props.result.digest)}</code>{' '}
      <time datetime={props.result.scannedAt} title={props.result.scannedAt}>
        {formatRelative(props.result.scannedAt)}
      </time>{' '}
      with Trivy {props.result.trivyVersion} ({source()}).
      <Show when={props.result.platform}>
        {(platform) => (
          <>
            {' '}
            <span class="scanned-platform">
              Trivy {scannedPlatformText(platform(), props.platformCount ?? 1)}.
            </span>
          </>
        )}
      </Show>
    </p>
  );
}
