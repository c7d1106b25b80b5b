import { css } from 'lit';
import { baseStyles, themeStyles } from '../styles/theme.js';

/** Everything visual comes from the shared palette (src/styles/theme.ts), as in the chat panel. */
const theme = themeStyles();

const base = css`
  :host {
    display: block;
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

export const surveyTransferStyles = [theme, baseStyles, base];
