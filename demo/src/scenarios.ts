/**
 * The scenario buttons of the cluster card: the chat session's (relocate, a failing
 * transcript save, a new chat), the survey nodes' split brain, and the call (start, end, the
 * survey mode).
 */
import { html, nothing } from 'lit';
import { endCall, newChat, startCall } from './actions.js';
import { act, state, update } from './store.js';

export function sessionScenarios() {
  const chatId = state.chat?.interactionId;
  return html`<div class="row-actions">
      <button
        data-action="chat.relocate"
        ?disabled=${!chatId}
        @click=${() => void act('relocate session', () => state.backend!.relocate(chatId!))}
      >
        Relocate session
      </button>
      <button
        data-action="chat.failTranscriptSave.notice"
        ?disabled=${!chatId}
        @click=${() => void act('transcript save fails (notice)', () => state.backend!.failTranscriptSave(chatId!, 'notice'))}
      >
        Transcript save fails
      </button>
      <button
        data-action="chat.failTranscriptSave.close"
        ?disabled=${!chatId}
        @click=${() => void act('transcript save fails (close)', () => state.backend!.failTranscriptSave(chatId!, 'close'))}
      >
        … and close session
      </button>
      <button data-action="interactions.startChat" @click=${() => void newChat()}>New chat</button>
    </div>`;
}

export function splitBrainScenarios() {
  return html`<div class="row-actions">
      <button
        data-action="pcs.splitBrain"
        @click=${() => void act('split brain', () => state.backend!.splitBrain())}
      >
        Split brain
      </button>
      <button
        data-action="pcs.heal"
        @click=${() => void act('heal split brain', () => state.backend!.heal())}
      >
        Heal split brain
      </button>
    </div>`;
}

export function callScenarios() {
  const call = state.call;
  return html`<h3>
      Call
      <span class="hint"
        >${state.backend?.finesse ? 'fake Finesse' : 'simulated (standalone host)'}</span
      >
    </h3>
    <div class="row-actions">
      <button
        data-action="finesse.startCall"
        data-target="8000"
        @click=${() => void startCall('8000')}
      >
        Start call to 8000 (survey)
      </button>
      <button
        data-action="finesse.startCall"
        data-target="8001"
        @click=${() => void startCall('8001')}
      >
        Start call to 8001 (no survey)
      </button>
      <button
        data-action="finesse.endCall"
        ?disabled=${!call || call.ended}
        @click=${() => void endCall()}
      >
        End call
      </button>
      <label class="inline"
        >Survey mode
        <select
          @change=${(e: Event) => {
            state.surveyMode = (e.target as HTMLSelectElement).value as 'transfer' | 'hangup';
            update();
          }}
        >
          <option value="transfer" ?selected=${state.surveyMode === 'transfer'}>transfer</option>
          <option value="hangup" ?selected=${state.surveyMode === 'hangup'}>hangup</option>
        </select></label
      >
    </div>
    ${call ? html`<p class="hint">Dialog ${call.dialogId}${call.ended ? ' · ended' : ' · active'}</p>` : nothing}`;
}
