import { css, unsafeCSS } from 'lit';
import { baseStyles, themeStyles } from '../styles/theme.js';

/** The shared palette (src/styles/theme.ts) plus the chat bubbles, in both schemes. */
const theme = themeStyles({
  light: `
    --_own: var(--ag-chat-own-bubble, #e3ecfb);
    --_other: var(--ag-chat-other-bubble, #f1f3f5);`,
  dark: `
    --_own: var(--ag-chat-own-bubble, #1f3a5f);
    --_other: var(--ag-chat-other-bubble, #262b31);`,
});

/**
 * Row containment: in long transcripts the browser skips layout and paint of rows out of view.
 * A plain string on purpose: lit-analyzer's CSS data predates `content-visibility` and
 * `contain-intrinsic-size`. (Comments here, not in the CSS: a CSS comment ships in the bundle.)
 */
const containment = unsafeCSS(`
  li { content-visibility: auto; contain-intrinsic-size: auto 3em; }
`);

// Logical properties only (inline-start/end, flex-end, text-align: end): the host reflects
// its writing direction (`dir`), and the layout mirrors for right-to-left languages.
const base = css`
  :host {
    display: flex;
    flex-direction: column;
    height: var(--ag-chat-height, 28rem);
    gap: var(--_gap);
  }
  [part='status'] {
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  [part='status'][data-state='connected'] {
    color: var(--_ok);
  }
  [part='status'][data-state='reconnecting'],
  [part='status'][data-state='connecting'] {
    color: var(--_warn);
  }
  [part='status'][data-state='failed'] {
    color: var(--_danger);
  }
  [part='notice'] {
    margin: 0;
    padding: 0.25rem 0.5rem;
    border-inline-start: 3px solid var(--_warn);
    font-size: 0.9em;
  }
  [part='transcript'] {
    flex: 1 1 auto;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  [part='transcript']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.375rem;
  }
  li {
    max-width: 85%;
    padding: 0.25rem 0.5rem;
    border-radius: var(--_radius);
    background: var(--_other);
    overflow-wrap: anywhere;
  }
  li.own {
    align-self: flex-end;
    background: var(--_own);
  }
  li.system {
    align-self: center;
    background: transparent;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .from {
    display: block;
    font-size: 0.8em;
    font-weight: 600;
    color: var(--_muted);
  }
  [part='time'] {
    margin-inline-start: 0.25em;
    font-weight: 400;
  }
  .text {
    white-space: pre-wrap;
  }
  [part='delivery'] {
    display: block;
    text-align: end;
    font-size: 0.75em;
    color: var(--_muted);
  }
  [part='delivery'][data-state='failed-will-retry'],
  [part='delivery'][data-state='rejected'] {
    color: var(--_danger);
  }
  [part='earlier'] {
    display: block;
    margin: 0 auto var(--_gap);
  }
  [part='typing'] {
    margin: 0;
    min-height: 1.4em;
    font-size: 0.85em;
    font-style: italic;
    color: var(--_muted);
  }
  [part='activity'] {
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  [part='composer'] {
    display: flex;
    gap: var(--_gap);
    align-items: flex-end;
  }
  textarea {
    flex: 1 1 auto;
    resize: vertical;
    min-height: 2.5em;
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.375rem 0.5rem;
  }
  button {
    font: inherit;
    border-radius: var(--_radius);
    padding: 0.375rem 0.875rem;
    cursor: pointer;
    color: var(--_accent);
    background: transparent;
    border: 1px solid var(--_border);
  }
  [part='send-button'] {
    color: var(--_accent-fg);
    background: var(--_accent);
    border-color: var(--_accent);
  }
  button:disabled,
  textarea:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  textarea:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

export const chatPanelStyles = [theme, baseStyles, base, containment];
