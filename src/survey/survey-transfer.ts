import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { ConnectionState } from '../core/state.js';
import type { Host } from '../hosts/host.js';
import type { AgErrorInfo, ErrorCode } from '../protocol/errors.js';
import type { SurveyChannel, SurveyMode, SurveyStatus } from '../protocol/wire.js';
import { finesseAgentLocale } from '../hosts/finesse-types.js';
import { enSurvey } from '../i18n/en-survey.js';
import { LocalizeController } from '../i18n/localize-controller.js';
import type { MessageKey } from '../i18n/registry.js';
import { HeightController } from './height-controller.js';
import type { TokenProvider } from './pcs-client.js';
import { SurveyController, type SurveyView } from './survey-controller.js';
import { surveyTransferStyles } from './survey-transfer.styles.js';
import { transferAllowed } from './survey-workflow.js';

const statusKey: Readonly<Record<SurveyStatus, MessageKey>> = {
  requested: 'survey.status.requested',
  transferred: 'survey.status.transferred',
  armed: 'survey.status.armed',
  offered: 'survey.status.offered',
  'in-progress': 'survey.status.inProgress',
  completed: 'survey.status.completed',
  failed: 'survey.status.failed',
  cancelled: 'survey.status.cancelled',
};

const connectionKey: Readonly<Record<'connecting' | 'closed' | 'failed', MessageKey>> = {
  connecting: 'survey.conn.pcsConnecting',
  closed: 'survey.conn.pcsClosed',
  failed: 'survey.conn.pcsFailed',
};

/** Failures whose message the survey session writes itself (no host or server text in it). */
const errorKey: Readonly<Partial<Record<ErrorCode, MessageKey>>> = {
  'no-call': 'survey.error.noCall',
  'call-not-active': 'survey.error.callNotActive',
  'host-disconnected': 'survey.error.finesseReconnecting',
  'invalid-sms-number': 'survey.error.invalidSmsNumber',
  'call-dropped': 'survey.error.callDropped',
};

/**
 * What went wrong with PCS, in the gadget's language: every code that ends the PCS connection in
 * `failed` (bad configuration has a reason of its own) or refuses a survey lookup. The error's
 * own words (the SDK's or PCS's) are the reason's `title`.
 */
const pcsProblemKey: Readonly<Partial<Record<ErrorCode, MessageKey>>> = {
  unauthorized: 'survey.reason.signInRefused',
  'retries-exhausted': 'survey.reason.pcsConnectionFailed',
  'pcs-bad-response': 'survey.reason.requestRefused',
};

