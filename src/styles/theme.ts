import { css, unsafeCSS, type CSSResult } from 'lit';

/**
 * The theme both gadgets share: one --ag-* vocabulary, so a desktop that sets `--ag-accent` (say)
 * styles every gadget alike. Components read only the private `--_*` names, each resolved from
 * the public property with a default. Colours meet WCAG AA (>= 4.5:1) on their own backgrounds in
 * both schemes. `theme="light" | "dark"` on the host forces a scheme; without it the user's
 * `prefers-color-scheme` decides.
 */
const light = `
  --_bg: var(--ag-surface, #ffffff);
  --_fg: var(--ag-text, #1b1f24);
  --_muted: var(--ag-text-muted, #4a5360);
  --_border: var(--ag-border, #b7bec8);
  --_accent: var(--ag-accent, #0b57d0);
  --_accent-fg: var(--ag-accent-text, #ffffff);
  --_ok: var(--ag-success, #146c2e);
  --_warn: var(--ag-warning, #8a4b00);
  --_danger: var(--ag-danger, #b3261e);
  --_radius: var(--ag-radius, 6px);
  --_gap: var(--ag-gap, 0.5rem);
  color-scheme: light;
`;

const dark = `
  --_bg: var(--ag-surface, #16191d);
  --_fg: var(--ag-text, #e8eaed);
  --_muted: var(--ag-text-muted, #b0b7c1);
  --_border: var(--ag-border, #4a5360);
  --_accent: var(--ag-accent, #a8c7fa);
  --_accent-fg: var(--ag-accent-text, #062e6f);
  --_ok: var(--ag-success, #7ed99a);
  --_warn: var(--ag-warning, #ffb95c);
  --_danger: var(--ag-danger, #ffb4ab);
  color-scheme: dark;
`;

/**
 * Windows High Contrast / `forced-colors: active`: the browser replaces author colours with the
 * user's system colours, so every token maps to a CSS system colour (a desktop's --ag-* values
 * would be overridden anyway), and what only a background told apart (own vs. other bubbles,
 * filled buttons) gets a border, since forced backgrounds all become Canvas.
 */
const forced = `
  --_bg: Canvas;
  --_fg: CanvasText;
  --_muted: GrayText;
  --_border: CanvasText;
  --_accent: Highlight;
  --_accent-fg: HighlightText;
  --_ok: CanvasText;
  --_warn: CanvasText;
  --_danger: CanvasText;
  --_own: Canvas;
  --_other: Canvas;
`;

/**
 * The palette with scheme switching, plus a component's own tokens for each scheme (CSS
 * declarations, e.g. `--_own: var(--ag-chat-own-bubble, #e3ecfb);`). A plain string on purpose:
 * one palette is used under two selectors, and lit-analyzer's CSS data predates `color-scheme`.
 */
export function themeStyles(own: { light?: string; dark?: string } = {}): CSSResult {
  const darkBlock = `${dark}${own.dark ?? ''}`;
  return unsafeCSS(`
    :host { ${light}${own.light ?? ''} }
    @media (prefers-color-scheme: dark) {
      :host(:not([theme='light'])) { ${darkBlock} }
    }
    :host([theme='dark']) { ${darkBlock} }
    @media (forced-colors: active) {
      :host([theme]), :host(:not([theme])) { ${forced} }
      [part~='message'], [part~='pending-message'] { border: 1px solid CanvasText; }
      button, select, input, textarea { border: 1px solid ButtonText; }
      button:disabled { color: GrayText; border-color: GrayText; }
      :focus-visible { outline: 2px solid Highlight; outline-offset: 2px; }
    }
  `);
}

/** Rules every gadget's shadow root starts from. */
export const baseStyles = css`
  :host {
    box-sizing: border-box;
    font: var(--ag-font, 14px/1.4 system-ui, sans-serif);
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--ag-padding, 0.75rem);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
`;
