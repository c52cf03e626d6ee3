import { useSearchParams } from '@solidjs/router';
import { createMemo, createSignal, For, onMount, Show } from 'solid-js';
import { fetchRepositories } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { tagsPath } from '../paths';

/** Lists the registry's repositories page by page, with a filter over the loaded names. */
export function RepositoryListPage() {
  const [searchParams, setSearchParams] = useSearchParams<{ q: string }>();
  const [repositories, setRepositories] = createSignal<string[]>([]);
  const [next, setNext] = createSignal<string>();
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const filter = () => (searchParams.q ?? '').trim().toLowerCase();
  const visible = createMemo(() =>
    repositories().filter((name) => name.toLowerCase().includes(filter())),
  );

  const loadPage = async (last?: string) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchRepositories(last);
      setRepositories((loaded) => [...loaded, ...page.repositories]);
      setNext(page.next);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  onMount(() => void loadPage());

  return (
    <section aria-labelledby="repositories-heading">
      <h1 id="repositories-heading">Repositories</h1>
      <div class="field">
        <label for="repository-filter">Filter loaded repositories</label>
        <input
          id="repository-filter"
          type="search"
          autocomplete="off"
          value={searchParams.q ?? ''}
          onInput={(event) =>
            setSearchParams({ q: event.currentTarget.value || undefined }, { replace: true })
          }
        />
      </div>
      <Show when={error()}>
        {(failure) => <ErrorMessage error={failure()} context="Could not load the repositories" />}
      </Show>
      <RepositoryLinks
        names={visible()}
        loadedCount={repositories().length}
        loading={loading()}
        failed={error() !== undefined}
      />
      <Show when={next() && !loading()}>
        <button type="button" class="button" onClick={() => void loadPage(next())}>
          Load more
        </button>
      </Show>
    </section>
  );
}

/** Props of RepositoryLinks. */
interface RepositoryLinksProps {
  names: string[];
  loadedCount: number;
  loading: boolean;
  /** True after a failed request, so an empty list is not shown as an empty registry. */
  failed: boolean;
}

function RepositoryLinks(props: RepositoryLinksProps) {
  const emptyText = () =>
    props.loadedCount === 0
      ? 'The registry has no repositories yet.'
      : 'No loaded repository matches the filter.';

  return (
    <>
      <p class="muted" aria-live="polite">
        {props.loading
          ? 'Loading repositories…'
          : `Showing ${props.names.length} of ${props.loadedCount} loaded repositories.`}
      </p>
      <Show
        when={props.names.length > 0}
        fallback={
          <Show when={!props.loading && !props.failed}>
            <p>{emptyText()}</p>
          </Show>
        }
      >
        <ul class="repository-list">
          <For each={props.names}>
            {(name) => (
              <li>
                <a href={tagsPath(name)}>{name}</a>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