const channelKey: Readonly<Partial<Record<SurveyChannel, MessageKey>>> = {
  ivr: 'survey.channel.ivr',
  sms: 'survey.channel.sms',
};

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
 * Its strings follow the nearest `lang` (on it or an ancestor), else inside Finesse the agent's
 * locale, else `<html lang>`, else English; German, Spanish and French load on demand, others
 * can be registered (`agent-gadgets/i18n`). It reflects its writing direction as `dir`.
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
 * @csspart reason - why the action is disabled (a failure's own words in `title`)
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

  readonly #survey = new SurveyController(this);
  /** strings in the resolved language; the host's locale (Finesse: the agent's) is the default */
  readonly #l10n = new LocalizeController(
    this,
    () => this.#survey.host?.locale ?? finesseAgentLocale(),
    enSurvey,
  );
  readonly #provideToken: TokenProvider = () =>
    this.tokenProvider ? this.tokenProvider() : this.token;
  #smsForDialog?: string;

  constructor() {
    super();
    new HeightController(this, () => this.#survey.host?.adjustHeight());
  }

  /** state of the PCS status stream */
  get connectionState(): ConnectionState {
    return this.#survey.view.connection.state;
  }

  /** id of the active PCS node (null when none) */
  get endpoint(): string | null {
    return this.#survey.view.endpoint?.id ?? null;
  }

  /** status of the current call's survey request */
  get surveyStatus(): SurveyStatus | null {
    return this.#survey.surveyStatus ?? null;
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
      this.#survey.configure({
        pcsNodes: split(this.pcsNodes),
        mode: this.mode === 'hangup' ? 'hangup' : 'transfer',
        hostKind: this.hostKind,
        dialogId: this.dialogId,
        ani: this.ani,
        dialedNumber: this.dialedNumber,
        interactionId: this.interactionId,
        interactionsUrls: split(this.interactionsUrl ?? ''),
        agentId: this.agentId,
        tokenProvider: this.#provideToken,
        hostAdapter: this.hostAdapter ?? null,
        consultTransfer: this.consultTransfer,
        ...(this.pollMs ? { pollMs: this.pollMs } : {}),
      });
    }
    this.#syncForm(this.#survey.view);
  }

  /** Defaults that follow the call and the survey until the agent changes them. */
  #syncForm(view: SurveyView): void {
    const call = view.call;
    if (call && call.dialogId !== this.#smsForDialog) {
      this.#smsForDialog = call.dialogId;
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
    const view = this.#survey.view;
    const busy =
      view.phase === 'requesting' ||
      view.phase === 'updating-variables' ||
      view.phase === 'transferring';
    const [reason, reasonDetail] = this.#disabledReason(view) ?? [];
    const channels = view.survey ? offeredChannels(view.survey.channels) : [];
    const smsInvalid = view.error?.code === 'invalid-sms-number';
    const l = this.#l10n;
    return html`
      <section part="base" aria-labelledby="title">
        <div part="header">
          <h2 id="title">${l.term('survey.title')}</h2>
          ${this.#renderConnection(view)}
        </div>
        ${view.survey ? html`<p part="survey-name">${view.survey.name}</p>` : nothing}
        <form
          part="form"
          aria-labelledby="title"
          aria-busy=${busy ? 'true' : 'false'}
          @submit=${this.#onSubmit}
          novalidate
        >
          ${
            channels.length
              ? html`<fieldset part="channel">
                  <legend>${l.term('survey.channel')}</legend>
                  ${channels.map(
                    (c) =>
                      html`<label
                        ><input
                          type="radio"
                          name="channel"
                          .value=${c}
                          .checked=${this.channel === c}
                          @change=${() => (this.channel = c)}
                        />${channelKey[c] ? l.term(channelKey[c]) : c}</label
                      >`,
                  )}
                </fieldset>`
              : nothing
          }
          ${
            this.channel === 'sms' && channels.includes('sms')
              ? html`<div class="field">
                  <label for="sms">${l.term('survey.smsLabel')}</label>
                  <input
                    id="sms"
                    part="sms-input"
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    aria-describedby="sms-hint"
                    aria-invalid=${smsInvalid ? 'true' : 'false'}
                    .value=${this.smsNumber}
                    @input=${this.#onSmsInput}
                  />
                  <p id="sms-hint" part="hint">${l.term('survey.smsHint')}</p>
                </div>`
              : nothing
          }
          ${
            view.survey && view.survey.languages.length
              ? html`<div class="field">
                  <label for="language">${l.term('survey.language')}</label>
                  <select id="language" part="language" @change=${this.#onLanguage}>
                    ${view.survey.languages.map(
                      (code) =>
                        html`<option value=${code} ?selected=${code === this.language}>
                          ${languageName(code, this.#l10n.lang())}
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
            ${l.term(this.mode === 'hangup' ? 'survey.action.hangup' : 'survey.action.transfer')}
          </button>
          ${
            reason
              ? html`<p id="reason" part="reason" title=${ifDefined(reasonDetail)}>${reason}</p>`
              : nothing
          }
        </form>
        <p
          part="status"
          role="status"
          aria-live="polite"
          data-status=${this.surveyStatus ?? view.phase}
        >
          ${this.#statusLine(view)}
        </p>
        ${
          view.phase === 'failed' && view.error
            ? html`<p part="error" role="alert" data-code=${view.error.code}>
                ${this.#errorText(view.error)}
              </p>`
            : nothing
        }
      </section>
    `;
  }

  #renderConnection(view: SurveyView) {
    const l = this.#l10n;
    const problem: MessageKey | null =
      view.health === 'unreachable'
        ? 'survey.conn.pcsUnreachableRetrying'
        : view.health === 'bad-response'
          ? 'survey.conn.pcsInvalidRetrying'
          : !view.hostConnected
            ? view.hostEverConnected
              ? 'survey.conn.finesseReconnecting'
              : 'survey.conn.connectingFinesse'
            : null;
    const state = view.connection.state;
    const where = view.endpoint?.id ?? view.connection.endpoint;
    const text = problem
      ? l.term(problem)
      : state === 'connected'
        ? where
          ? l.term('survey.conn.pcsConnectedAt', { where })
          : l.term('survey.conn.pcsConnected')
        : state === 'reconnecting'
          ? l.term(
              view.connection.reason === 'failover'
                ? 'survey.conn.pcsReconnectingFailover'
                : 'survey.conn.pcsReconnecting',
            )
          : state === 'idle' || (state === 'failed' && view.connection.error?.code === 'bad-config')
            ? l.term('survey.conn.pcsNotConfigured')
            : l.term(connectionKey[state]);
    return html`<p part="connection" data-state=${state} ?data-problem=${!!problem}>${text}</p>`;
  }

  /** Why the action is disabled, or null, from the catalogue; for a failure, its own words (the
   *  SDK's, Finesse's or PCS's, English) come second. */
  #disabledReason(view: SurveyView): readonly [reason: string, detail?: string] | null {
    const l = this.#l10n;
    const failure = view.connection.state === 'failed' ? view.connection.error : undefined;
    if (!split(this.pcsNodes).length) return [l.term('survey.reason.setPcsNodes')];
    if (failure?.code === 'bad-config') return [l.term('survey.reason.badConfig'), failure.message];
    if (!view.hostConnected)
      return [
        l.term(
          view.hostEverConnected
            ? 'survey.reason.finesseReconnecting'
            : 'survey.reason.connectingFinesse',
        ),
      ];
    if (view.phase === 'done' && view.call && view.requestDialogId === view.call.dialogId)
      return [l.term('survey.reason.alreadySetUp')];
    if (!view.call && view.hostProblem)
      return [l.term('survey.reason.callsUnreadable'), view.hostProblem];
    if (!view.call) return [l.term('survey.reason.noCall')];
    if (view.call.state !== 'ACTIVE') return [l.term('survey.reason.callNotActive')];
    if (this.mode !== 'hangup' && !transferAllowed(view.call, this.consultTransfer))
      return [l.term('survey.reason.transferNotAllowed')];
    const problem =
      failure ?? (view.refusal ? { code: view.refusalCode, message: view.refusal } : undefined);
    if (problem) {
      const key = problem.code && pcsProblemKey[problem.code];
      return [
        l.term('survey.reason.pcsError', { message: key ? l.term(key) : problem.message }),
        problem.message,
      ];
    }
    if (view.health === 'unreachable') return [l.term('survey.reason.pcsUnreachable')];
    if (view.survey === undefined) return [l.term('survey.reason.lookingUp')];
    if (view.survey === null)
      return [
        view.call.dialedNumber
          ? l.term('survey.reason.noSurveyFor', { number: view.call.dialedNumber })
          : l.term('survey.reason.noSurveyForThisNumber'),
      ];
    if (!offeredChannels(view.survey.channels).length) return [l.term('survey.reason.noChannel')];
    return null;
  }

  #statusLine(view: SurveyView): string {
    const l = this.#l10n;
    const status = this.surveyStatus;
    if (view.phase === 'requesting') {
      return l.term(
        view.health === 'unreachable'
          ? 'survey.progress.pcsUnreachableKept'
          : view.health === 'bad-response'
            ? 'survey.progress.pcsBadAnswerKept'
            : 'survey.progress.requesting',
      );
    }
    if (view.phase === 'updating-variables') return l.term('survey.progress.settingVariables');
    if (view.phase === 'transferring') return l.term('survey.progress.transferring');
    if (!status) return '';
    const score = view.request?.answer?.score;
    return status === 'completed' && score !== undefined
      ? l.term('survey.status.completedScore', { score })
      : l.term(statusKey[status]);
  }

  /** The SDK's own failures in the gadget's language; a host's or server's words as they came. */
  #errorText(error: AgErrorInfo): string {
    const key = errorKey[error.code];
    return key ? this.#l10n.term(key) : error.message;
  }

  #onSmsInput(e: Event): void {
    this.smsNumber = (e.target as HTMLInputElement).value;
    this.smsEdited = true;
  }

  #onLanguage(e: Event): void {
    this.language = (e.target as HTMLSelectElement).value;
  }

  #onSubmit(e: Event): void {
    e.preventDefault();
    void this.#survey.requestSurvey({
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

/** A survey language by name in the gadget's language: `German (de)`, in German `Deutsch (de)`. */
function languageName(code: string, lang: string): string {
  try {
    const name = new Intl.DisplayNames([lang.replace(/_/g, '-'), 'en'], { type: 'language' }).of(
      code,
    );
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}
