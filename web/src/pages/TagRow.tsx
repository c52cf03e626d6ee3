import { For, Match, Show, Switch } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { SeverityBadges } from '../components/SeverityBadges';
import { ShieldIcon, Spinner } from '../components/ShieldIcon';
import {
  formatBytes,
  formatPlatform,
  formatRelative,
  scannedPlatformText,
  shortDigest,
} from '../format';
import { layersPath } from '../paths';
import { ADMIN_ONLY_TEXT, canAdminister } from '../session';
import type { TagScan } from '../tag-scan';
import { DeleteTagControl } from './DeleteTagControl';

/** Props of TagRow. */
export interface TagRowProps {
  repository: string;
  tag: TagSummary;
  scan: TagScan;
  /** The other loaded tags that point to the same digest, which a delete removes too. */
  sameDigestTags: string[];
  /** Position in the table, for the virtualizer's measurement. */
  index: number;
  ref?: (element: Element) => void;
  /** Called after the API deleted the tag, with every tag the deletion removed. */
  onDeleted: (tags: string[]) => void;
}

/** Renders one tag table row: the image facts, the vulnerability badges, the scan control. */
export function TagRow(props: TagRowProps) {
  return (
    <tr class="tag-row" data-index={props.index} ref={(element) => props.ref?.(element)}>
      <th scope="row" data-label="Tag" class="tag-name">
        {props.tag.name}
        <Show when={props.tag.error}>
          {(error) => <p class="message message-error">{error()}</p>}
        </Show>
      </th>
      <td data-label="Digest">
        <code title={props.tag.digest}>{shortDigest(props.tag.digest)}</code>{' '}
        <CopyButton value={props.tag.digest} label={`digest of ${props.tag.name}`} />
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
        <ScanResult repository={props.repository} tag={props.tag} scan={props.scan} />
      </td>
      <td data-label="Actions">
        <TagActions {...props} />
      </td>
    </tr>
  );
}

function TagActions(props: TagRowProps) {
  const scanLabel = () => (props.scan.result() ? 'Rescan' : 'Scan');

  return (
    <div class="actions">
      <button
        type="button"
        class="button"
        disabled={props.scan.busy() || !canAdminister()}
        title={canAdminister() ? undefined : ADMIN_ONLY_TEXT}
        aria-describedby={canAdminister() ? undefined : 'admin-only-note'}
        aria-label={`${scanLabel()} ${props.tag.name}`}
        onClick={() => void props.scan.start()}
      >
        <ShieldIcon />
        {scanLabel()}
      </button>
      <a
        href={layersPath(props.repository, props.tag.name)}
        aria-label={`View Layers of ${props.tag.name}`}
      >
        View Layers
      </a>
      <Show when={canAdminister()}>
        <DeleteTagControl
          repository={props.repository}
          tag={props.tag.name}
          sameDigestTags={props.sameDigestTags}
          onDeleted={props.onDeleted}
        />
      </Show>
    </div>
  );
}

/** Renders the badges of the last good result, the latest scan state and any polling error. */
function ScanResult(props: { repository: string; tag: TagSummary; scan: TagScan }) {
  return (
    <>
      <Show when={props.scan.result()} fallback={<span class="muted">Not scanned</span>}>
        {(result) => (
          <>
            <SeverityBadges
              summary={result().summary}
              repository={props.repository}
              tag={props.tag.name}
            />
            <Show when={result().platform}>
              {(platform) => (
                <p class="scanned-platform">
                  {scannedPlatformText(platform(), props.tag.platforms.length)}
                </p>
              )}
            </Show>
          </>
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
