import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConnectionState } from '../core/state.js';
import type { Host } from '../hosts/host.js';
import type { SurveyChannel, SurveyMode, SurveyStatus } from '../protocol/wire.js';
import { HeightController } from './height-controller.js';
import type { TokenProvider } from './pcs-client.js';
import { SurveyController, type SurveyView } from './survey-controller.js';
import { surveyTransferStyles } from './survey-transfer.styles.js';
import { transferAllowed } from './survey-workflow.js';

const statusText: Readonly<Record<SurveyStatus, string>> = {
  requested: 'Survey requested',
  transferred: 'Caller transferred to the survey',
  armed: 'Survey armed: it plays when you hang up',
  offered: 'Survey offered to the caller',
  'in-progress': 'Survey in progress',
  completed: 'Survey completed',
  failed: 'The survey failed',
  cancelled: 'Survey cancelled',
};

const channelLabel: Readonly<Record<string, string>> = { ivr: 'IVR', sms: 'SMS' };

/**
 * Post-call survey gadget: for the agent's current call it finds the active survey on
 * whichever PCS node is primary, and either transfers the caller to the survey IVR
 * (`mode="transfer"`) or marks the call so the survey plays when the agent hangs up
 * (`mode="hangup"`). A pending request survives a PCS failover: it is resynced on the new
 * primary, or re-submitted there with the same idempotency key.
 *
 * Force a colour scheme with `theme="light"` or `theme="dark"`; by default the user's
 * `prefers-color-scheme` decides.
 *
 * @summary Post-call survey transfer for Cisco Finesse or any agent desktop.
 *
 * @csspart base - the wrapper
 * @csspart header - title and connection line
 * @csspart connection - the connection status line (PCS node, Finesse state)
 * @csspart survey-name - the active survey's name
 * @csspart form - the survey options form
 * @csspart channel - the channel choice (IVR / SMS)
 * @csspart sms-input - the caller's number for SMS surveys
 * @csspart hint - the format hint under the SMS number
 * @csspart language - the language select
 * @csspart action - the primary action button
 * @csspart reason - why the action is disabled
 * @csspart status - the survey status (a polite live region)
 * @csspart error - the latest error (an alert)
 *
 * @cssprop --ag-surface - background
 * @cssprop --ag-text - text colour
 * @cssprop --ag-text-muted - secondary text colour
 * @cssprop --ag-border - borders
 * @cssprop --ag-accent - primary button background and focus ring
 * @cssprop --ag-accent-text - primary button text
 * @cssprop --ag-success - connected / completed colour
 * @cssprop --ag-warning - connection problem colour
 * @cssprop --ag-danger - error colour
 * @cssprop --ag-radius - corner radius
 * @cssprop --ag-gap - spacing
 * @cssprop --ag-padding - inner padding
 * @cssprop --ag-font - font shorthand
 *
 * @fires ag-connection-change - the PCS stream's connection state changed
 * @fires ag-relocated - the gadget now follows another PCS node (failover)
 * @fires ag-error - something went wrong; `detail.code` is a stable code
 * @fires ag-survey-requested - PCS accepted the survey request
 * @fires ag-survey-transferred - the caller was transferred to the survey DN
 * @fires ag-survey-status - the survey request's status changed (score when completed)
 */
export class AgSurveyTransfer extends LitElement {
  static override styles = surveyTransferStyles;

  /** PCS base URLs, space-separated: a node list (status polling) or one virtual-IP URL */
  @property({ attribute: 'pcs-nodes' }) pcsNodes = '';
  /** `transfer`: set the call variables, then transfer to the survey DN; `hangup`: mark the call so the survey plays after hang-up */
  @property({ reflect: true }) mode: SurveyMode = 'transfer';
  /** `finesse` | `standalone`; default: finesse when finesse.js is loaded */
  @property({ attribute: 'host' }) hostKind: string | null = null;
  /** standalone host: the call, given directly */
  @property({ attribute: 'dialog-id' }) dialogId: string | null = null;
  @property() ani: string | null = null;
  @property({ attribute: 'dialed-number' }) dialedNumber: string | null = null;
  /** standalone host: the call, from the interaction's `voice.*` properties */
  @property({ attribute: 'interaction-id' }) interactionId: string | null = null;
  /** interaction server(s), space-separated: primary first */
  @property({ attribute: 'interactions-url' }) interactionsUrl: string | null = null;
  @property({ attribute: 'agent-id' }) agentId: string | null = null;
  /** transfer mode: consult the survey DN first, then complete the transfer (default: single-step) */
  @property({ attribute: 'consult-transfer', type: Boolean }) consultTransfer = false;
  /** force a colour scheme (`light` | `dark`); default: the user's `prefers-color-scheme` */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined = undefined;
  /** PCS status poll period in ms (default 1000) */
  @property({ attribute: 'poll-ms', type: Number }) pollMs: number | null = null;

