import { Show } from 'solid-js';
import { ApiRequestError } from '../api';

/** Props of ErrorMessage. */
export interface ErrorMessageProps {
  error: unknown;
  /** The failed action as a heading, for example "Could not load the tags". */
  context?: string;
}

/** Shows a failed request with the API's message and hint. */
export function ErrorMessage(props: ErrorMessageProps) {
  const message = () => {
    if (props.error instanceof Error) return props.error.message;
    return String(props.error);
  };
  const hint = () => (props.error instanceof ApiRequestError ? props.error.hint : undefined);

  return (
    <div class="message message-error" role="alert">
      <Show when={props.context}>
        <p class="message-title">{props.context}</p>
      </Show>
      <p>{message()}</p>
      <Show when={hint()}>{(text) => <p class="message-hint">{text()}</p>}</Show>
    </div>
  );
}
