// What the pages the end-to-end tests drive have on `window`, for the browser-side callbacks
// (page.evaluate, page.waitForFunction) of the .mjs tests, which tsconfig.scripts.json
// type-checks: the demo's handles (demo/src/page-handles.ts), the elements' tag names, and the
// recorder test/e2e/agent-page.mjs puts in its page.
/// <reference types="vite/client" />
import type {} from '../../demo/src/page-handles.js';
import type {} from '../../src/define/chat-panel.js';
import type {} from '../../src/define/survey-transfer.js';

/** One entry of agent-page.mjs's recorder. */
export interface AgentPageEntry {
  /** a window or document event (online, offline, pageshow, freeze, resume, visibilitychange), or state/error */
  readonly type: string;
  /** performance.now() when it happened */
  readonly t: number;
  /** for visibilitychange and the lifecycle events */
  readonly visibility?: DocumentVisibilityState;
  /** for type 'state': the ag-connection-change detail */
  readonly state?: string;
  readonly [detail: string]: unknown;
}

declare global {
  interface Window {
    /** agent-page.mjs: every connection change, network and lifecycle event, in order */
    agTimeline: AgentPageEntry[];
    /** agent-page.mjs: the longest time (ms) the page ran no timer */
    agMaxGap: number;
  }
}
