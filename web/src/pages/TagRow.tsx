import { For, Match, Show, Switch } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { ErrorMessage } from '../components/ErrorMessage';
import { SeverityBadges } from '../components/SeverityBadges';
import { ShieldIcon, Spinner } from '../components/ShieldIcon';
import { formatBytes, formatPlatform, formatRelative, shortDigest } from '../format';
import { layersPath } from '../paths';
import { createTagScan, type TagScan } from '../tag-scan';

/** Props of TagRow. */
export interface TagRowProps {
  repository: string;
  tag: TagSummary;
}

/** Renders one tag table row: the image facts, the vulnerability badges, the scan control. */
export function TagRow(props: TagRowProps) {
  const scan = createTagScan(props.repository, props.tag);

  return (
    <tr>
      <th scope="row" data-label="Tag">
        {props.tag.name}
        <Show when={props.tag.error}>
          {(error) => <p class="message message-error">{error()}</p>}
        </Show>
      </th>
      <td data-label="Digest">
        <code title={props.tag.digest}>{shortDigest(props.tag.digest)}</code>
      </td>
      <td data-label="Size">{formatBytes(props.tag.size)}</td>
      <td data-label="Created">
        <Show when={props.tag.created} fallback="unknown">
          {(created) => (
            <time datetime={created()} title={created()}>
              {formatRelative(created())}
            </time>
          )}
        </Show>
      </td>
      <td data-label="Platforms">
        <Show when={props.tag.platforms.length > 0} fallback="unknown">
          <ul class="plain-list">
            <For each={props.tag.platforms}>
              {(platform) => <li>{formatPlatform(platform)}</li>}
            </For>
          </ul>
        </Show>
      </td>
      <td data-label="Vulnerabilities">
        <ScanResult repository={props.repository} tag={props.tag} scan={scan} />
      </td>
      <td data-label="Actions">
        <div class="actions">
          <button
            type="button"
            class="button"
            disabled={scan.busy()}
            aria-label={`${scan.result() ? 'Rescan' : 'Scan'} ${props.tag.name}`}
            onClick={() => void scan.start()}
          >
            <ShieldIcon />
            {scan.result() ? 'Rescan' : 'Scan'}
          </button>
          <a
            href={layersPath(props.repository, props.tag.name)}
            aria-label={`View Layers of ${props.tag.name}`}
          >
            View Layers
          </a>
        </div>
      </td>
    </tr>
  );
}

/** Renders the badges of the last good result, the latest scan state and any polling error. */
function ScanResult(props: { repository: string; tag: TagSummary; scan: TagScan }) {
  return (
    <>
      <Show when={props.scan.result()} fallback={<span class="muted">Not scanned</span>}>
        {(result) => (
          <SeverityBadges
            summary={result().summary}
            repository={props.repository}
            tag={props.tag.name}
          />
        )}
      </Show>
      <Show when={props.scan.stale()}>
        <p class="stale">Stale: the tag now points to another digest than the one scanned.</p>
      </Show>
      <p class="scan-state" role="status">
        <ScanStateText scan={props.scan} />
      </p>
      <Show when={props.scan.notice()}>{(text) => <p class="message">{text()}</p>}</Show>
      <Show when={props.scan.error()}>
        {(error) => <ErrorMessage error={error()} context="Could not queue or check the scan" />}
      </Show>
    </>
  );
}

function ScanStateText(props: { scan: TagScan }) {
  const status = () => props.scan.status();

  return (
    <Switch>
      <Match when={status()?.state === 'queued'}>Queued</Match>
      <Match when={status()?.state === 'running'}>
        <Spinner /> Running
      </Match>
      <Match when={status()?.state === 'failed'}>
        <span class="scan-failed">Failed: {status()?.reason ?? 'no reason recorded'}</span>
      </Match>
      <Match when={props.scan.result()}>
        {(result) => (
          <time datetime={result().scannedAt} title={result().scannedAt}>
            Scanned {formatRelative(result().scannedAt)}
          </time>
        )}
      </Match>
    </Switch>
  );
}
