import { Show } from 'solid-js';
import type { Finding } from '../../../core/api/schemas';
import { PathText } from '../components/PathText';
import { SeverityLabel } from '../components/SeverityBadges';
import { vulnerabilityUrl } from '../format';

/** Props of FindingRow. */
export interface FindingRowProps {
  finding: Finding;
  /** Position in the table, for the virtualizer's measurement. */
  index: number;
  ref?: (element: Element) => void;
}

/** Renders one finding: its id, scores, package, versions, the layer that added it, its text. */
export function FindingRow(props: FindingRowProps) {
  const finding = () => props.finding;

  return (
    <tr class="finding" data-index={props.index} ref={(element) => props.ref?.(element)}>
      <th scope="row" data-label="ID">
        <VulnerabilityLink id={finding().id} url={finding().url} />
      </th>
      <td data-label="Severity">
        <SeverityLabel severity={finding().severity} />
      </td>
      <td data-label="CVSS">
        <Show when={finding().cvssScore !== undefined} fallback={<span class="muted">none</span>}>
          {finding().cvssScore?.toFixed(1)}
        </Show>
      </td>
      <td data-label="Package" class="package">
        <PathText path={finding().pkgName} />
        <Show when={finding().pkgPath}>
          {(path) => (
            <span class="muted block">
              <PathText path={path()} />
            </span>
          )}
        </Show>
      </td>
      <td data-label="Installed">{finding().installedVersion}</td>
      <td data-label="Fixed">
        <Show when={finding().fixedVersion} fallback={<span class="muted">no fix</span>}>
          {(version) => version()}
        </Show>
      </td>
      <td data-label="Status">{finding().status ?? 'unknown'}</td>
      <td data-label="Layer">
        <LayerText finding={finding()} />
      </td>
      <td data-label="Title" class="finding-text">
        <FindingText finding={finding()} />
      </td>
    </tr>
  );
}

function VulnerabilityLink(props: { id: string; url: string | undefined }) {
  return (
    <Show when={vulnerabilityUrl(props.id, props.url)} fallback={props.id}>
      {(href) => (
        <a href={href()} rel="external noreferrer" target="_blank">
          {props.id}
        </a>
      )}
    </Show>
  );
}

function LayerText(props: { finding: Finding }) {
  const layer = () => props.finding.layer;

  return (
    <Show when={layer().index !== undefined} fallback={<span class="muted">unknown</span>}>
      <span class="layer-index">Layer {layer().index}</span>
      <Show when={layer().command}>
        {(command) => (
          <code class="command" title={command()}>
            {command()}
          </code>
        )}
      </Show>
    </Show>
  );
}

/** Renders the title, with the description inside a `<details>` disclosure when there is one. */
function FindingText(props: { finding: Finding }) {
  const title = () => props.finding.title ?? props.finding.id;

  return (
    <Show when={props.finding.description} fallback={title()}>
      {(description) => (
        <details>
          <summary>{title()}</summary>
          <p class="description">{description()}</p>
        </details>
      )}
    </Show>
  );
}
