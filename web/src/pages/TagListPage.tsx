import { createResource, ErrorBoundary, For, Show } from 'solid-js';
import type { TagSummary } from '../../../core/api/schemas';
import { fetchTags } from '../api';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ErrorMessage } from '../components/ErrorMessage';
import { TagRow } from './TagRow';

/** Lists the tags of one repository with their scan results and scan buttons. */
export function TagListPage(props: { repository: string }) {
  const [tagList] = createResource(() => props.repository, fetchTags);

  return (
    <section aria-labelledby="tags-heading">
      <Breadcrumbs repository={props.repository} />
      <h1 id="tags-heading">{props.repository}</h1>
      <ErrorBoundary
        fallback={(error) => <ErrorMessage error={error} context="Could not load the tags" />}
      >
        <Show when={tagList()} fallback={<p class="muted">Loading tags…</p>}>
          {(list) => <TagTable repository={props.repository} tags={list().tags} />}
        </Show>
      </ErrorBoundary>
    </section>
  );
}

function TagTable(props: { repository: string; tags: TagSummary[] }) {
  return (
    <Show when={props.tags.length > 0} fallback={<p>This repository has no tags.</p>}>
      <table class="stacked tags">
        <caption class="visually-hidden">Tags of {props.repository}</caption>
        <thead>
          <tr>
            <th scope="col">Tag</th>
            <th scope="col">Digest</th>
            <th scope="col">Size</th>
            <th scope="col">Created</th>
            <th scope="col">Platforms</th>
            <th scope="col">Vulnerabilities</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.tags}>{(tag) => <TagRow repository={props.repository} tag={tag} />}</For>
        </tbody>
      </table>
    </Show>
  );
}
