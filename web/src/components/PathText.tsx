import { For } from 'solid-js';

/**
 * Renders a path such as `app/node_modules/crypto-js/package.json` with a line-break
 * opportunity after every `/`, so a narrow column wraps it between segments, not mid-word.
 */
export function PathText(props: { path: string }) {
  const segments = () => props.path.split(/(?<=\/)/);

  return (
    <For each={segments()}>
      {(segment) => (
        <>
          {segment}
          <wbr />
        </>
      )}
    </For>
  );
}
