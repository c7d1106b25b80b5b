import { css, unsafeCSS } from 'lit';

/** Dark palette, for `prefers-color-scheme: dark` and for `theme="dark"`. */
const darkPalette = `
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
 * Colour-scheme switching: a plain string because one palette is used under two selectors
 * (and lit-analyzer's CSS data predates `color-scheme`). Same approach as the chat panel.
 */
const scheme = unsafeCSS(`
  :host { color-scheme: light; }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) { ${darkPalette} }
  }
  :host([theme='dark']) { ${darkPalette} }
`);

/**
 * Colours are chosen for WCAG AA contrast (>= 4.5:1) on their own backgrounds in both schemes;
 * integrators override the --ag-* properties (shared with the chat panel), not the internals.
 */
const base = css`
  :host {
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
    display: block;
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
  [part='header'] {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: var(--_gap);
    flex-wrap: wrap;
  }
  h2 {
    font-size: 1rem;
    margin: 0;
  }
  [part='connection'] {
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  [part='connection'][data-state='connected'] {
    color: var(--_ok);
  }
  [part='connection'][data-problem] {
    color: var(--_warn);
  }
  [part='survey-name'] {
    margin: var(--_gap) 0;
    font-weight: 600;
  }
  form {
    display: grid;
    gap: var(--_gap);
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin: 0;
    padding: 0.25rem 0.5rem 0.5rem;
    display: flex;
    gap: 1rem;
  }
  legend {
    padding: 0 0.25rem;
  }
  label {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  input[type='tel'],
  select {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.3rem 0.45rem;
    min-width: 0;
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  [part='action'] {
    font: inherit;
    font-weight: 600;
    border: 0;
    border-radius: var(--_radius);
    padding: 0.45rem 0.9rem;
    background: var(--_accent);
    color: var(--_accent-fg);
    cursor: pointer;
    justify-self: start;
  }
  [part='action']:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  :is(input, select, button):focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [part='reason'],
  [part='hint'] {
    margin: 0;
    font-size: 0.9em;
    color: var(--_muted);
  }
  [part='status'] {
    margin: var(--_gap) 0 0;
    min-height: 1.4em;
  }
  [part='status'][data-status='completed'] {
    color: var(--_ok);
    font-weight: 600;
  }
  [part='error'] {
    margin: var(--_gap) 0 0;
    color: var(--_danger);
  }
`;

export const surveyTransferStyles = [base, scheme];
