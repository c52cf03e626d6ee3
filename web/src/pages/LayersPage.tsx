import { createMemo, createResource, ErrorBoundary, For, Show } from 'solid-js';
import type { HistoryStep, LayerView } from '../../../core/api/schemas';
import { fetchLayers } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { ResultFacts } from '../components/ResultFacts';
import { SeverityBadges, SeverityBar } from '../components/SeverityBadges';
import { formatBytes, shortDigest } from '../format';
import { findingsPath } from '../paths';
import type { TagPageProps } from './FindingsPage';

/** Shows every history step of a tag's image, with per-layer vulnerability counts. */
export function LayersPage(props: TagPageProps) {
  const [layers] = createResource(
    () => ({ repository: props.repository, tag: props.tag }),
    (source) => fetchLayers(source.repository, source.tag),
  );

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
          {(view) => <LayerSteps view={view()} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

/** Renders the steps of a layer view; exported for the component tests. */
export function LayerSteps(props: { view: LayerView }) {
  // Every bar uses the largest layer total as its full width, so layers compare at a glance.
  const scale = createMemo(() =>
    Math.max(0, ...props.view.steps.map((step) => step.layer?.summary?.total ?? 0)),
  );

  return (
    <>
      <p class="muted">
        Platform {props.view.platform}, manifest{' '}
        <code title={props.view.digest}>{shortDigest(props.view.digest)}</code>
      </p>
      <Show
        when={props.view.result}
        fallback={<p>Not scanned yet: scan the tag to see the findings of each layer.</p>}
      >
        {(result) => (
          <>
            <ResultFacts result={result()} />
            <a href={findingsPath(props.view.repository, props.view.tag)}>View all findings</a>
          </>
        )}
      </Show>
      <Show when={!props.view.mappingKnown}>
        <p class="message message-warning">
          Layer mapping unknown: the image history does not line up with its layers
        </p>
      </Show>
      <ol class="steps">
        <For each={props.view.steps}>
          {(step) => <StepItem step={step} view={props.view} scale={scale()} />}
        </For>
      </ol>
    </>
  );
}

function StepItem(props: { step: HistoryStep; view: LayerView; scale: number }) {
  return (
    <li class={props.step.layer ? 'step step-layer' : 'step step-instruction'}>
      <Show
        when={props.step.layer}
        fallback={<p class="step-heading">Instruction without a layer</p>}
      >
        {(layer) => (
          <div class="step-heading">
            <strong>Layer {layer().index}</strong>
            <Show when={layer().size !== undefined}>
              <span>{formatBytes(layer().size ?? 0)}</span>
            </Show>
            <code title={layer().digest ?? layer().diffId}>
              {shortDigest(layer().digest ?? layer().diffId)}
            </code>
            <Show when={layer().summary}>
              {(summary) => (
                <>
                  <SeverityBadges
                    summary={summary()}
                    repository={props.view.repository}
                    tag={props.view.tag}
                    layer={layer().index}
                  />
                  <SeverityBar summary={summary()} scale={props.scale} />
                  <Show when={summary().total > 0}>
                    <a
                      href={findingsPath(props.view.repository, props.view.tag, {
                        layer: layer().index,
                      })}
                      aria-label={`Show the findings of layer ${layer().index}`}
                    >
                      Show findings
                    </a>
                  </Show>
                </>
              )}
            </Show>
          </div>
        )}
      </Show>
      <pre class="command">
        <code>{props.step.command || '(no command recorded)'}</code>
      </pre>
    </li>
  );
}
