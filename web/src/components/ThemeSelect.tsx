import { For } from 'solid-js';
import { setTheme, THEME_CHOICES, type ThemeChoice, theme } from '../theme';

const LABELS: Record<ThemeChoice, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

/** Renders a select that switches between the light, dark and system color schemes. */
export function ThemeSelect() {
  return (
    <label class="inline-field">
      <span>Theme</span>
      <select
        value={theme()}
        onChange={(event) => setTheme(event.currentTarget.value as ThemeChoice)}
      >
        <For each={THEME_CHOICES}>
          {(choice) => <option value={choice}>{LABELS[choice]}</option>}
        </For>
      </select>
    </label>
  );
}