  /** bearer token for PCS (and the interaction server); prefer `tokenProvider` */
  @property({ attribute: false }) token?: string;
  /** called on every connect and request, so an expired token is never reused */
  @property({ attribute: false }) tokenProvider?: TokenProvider;
  /** a custom {@link Host} (wins over `host`) */
  @property({ attribute: false }) hostAdapter?: Host;

  @state() private channel: SurveyChannel = 'ivr';
  @state() private language = '';
  @state() private smsNumber = '';
  @state() private smsEdited = false;

  private readonly survey = new SurveyController(this);
  private readonly provideToken: TokenProvider = () =>
    this.tokenProvider ? this.tokenProvider() : this.token;
  private smsForDialog?: string;

  constructor() {
    super();
    new HeightController(this, () => this.survey.host?.adjustHeight());
  }

  /** state of the PCS status stream */
  get connectionState(): ConnectionState {
    return this.survey.view.connection.state;
  }

  /** id of the active PCS node (null when none) */
  get endpoint(): string | null {
    return this.survey.view.endpoint?.id ?? null;
  }

  /** status of the current call's survey request */
  get surveyStatus(): SurveyStatus | null {
    return this.survey.surveyStatus ?? null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const configKeys = [
      'pcsNodes',
      'mode',
      'hostKind',
      'dialogId',
      'ani',
      'dialedNumber',
      'interactionId',
      'interactionsUrl',
      'agentId',
      'pollMs',
      'hostAdapter',
      'consultTransfer',
    ] as const;
    if (configKeys.some((k) => changed.has(k)) || !this.hasUpdated) {
      this.survey.configure({
        pcsNodes: split(this.pcsNodes),
        mode: this.mode === 'hangup' ? 'hangup' : 'transfer',
        hostKind: this.hostKind,
        dialogId: this.dialogId,
        ani: this.ani,
        dialedNumber: this.dialedNumber,
        interactionId: this.interactionId,
        interactionsUrls: split(this.interactionsUrl ?? ''),
        agentId: this.agentId,
        tokenProvider: this.provideToken,
        hostAdapter: this.hostAdapter ?? null,
        consultTransfer: this.consultTransfer,
        ...(this.pollMs ? { pollMs: this.pollMs } : {}),
      });
    }
    this.syncForm(this.survey.view);
  }

  /** Defaults that follow the call and the survey until the agent changes them. */
  private syncForm(view: SurveyView): void {
    const call = view.call;
    if (call && call.dialogId !== this.smsForDialog) {
      this.smsForDialog = call.dialogId;
      this.smsEdited = false;
    }
    if (call && !this.smsEdited && this.smsNumber !== call.ani) this.smsNumber = call.ani;
    const survey = view.survey;
    if (survey) {
      const channels = offeredChannels(survey.channels);
      if (channels.length && !channels.includes(this.channel)) this.channel = channels[0]!;
      if (!survey.languages.includes(this.language)) this.language = survey.languages[0] ?? 'en';
    }
  }

  protected override render() {
    const view = this.survey.view;
    const busy =
      view.phase === 'requesting' ||
      view.phase === 'updating-variables' ||
      view.phase === 'transferring';
    const reason = this.disabledReason(view);
    const channels = view.survey ? offeredChannels(view.survey.channels) : [];
    const smsInvalid = view.error?.code === 'invalid-sms-number';
    return html`
      <section part="base" aria-labelledby="title">
        <div part="header">
          <h2 id="title">Post-call survey</h2>
          ${this.renderConnection(view)}
        </div>
        ${view.survey ? html`<p part="survey-name">${view.survey.name}</p>` : nothing}
        <form
          part="form"
          aria-labelledby="title"
          aria-busy=${busy ? 'true' : 'false'}
          @submit=${this.onSubmit}
          novalidate
        >
          ${
            channels.length
              ? html`<fieldset part="channel">
                  <legend>Channel</legend>
                  ${channels.map(
                    (c) =>
                      html`<label
                        ><input
                          type="radio"
                          name="channel"
                          .value=${c}
                          .checked=${this.channel === c}
                          @change=${() => (this.channel = c)}
                        />${channelLabel[c]}</label
                      >`,
                  )}
                </fieldset>`
              : nothing
          }
          ${
            this.channel === 'sms' && channels.includes('sms')
              ? html`<div class="field">
                  <label for="sms">Caller's mobile number</label>
                  <input
                    id="sms"
                    part="sms-input"
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    aria-describedby="sms-hint"
                    aria-invalid=${smsInvalid ? 'true' : 'false'}
                    .value=${this.smsNumber}
                    @input=${this.onSmsInput}
                  />
                  <p id="sms-hint" part="hint">10 to 15 digits, optionally starting with +</p>
                </div>`
              : nothing
          }
          ${
            view.survey && view.survey.languages.length
              ? html`<div class="field">
                  <label for="language">Language</label>
                  <select id="language" part="language" @change=${this.onLanguage}>
                    ${view.survey.languages.map(
                      (l) =>
                        html`<option value=${l} ?selected=${l === this.language}>
                          ${languageName(l)}
                        </option>`,
                    )}
                  </select>
                </div>`
              : nothing
          }
          <button
            part="action"
            type="submit"
            ?disabled=${!!reason || busy}
            aria-describedby=${reason ? 'reason' : nothing}
          >
            ${this.mode === 'hangup' ? 'Play survey after hang-up' : 'Transfer to survey'}
          </button>
          ${reason ? html`<p id="reason" part="reason">${reason}</p>` : nothing}
        </form>
        <p
          part="status"
          role="status"
          aria-live="polite"
          data-status=${this.surveyStatus ?? view.phase}
        >
          ${this.statusLine(view)}
        </p>
        ${
          view.phase === 'failed' && view.error
            ? html`<p part="error" role="alert" data-code=${view.error.code}>
                ${view.error.message}
              </p>`
            : nothing
        }
      </section>
    `;
  }

