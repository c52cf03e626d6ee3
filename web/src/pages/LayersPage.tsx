import { useSearchParams } from '@solidjs/router';
import { createResource, ErrorBoundary, For, Show } from 'solid-js';
import type { LayerView, ResultInfo } from '../../../core/api/schemas';
import { fetchLayers, fetchScan } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { ResultFacts } from '../components/ResultFacts';
import { shortDigest } from '../format';
import { HistorySteps, UnmappedLayers } from '../layers/LayerItems';
import { findingsPath } from '../paths';
import type { TagPageProps } from './FindingsPage';

/**
 * Shows every history step or layer of a tag's image with per-layer vulnerability counts. The
 * `platform` query parameter picks one image of a multi-arch tag.
 */
export function LayersPage(props: TagPageProps) {
  const [searchParams, setSearchParams] = useSearchParams<{ platform: string }>();
  const [layers] = createResource(
    () => ({ repository: props.repository, tag: props.tag, platform: searchParams.platform }),
    (source) => fetchLayers(source.repository, source.tag, source.platform),
  );
  // The layer view omits the result for a platform Trivy did not scan, so the scan view shows
  // whether the tag has a result at all.
  const [scan] = createResource(
    () => ({ repository: props.repository, tag: props.tag }),
    (source) => fetchScan(source.repository, source.tag).catch(() => undefined),
  );
  const selectPlatform = (platform: string) => setSearchParams({ platform }, { replace: true });

  return (
    <section aria-labelledby="layers-heading">
      <Breadcrumbs repository={props.repository} current={`${props.tag} layers`} />
      <h1 id="layers-heading">
        Layers of {props.repository}:{props.tag}
      </h1>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the layers" />}
      >
        <Show when={layers()} fallback={<p class="muted">Loading layers…</p>}>
          {(view) => (
            <LayerSteps
              view={view()}
              tagResult={scan()?.result}
              onSelectPlatform={selectPlatform}
            />
          )}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

/** Props of LayerSteps. */
export interface LayerStepsProps {
  view: LayerView;
  /** The tag's last completed result, whichever platform Trivy scanned. */
  tagResult?: ResultInfo;
  onSelectPlatform: (platform: string) => void;
}

/** Renders a layer view: the platform picker, the result facts and the steps or layers. */
export function LayerSteps(props: LayerStepsProps) {
  return (
    <>
      <PlatformPicker view={props.view} onSelect={props.onSelectPlatform} />
      <ResultNote {...props} />
      <Show
        when={props.view.mappingKnown}
        fallback={
          <>
            <p class="message message-warning">
              Layer mapping unknown: the image history does not line up with its layers, so each
              layer shows without its Dockerfile command.
            </p>
            <UnmappedLayers view={props.view} />
          </>
        }
      >
        <HistorySteps view={props.view} />
      </Show>
    </>
  );
}

function PlatformPicker(props: { view: LayerView; onSelect: (platform: string) => void }) {
  return (
    <div class="platform-picker">
      <Show
        when={props.view.platforms.length > 1}
        fallback={<span class="muted">Platform {props.view.platform}</span>}
      >
        <label for="platform-select">Platform</label>
        <select
          id="platform-select"
          value={props.view.platform}
          onChange={(event) => props.onSelect(event.currentTarget.value)}
        >
          <For each={props.view.platforms}>
            {(platform) => <option value={platform}>{platform}</option>}
          </For>
        </select>
      </Show>
      <span class="muted">
        manifest <code title={props.view.digest}>{shortDigest(props.view.digest)}</code>
      </span>
    </div>
  );
}

/** Says which result the counts come from, or why the shown platform has none. */
function ResultNote(props: LayerStepsProps) {
  const scannedPlatform = () => props.tagResult?.platform;

  return (
    <Show
      when={props.view.result}
      fallback={
        <Show
          when={props.tagResult}
          fallback={<p>Not scanned yet: scan the tag to see the findings of each layer.</p>}
        >
          <div class="message message-info" role="status">
            <p>
              Trivy scanned {scannedPlatform() ?? 'another platform'}, not {props.view.platform}, so
              these layers show no counts.
            </p>
            <Show
              when={scannedPlatform() && props.view.platforms.includes(scannedPlatform() ?? '')}
            >
              <button
                type="button"
                class="button"
                onClick={() => props.onSelectPlatform(scannedPlatform() ?? '')}
              >
                Show {scannedPlatform()}
              </button>
            </Show>
          </div>
        </Show>
      }
    >
      {(result) => (
        <>
          <ResultFacts result={result()} platformCount={props.view.platforms.length} />
          <a href={findingsPath(props.view.repository, props.view.tag)}>View all findings</a>
        </>
      )}
    </Show>
  );
}
