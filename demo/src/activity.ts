/**
 * The timeline and the activity list: each gadget's connection over time (timeline.ts), marked
 * with the back end's events, and the list of what the demo did and saw.
 */
import { html } from 'lit';
import type { BackendEvent } from './backend.js';
import { Timeline } from './timeline.js';
import { el, log, seconds, state } from './store.js';

export const timeline = new Timeline();

export function timelineCard() {
  return html`<section class="card timeline" aria-labelledby="timeline-title">
    <div class="card-head">
      <h2 id="timeline-title">Connection timeline</h2>
      <span class="hint"
        >state of each gadget over time; markers: relocations with the gap in ms</span
      >
    </div>
    ${timeline.render()}
    <div class="activity">
      <h3>Activity</h3>
      <ol data-testid="activity">
        ${state.activity
          .slice(0, 8)
          .map((a) => html`<li data-kind=${a.kind}><time>${seconds(a.t)}</time> ${a.text}</li>`)}
      </ol>
    </div>
  </section>`;
}

const watched = new WeakSet<Element>();
/** Hooks the timeline to gadget elements as they appear (a new chat re-creates none: same element). */
export function watchGadgets() {
  for (const [id, label] of [
    ['chat-panel', 'chat panel'],
    ['survey', 'survey gadget'],
  ] as const) {
    const node = el(id);
    if (node && !watched.has(node)) {
      watched.add(node);
      timeline.watch(id, label, node);
      node.addEventListener('ag-relocated', (e) => {
        const d = e.detail;
        log(`${label}: ${d.from} → ${d.to} in ${Math.round(d.gapMs)} ms`, 'event');
      });
      node.addEventListener('ag-error', (e) =>
        log(`${label}: ${e.detail.code} ${e.detail.message}`, 'error'),
      );
    }
  }
}

/** Back-end events on the timeline's top row and in the activity list. */
export function onBackendEvent(e: BackendEvent) {
  const s = (k: string) => String(e[k] ?? '');
  const label: Record<string, [string, 'fault' | 'recovery' | 'info'] | undefined> = {
    'chat-killed': [`${s('instanceId')} killed`, 'fault'],
    'chat-frozen': [`${s('instanceId')} frozen`, 'fault'],
    'chat-unfrozen': [`${s('instanceId')} unfrozen`, 'recovery'],
    'chat-revived': [`${s('instanceId')} revived`, 'recovery'],
    'chat-draining': [`${s('instanceId')} draining`, 'info'],
    'chat-restored': [`restored on ${s('to')}`, 'recovery'],
    'chat-relocated': [`moved to ${s('to')}`, 'info'],
    'chat-session-closed': [`session closed (${s('reason')})`, 'fault'],
    'interactions-killed': [`${s('serverId')} killed`, 'fault'],
    'interactions-revived': [`${s('serverId')} revived`, 'recovery'],
    'pcs-killed': [`${s('nodeId')} killed`, 'fault'],
    'pcs-frozen': [`${s('nodeId')} frozen`, 'fault'],
    'pcs-unfrozen': [`${s('nodeId')} unfrozen`, 'recovery'],
    'pcs-revived': [`${s('nodeId')} revived`, 'recovery'],
    'pcs-primary': [`${s('nodeId')} primary (epoch ${s('epoch')})`, 'recovery'],
    'pcs-split-brain': [`split brain ${s('stale')}/${s('fresh')}`, 'fault'],
  };
  const entry = label[e.type];
  if (entry) timeline.mark(entry[0], entry[1]);
  if (e.type === 'survey-status')
    log(
      `survey ${s('requestId')}: ${s('status')}${e['score'] !== undefined ? ` (score ${s('score')})` : ''}`,
      'event',
    );
  if (e.type === 'finesse-transfer')
    log(`Finesse: call ${s('dialogId')} transferred to ${s('to')}`, 'event');
  if (e.type === 'chat-restored' && e['interactionId'] === state.chat?.interactionId)
    log(`back end: session restored on ${s('to')}`, 'event');
}
