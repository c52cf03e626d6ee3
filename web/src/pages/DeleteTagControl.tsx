import { createSignal, Show } from 'solid-js';
import { deleteTag } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';

/** Props of DeleteTagControl. */
export interface DeleteTagControlProps {
  repository: string;
  tag: string;
  /** The other loaded tags with the same digest, named in the confirmation. */
  sameDigestTags: string[];
  /** Receives every tag the deletion removed. */
  onDeleted: (tags: string[]) => void;
}

/**
 * Renders a Delete button that requests confirmation inside the row, then deletes the manifest
 * the tag points to. The registry deletes by digest, so every tag with the same digest goes too,
 * and the confirmation names the ones this page has loaded. Escape cancels.
 */
export function DeleteTagControl(props: DeleteTagControlProps) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let deleteButton: HTMLButtonElement | undefined;

  const cancel = () => {
    setConfirming(false);
    queueMicrotask(() => deleteButton?.focus());
  };

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const deletion = await deleteTag(props.repository, props.tag);
      props.onDeleted(deletion.tags.includes(props.tag) ? deletion.tags : [props.tag]);
    } catch (failure) {
      setError(failure);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Show
        when={confirming()}
        fallback={
          <button
            type="button"
            class="button button-danger"
            ref={deleteButton}
            aria-label={`Delete ${props.tag}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        }
      >
        <fieldset
          class="confirm"
          onKeyDown={(event) => {
            if (event.key === 'Escape' && !busy()) cancel();
          }}
        >
          <legend>
            Delete {props.tag}?
            <Show when={props.sameDigestTags.length > 0}>
              {' '}
              This also deletes {sameDigestText(props.sameDigestTags)}, which point to the same
              digest.
            </Show>
          </legend>
          <button
            type="button"
            class="button button-danger"
            disabled={busy()}
            onClick={() => void confirm()}
          >
            Confirm delete
          </button>
          <button
            type="button"
            class="button button-quiet"
            ref={(button) => queueMicrotask(() => button.focus())}
            onClick={cancel}
          >
            Cancel
          </button>
        </fieldset>
      </Show>
      <Show when={error()}>
        {(failure) => <ErrorMessage error={failure()} context={`Could not delete ${props.tag}`} />}
      </Show>
    </>
  );
}

/** Tags named in the confirmation; more are counted, so the row keeps a readable height. */
const NAMED_TAGS = 5;

function sameDigestText(tags: readonly string[]): string {
  const named = tags.slice(0, NAMED_TAGS).join(', ');
  const more = tags.length - NAMED_TAGS;
  return more > 0 ? `${named} and ${more.toLocaleString('en')} more tags` : named;
}
