/**
 * The cluster card: the live view of every chat instance, interaction server and survey node,
 * each with the mock's (or the cluster's) verbs as buttons (kill, revive, freeze, drain),
 * and the scenario buttons between them (scenarios.ts).
 */
import { html, nothing } from 'lit';
import { chatVerb, interactionsVerb, pcsVerb } from './actions.js';
import { callScenarios, sessionScenarios, splitBrainScenarios } from './scenarios.js';
import { el, state, type GadgetLike } from './store.js';

function actionButton(
  label: string,
  action: string,
  target: string,
  onClick: () => void,
  kind = '',
  disabled = false,
) {
  return html`<button
    class=${kind}
    data-action=${action}
    data-target=${target}
    ?disabled=${disabled}
    @click=${onClick}
    aria-label="${label} ${target}"
  >
    ${label}
  </button>`;
}

export function clusterCard() {
  const activeChat = state.properties['chat.instanceId'];
  const chatState = state.properties['chat.state'];
  const surveyEndpoint = el<GadgetLike>('survey')?.endpoint;
  const panelEndpoint = el<GadgetLike>('chat-panel')?.endpoint;
  const maxSessions = Math.max(1, ...state.instances.map((i) => i.sessions));
  return html`<section class="card cluster" aria-labelledby="cluster-title">
    <div class="card-head">
      <h2 id="cluster-title">Cluster · live view and fault injection</h2>
      ${state.pollError ? html`<span class="error-text">${state.pollError}</span>` : nothing}
    </div>

    <h3>
      Chat server instances <span class="hint">N+1, sessions restored elsewhere when one dies</span>
    </h3>
    <div class="tiles">
      ${state.instances.map((i) => {
        const status = !i.alive ? 'dead' : i.frozen ? 'frozen' : i.draining ? 'draining' : 'up';
        return html`<div
          class="tile"
          data-instance=${i.id}
          data-status=${status}
          ?data-active=${i.id === activeChat}
        >
          <div class="tile-head">
            <strong>${i.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-tags">
            ${i.id === activeChat ? html`<span class="tag active-tag">session here${chatState === 'restoring' ? ' (restoring)' : ''}</span>` : nothing}
            ${i.id === panelEndpoint ? html`<span class="tag">panel connected</span>` : nothing}
          </div>
          <div class="meter" title="${i.sessions} sessions">
            <span style="width:${(i.sessions / maxSessions) * 100}%"></span>
          </div>
          <div class="tile-stats">${i.sessions} sessions · ${i.connections} sockets</div>
          <div class="tile-actions">
            ${
              i.alive
                ? actionButton(
                    'Kill',
                    'chat.kill',
                    i.id,
                    () => void chatVerb('kill', i.id),
                    'danger',
                  )
                : actionButton('Revive', 'chat.revive', i.id, () => void chatVerb('revive', i.id))
            }
            ${
              i.frozen
                ? actionButton(
                    'Unfreeze',
                    'chat.unfreeze',
                    i.id,
                    () => void chatVerb('unfreeze', i.id),
                  )
                : actionButton(
                    'Freeze',
                    'chat.freeze',
                    i.id,
                    () => void chatVerb('freeze', i.id),
                    '',
                    !i.alive,
                  )
            }
            ${actionButton('Drain', 'chat.drain', i.id, () => void chatVerb('drain', i.id), '', !i.alive || i.draining)}
          </div>
        </div>`;
      })}
    </div>
    ${sessionScenarios()}

    <h3>
      Interaction servers
      <span class="hint">primary and backup; the panel watches properties here</span>
    </h3>
    <div class="tiles">
      ${state.servers.map((v) => {
        const status = !v.alive ? 'dead' : v.frozen ? 'frozen' : 'up';
        return html`<div class="tile" data-server=${v.id} data-status=${status}>
          <div class="tile-head">
            <strong>${v.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-stats">${v.connections} watchers</div>
          <div class="tile-actions">
            ${
              v.alive
                ? actionButton(
                    'Kill',
                    'interactions.kill',
                    v.id,
                    () => void interactionsVerb('kill', v.id),
                    'danger',
                  )
                : actionButton(
                    'Revive',
                    'interactions.revive',
                    v.id,
                    () => void interactionsVerb('revive', v.id),
                  )
            }
            ${
              v.frozen
                ? actionButton(
                    'Unfreeze',
                    'interactions.unfreeze',
                    v.id,
                    () => void interactionsVerb('unfreeze', v.id),
                  )
                : actionButton(
                    'Freeze',
                    'interactions.freeze',
                    v.id,
                    () => void interactionsVerb('freeze', v.id),
                    '',
                    !v.alive,
                  )
            }
          </div>
        </div>`;
      })}
    </div>

    <h3>
      Post-call survey nodes <span class="hint">active/standby, lease ${'\u2192'} epoch</span>
    </h3>
    <div class="tiles">
      ${state.nodes.map((n) => {
        const status = !n.alive ? 'dead' : n.frozen ? 'frozen' : 'up';
        return html`<div class="tile" data-node=${n.id} data-role=${n.role} data-status=${status}>
          <div class="tile-head">
            <strong>${n.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-tags">
            <span class="tag role" data-role=${n.role}>${n.role}</span
            ><span class="tag">epoch ${n.epoch}</span>
            ${n.id === surveyEndpoint ? html`<span class="tag">gadget connected</span>` : nothing}
          </div>
          <div class="tile-actions">
            ${
              n.alive
                ? actionButton('Kill', 'pcs.kill', n.id, () => void pcsVerb('kill', n.id), 'danger')
                : actionButton('Revive', 'pcs.revive', n.id, () => void pcsVerb('revive', n.id))
            }
            ${
              n.frozen
                ? actionButton(
                    'Unfreeze',
                    'pcs.unfreeze',
                    n.id,
                    () => void pcsVerb('unfreeze', n.id),
                  )
                : actionButton(
                    'Freeze',
                    'pcs.freeze',
                    n.id,
                    () => void pcsVerb('freeze', n.id),
                    '',
                    !n.alive,
                  )
            }
          </div>
        </div>`;
      })}
    </div>
    ${splitBrainScenarios()}

    ${callScenarios()}
  </section>`;
}
