import type { ResultInfo } from '../../../core/api/schemas';
import { formatRelative, shortDigest } from '../format';

/** One line on where a stored result came from: digest, time, scanner mode and Trivy version. */
export function ResultFacts(props: { result: ResultInfo }) {
  const source = () => (props.result.recorded ? 'recorded report' : `${props.result.mode} mode`);

  return (
    <p class="muted">
      Scanned digest <code title={props.result.digest}>{shortDigest(props.result.digest)}</code>{' '}
      <time datetime={props.result.scannedAt} title={props.result.scannedAt}>
        {formatRelative(props.result.scannedAt)}
      </time>{' '}
      with Trivy {props.result.trivyVersion} ({source()}).
    </p>
  );
}
