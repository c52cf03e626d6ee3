import { For, Show } from 'solid-js';
import type { HistoryStep, Layer, LayerView } from '../../../core/api/schemas';
import { SeverityBadges, SeverityBar } from '../components/SeverityBadges';
import { formatBytes, shortDigest } from '../format';
import { findingsPath } from '../paths';

/** The facts of a layer that both a history step and the layer list carry. */
type LayerFacts = Pick<Layer, 'index' | 'diffId' | 'digest' | 'size' | 'summary'>;

/** Returns the largest layer total, the full width of every bar, so layers compare at a glance. */
function barScale(view: LayerView): number {
  return Math.max(0, ...view.layers.map((layer) => layer.summary?.total ?? 0));
}

/**
 * Lists every history step in build order. Steps that made a layer show its facts and counts,
 * and the others show as instructions. Use it when the history lines up with the layers.
 */
export function HistorySteps(props: { view: LayerView }) {
  return (
    <ol class="steps">
      <For each={props.view.steps}>
        {(step) => <StepItem step={step} view={props.view} scale={barScale(props.view)} />}
      </For>
    </ol>
  );
}

/**
 * Lists every layer in diff ID order with its counts, then the history steps as plain text.
 * Use it when the history does not line up, so no step can be tied to a layer.
 */
export function UnmappedLayers(props: { view: LayerView }) {
  return (
    <>
      <ol class="layer-list">
        <For each={props.view.layers}>
          {(layer) => (
            <li class="step step-layer">
              <LayerHeading layer={layer} view={props.view} scale={barScale(props.view)} />
              <p class="muted step-command">Command unknown</p>
            </li>
          )}
        </For>
      </ol>
      <h2>History steps</h2>
      <ol class="history-list">
        <For each={props.view.steps}>
          {(step) => (
            <li>
              <code class="command">{step.command || '(no command recorded)'}</code>
            </li>
          )}
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
        {(layer) => <LayerHeading layer={layer()} view={props.view} scale={props.scale} />}
      </Show>
      <pre class="command">
        <code>{props.step.command || '(no command recorded)'}</code>
      </pre>
    </li>
  );
}

/** Renders a layer's index, size, digest, badges, severity bar and findings link. */
function LayerHeading(props: { layer: LayerFacts; view: LayerView; scale: number }) {
  const digest = () => props.layer.digest ?? props.layer.diffId;

  return (
    <div class="step-heading">
      <strong>Layer {props.layer.index}</strong>
      <Show when={props.layer.size !== undefined}>
        <span>{formatBytes(props.layer.size ?? 0)}</span>
      </Show>
      <code title={digest()}>{shortDigest(digest())}</code>
      <Show when={props.layer.summary}>
        {(summary) => (
          <>
            <SeverityBadges
              summary={summary()}
              repository={props.view.repository}
              tag={props.view.tag}
              layer={props.layer.index}
            />
            <SeverityBar summary={summary()} scale={props.scale} />
            <Show when={summary().total > 0}>
              <a
                href={findingsPath(props.view.repository, props.view.tag, {
                  layer: props.layer.index,
                })}
                aria-label={`Show findings of layer ${props.layer.index}`}
              >
                Show findings
              </a>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
