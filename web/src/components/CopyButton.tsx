import { createSignal } from 'solid-js';

/** Props of CopyButton. */
export interface CopyButtonProps {
  value: string;
  /** Name of the value in the button's accessible name, for example "digest of 1.0". */
  label: string;
}

/** Renders a button that copies a value to the clipboard and shows whether it worked. */
export function CopyButton(props: CopyButtonProps) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setState('copied');
    } catch {
      // The Clipboard API needs a secure context (HTTPS or localhost) and the page's focus.
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };

  return (
    <button
      type="button"
      class="button-link"
      aria-label={`Copy the ${props.label}`}
      title={state() === 'failed' ? 'Copy failed: select the text and copy it by hand' : undefined}
      onClick={() => void copy()}
    >
      {state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}
