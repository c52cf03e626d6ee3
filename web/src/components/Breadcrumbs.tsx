import { Show } from 'solid-js';
import { tagsPath } from '../paths';

/** Props of Breadcrumbs. */
export interface BreadcrumbsProps {
  repository: string;
  /** The page below the repository, for example "1.0 findings"; absent on the tag list. */
  current?: string;
}

/** Links back to the repository list and, below it, to the repository's tags. */
export function Breadcrumbs(props: BreadcrumbsProps) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        <li>
          <a href="/">Repositories</a>
        </li>
        <Show when={props.current} fallback={<li aria-current="page">{props.repository}</li>}>
          {(current) => (
            <>
              <li>
                <a href={tagsPath(props.repository)}>{props.repository}</a>
              </li>
              <li aria-current="page">{current()}</li>
            </>
          )}
        </Show>
      </ol>
    </nav>
  );
}
