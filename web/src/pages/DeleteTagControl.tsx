import { createSignal, Show } from 'solid-js';
import { deleteTag } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';

/** Props of DeleteTagControl. */
export interface DeleteTagControlProps {
  repository: string;
  tag: string;
  onDeleted: (tag: string) => void;
}

/**
 * Renders a Delete button that requests confirmation inside the row, then deletes the manifest
 * the tag points to. Other tags with the same digest are deleted too, and the prompt states it.
 */
export function DeleteTagControl(props: DeleteTagControlProps) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteTag(props.repository, props.tag);
      props.onDeleted(props.tag);
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
            aria-label={`Delete ${props.tag}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        }
      >
        <fieldset class="confirm">
          <legend>Delete {props.tag} and every tag with the same digest?</legend>
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
            onClick={() => setConfirming(false)}
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
