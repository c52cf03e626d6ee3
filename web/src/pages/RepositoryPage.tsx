import { useParams } from '@solidjs/router';
import { createMemo, Match, Switch } from 'solid-js';
import { parseRepositoryRoute } from '../paths';
import { FindingsPage } from './FindingsPage';
import { LayersPage } from './LayersPage';
import { NotFoundPage } from './NotFoundPage';
import { TagListPage } from './TagListPage';

/** Opens the tag list, findings or layers page named by a `/r/...` path. */
export function RepositoryPage() {
  const params = useParams<{ rest: string }>();
  const route = createMemo(() => parseRepositoryRoute(params.rest ?? ''));

  // Keyed matches remount the page when the repository or tag changes.
  return (
    <Switch fallback={<NotFoundPage />}>
      <Match when={route()?.view === 'tags' && route()} keyed>
        {(current) => <TagListPage repository={current.repository} />}
      </Match>
      <Match when={route()?.view === 'findings' && route()} keyed>
        {(current) => <FindingsPage repository={current.repository} tag={current.tag ?? ''} />}
      </Match>
      <Match when={route()?.view === 'layers' && route()} keyed>
        {(current) => <LayersPage repository={current.repository} tag={current.tag ?? ''} />}
      </Match>
    </Switch>
  );
}