  private renderConnection(view: SurveyView) {
    const problem =
      view.health === 'unreachable'
        ? 'PCS unreachable, retrying'
        : view.health === 'bad-response'
          ? 'PCS sent an invalid answer, retrying'
          : !view.hostConnected
            ? view.hostEverConnected
              ? 'Finesse reconnecting'
              : 'Connecting to Finesse'
            : null;
    const state = view.connection.state;
    const where = view.endpoint?.id ?? view.connection.endpoint;
    const text =
      problem ??
      (state === 'connected'
        ? `PCS connected${where ? ` (${where})` : ''}`
        : state === 'reconnecting'
          ? `PCS reconnecting${view.connection.reason === 'failover' ? ' (failover)' : ''}`
          : state === 'idle' || (state === 'failed' && view.connection.error?.code === 'bad-config')
            ? 'PCS not configured'
            : `PCS ${state}`);
    return html`<p part="connection" data-state=${state} ?data-problem=${!!problem}>${text}</p>`;
  }

  private disabledReason(view: SurveyView): string | null {
    if (!split(this.pcsNodes).length) return 'Set pcs-nodes to the PCS address';
    if (view.connection.state === 'failed' && view.connection.error?.code === 'bad-config')
      return view.connection.error.message;
    if (!view.hostConnected)
      return view.hostEverConnected ? 'Finesse is reconnecting' : 'Connecting to Finesse…';
    if (view.phase === 'done' && view.call && view.requestDialogId === view.call.dialogId)
      return 'The survey is set up for this call';
    if (!view.call && view.hostProblem) return view.hostProblem;
    if (!view.call) return 'No call';
    if (view.call.state !== 'ACTIVE') return 'The call is not active';
    if (this.mode !== 'hangup' && !transferAllowed(view.call, this.consultTransfer))
      return 'Finesse does not allow a transfer on this call right now';
    if (view.connection.state === 'failed')
      return `PCS: ${view.connection.error?.message ?? 'connection failed'}`;
    if (view.refusal) return `PCS: ${view.refusal}`;
    if (view.health === 'unreachable') return 'PCS unreachable';
    if (view.survey === undefined) return 'Looking up the survey…';
    if (view.survey === null) return `No survey for ${view.call.dialedNumber || 'this number'}`;
    if (!offeredChannels(view.survey.channels).length)
      return 'This survey has no IVR or SMS channel';
    return null;
  }

  private statusLine(view: SurveyView): string {
    const status = this.surveyStatus;
    if (view.phase === 'requesting') {
      return view.health === 'unreachable'
        ? 'PCS unreachable: the request is kept and retried'
        : view.health === 'bad-response'
          ? 'PCS answered badly: the request is kept and retried'
          : 'Requesting the survey…';
    }
    if (view.phase === 'updating-variables') return 'Setting the call variables…';
    if (view.phase === 'transferring') return 'Transferring the caller…';
    if (!status) return '';
    const score = view.request?.answer?.score;
    return status === 'completed' && score !== undefined
      ? `${statusText.completed}, score ${score}`
      : statusText[status];
  }

  private onSmsInput(e: Event): void {
    this.smsNumber = (e.target as HTMLInputElement).value;
    this.smsEdited = true;
  }

  private onLanguage(e: Event): void {
    this.language = (e.target as HTMLSelectElement).value;
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    void this.survey.requestSurvey({
      channel: this.channel,
      language: this.language || 'en',
      smsNumber: this.smsNumber,
    });
  }
}

function split(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

function offeredChannels(channels: readonly string[]): SurveyChannel[] {
  return (['ivr', 'sms'] as const).filter((c) => channels.includes(c));
}

function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}
