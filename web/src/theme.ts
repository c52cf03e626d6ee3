import { createSignal } from 'solid-js';

/** The color scheme a user picked; `system` follows the operating system's setting. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'berth.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function readStoredChoice(): ThemeChoice {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return CHOICES.find((choice) => choice === stored) ?? 'system';
}

/** Sets `data-theme` on the root element; the style sheet picks its colors from it. */
function applyChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.dataset.theme = choice;
}

const [theme, setThemeSignal] = createSignal<ThemeChoice>('system');

/** Applies the stored choice; call once before the first render to avoid a flash. */
export function initTheme(): void {
  const choice = readStoredChoice();
  setThemeSignal(choice);
  applyChoice(choice);
}

/** Stores and applies a color scheme. */
export function setTheme(choice: ThemeChoice): void {
  window.localStorage.setItem(STORAGE_KEY, choice);
  setThemeSignal(choice);
  applyChoice(choice);
}

export { CHOICES as THEME_CHOICES, theme };
