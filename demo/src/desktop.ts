/**
 * The desktop's layout: the top bar, the agent side (the two gadgets), the customer side, and
 * the page that holds them with the cluster card and the timeline.
 */
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { customerSay } from './actions.js';
import { timelineCard } from './activity.js';
import { clusterCard } from './fault-panel.js';
import { el, state, type GadgetLike } from './store.js';
import { toggleTheme } from './theme.js';

function statePill(s: string | undefined | null, extra?: string | null) {
  const value = s ?? 'idle';
  return html`<span class="pill" data-state=${value}
    >${value}${extra ? html` · ${extra}` : nothing}</span
  >`;
}

function header() {
  const backend = state.backend;
  const dark = document.documentElement.dataset.theme === 'dark';
  return html`<header class="topbar">
    <div class="brand">
      <span class="logo" aria-hidden="true">ag</span>
      <div>
        <h1>Agent desktop</h1>
        <p class="subtitle">
          agent-gadgets demo · chat panel and post-call survey on a failing-over back end
        </p>
      </div>
    </div>
    <div class="topbar-right">
      <span class="backend-badge" data-kind=${backend?.kind ?? 'starting'}
        >${backend ? (backend.kind === 'mock' ? 'Mocked back end (in page)' : 'Reference cluster (real processes)') : 'starting…'}</span
      >
      <span class="agent">Alex Morgan · agent1 · ext 1001</span>
      <button
        class="ghost"
        @click=${toggleTheme}
        aria-label="Switch to ${dark ? 'light' : 'dark'} theme"
      >
        ${dark ? '☀ Light' : '☾ Dark'}
      </button>
    </div>
  </header>`;
}

function gadgetsCard() {
  const backend = state.backend!;
  const chat = state.chat;
  const call = state.call;
  const panel = el<GadgetLike>('chat-panel');
  const survey = el<GadgetLike>('survey');
  return html`<section class="card desktop" aria-labelledby="desktop-title">
    <div class="card-head">
      <h2 id="desktop-title">Agent side</h2>
      <span class="hint">the two gadgets, as an agent sees them</span>
    </div>
    <div class="gadget-frame">
      <div class="gadget-bar">
        <span class="gadget-title">Chat · ${chat ? chat.interactionId : '…'}</span>
        <span data-testid="chat-status">${statePill(panel?.connectionState, panel?.endpoint)}</span>
      </div>
      ${
        state.missing.includes('chat')
          ? html`<p class="missing">&lt;ag-chat-panel&gt; is not available in this build yet.</p>`
          : chat
            ? html`<ag-chat-panel
                id="chat-panel"
                interaction-id=${chat.interactionId}
                interactions-url=${backend.interactionsUrls.join(' ')}
                allowed-origins=${backend.chatOrigins.join(' ')}
                agent-id="agent1"
                agent-name="Alex Morgan"
                theme=${document.documentElement.dataset.theme ?? 'light'}
                .token=${'demo-agent-token'}
              ></ag-chat-panel>`
            : nothing
      }
    </div>
    <div class="gadget-frame">
      <div class="gadget-bar">
        <span class="gadget-title"
          >Post-call survey ·
          ${call ? html`${call.ani} → ${call.dialedNumber}${call.ended ? ' (ended)' : ''}` : 'no call'}</span
        >
        <span data-testid="survey-status"
          >${statePill(survey?.connectionState, survey?.endpoint)}</span
        >
      </div>
      ${
        state.missing.includes('survey')
          ? html`<p class="missing">
              &lt;ag-survey-transfer&gt; is not available in this build yet.
            </p>`
          : backend.finesse
            ? html`<ag-survey-transfer
                id="survey"
                host="finesse"
                theme=${document.documentElement.dataset.theme ?? 'light'}
                mode=${state.surveyMode}
                pcs-nodes=${backend.pcsNodes.join(' ')}
                .token=${'demo-agent-token'}
              ></ag-survey-transfer>`
            : call && !call.ended
              ? html`<ag-survey-transfer
                  id="survey"
                  host="standalone"
                  theme=${document.documentElement.dataset.theme ?? 'light'}
                  mode=${state.surveyMode}
                  pcs-nodes=${backend.pcsNodes.join(' ')}
                  dialog-id=${call.dialogId}
                  ani=${call.ani}
                  dialed-number=${call.dialedNumber}
                  .token=${'demo-agent-token'}
                ></ag-survey-transfer>`
              : html`<p class="missing">Start a call to load the survey gadget.</p>`
      }
    </div>
  </section>`;
}

function customerCard() {
  const chat = state.chat;
  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('text') as HTMLInputElement;
    void customerSay(input.value);
    input.value = '';
    if (chat) void state.backend!.customerTyping(chat.interactionId, false);
  };
  const onInput = (e: InputEvent) => {
    if (chat)
      void state.backend!.customerTyping(
        chat.interactionId,
        (e.target as HTMLInputElement).value !== '',
      );
  };
  return html`<section class="card customer" aria-labelledby="customer-title">
    <div class="card-head">
      <h2 id="customer-title">Customer side</h2>
      <label class="switch"
        ><input
          type="checkbox"
          .checked=${state.autoTalk}
          @change=${(e: Event) => (state.autoTalk = (e.target as HTMLInputElement).checked)}
        />
        Customer talks by itself</label
      >
    </div>
    <p class="hint">
      The server's transcript (its source of truth): what the customer's browser shows.
    </p>
    <ol class="customer-transcript" data-testid="server-transcript" aria-label="Server transcript">
      ${repeat(
        state.transcript,
        (m) => m.id,
        (m) =>
          html`<li data-role=${m.from.role}>
            <span class="who">${m.from.name || m.from.role}</span><span class="seq">#${m.seq}</span>
            <p>${m.text}</p>
          </li>`,
      )}
    </ol>
    <form class="composer" @submit=${onSubmit}>
      <label class="visually-hidden" for="customer-input">Message as the customer</label>
      <input
        id="customer-input"
        name="text"
        autocomplete="off"
        placeholder="Type as the customer…"
        @input=${onInput}
      />
      <button type="submit" class="primary">Send</button>
    </form>
  </section>`;
}

export function view() {
  if (state.bootError) {
    return html`${header()}
      <main class="boot"><p class="error-text">Could not start: ${state.bootError}</p></main>`;
  }
  if (!state.backend)
    return html`${header()}
      <main class="boot"><p>Starting the back end…</p></main>`;
  return html`${header()}
    <main class="grid">
      ${gadgetsCard()} ${customerCard()} ${clusterCard()} ${timelineCard()}
    </main>`;
}
