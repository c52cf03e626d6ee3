/** Renders a shield outline as inline SVG, so the bundle needs no icon font. */
export function ShieldIcon() {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3z" />
      <path d="m9 12 2 2 4-4" />
    </svg>
  );
}

/** Renders a spinning ring while a scan runs, hidden from assistive technology. */
export function Spinner() {
  return <span class="spinner" aria-hidden="true" />;
}
