/**
 * SurveyController: every side effect of `<ag-survey-transfer>` (the host, the PCS client,
 * subscriptions, the request workflow). The element renders `controller.view` and forwards
 * user input; removing the element disposes everything here.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Subscription } from 'rxjs';
import type { ConnectionStatus, Endpoint } from '../core/state.js';
import {
  AgConnectionChangeEvent,
  AgErrorEvent,
  AgRelocatedEvent,
  AgSurveyRequestedEvent,
  AgSurveyStatusEvent,
  AgSurveyTransferredEvent,
} from '../events.js';
import { FinesseHost } from '../hosts/finesse-host.js';
import { detectHostKind } from '../hosts/index.js';
import type { CallInfo, Host } from '../hosts/host.js';
import { StandaloneHost } from '../hosts/standalone-host.js';
import { AgError, ErrorCodes, type AgErrorInfo, type ErrorCode } from '../protocol/errors.js';
import type {
  Survey,
  SurveyChannel,
  SurveyMode,
  SurveyRequestBody,
  SurveyStatus,
} from '../protocol/wire.js';
import {
  PcsClient,
  idempotencyKey,
  statusRank,
  type PcsHealth,
  type TokenProvider,
  type TrackedRequest,
} from './pcs-client.js';

export interface SurveyConfig {
  readonly pcsNodes: readonly string[];
  readonly mode: SurveyMode;
  readonly hostKind?: string | null;
  readonly dialogId?: string | null;
  readonly ani?: string | null;
  readonly dialedNumber?: string | null;
  readonly interactionId?: string | null;
  readonly interactionsUrls: readonly string[];
  readonly agentId?: string | null;
  readonly tokenProvider: TokenProvider;
  /** an injected host (tests, custom desktops); wins over `hostKind` */
  readonly hostAdapter?: Host | null;
  readonly pollMs?: number;
  /** consult, then transfer (default: single-step transfer) */
  readonly consultTransfer?: boolean;
}

/** Where the agent's action is. */
export type Phase =
  'idle' | 'requesting' | 'updating-variables' | 'transferring' | 'done' | 'failed';

export interface SurveyView {
  readonly call: CallInfo | null;
  readonly hostKind?: 'finesse' | 'standalone';
  readonly hostConnected: boolean;
  /** false until the host connected once (start-up is "connecting", not a failover) */
  readonly hostEverConnected?: boolean;
  /** undefined: not known yet (looking up or no call) */
  readonly survey: Survey | null | undefined;
  readonly connection: ConnectionStatus;
  readonly endpoint: Endpoint | null;
  readonly health: PcsHealth;
  readonly phase: Phase;
  readonly request?: TrackedRequest;
  readonly requestDialogId?: string;
  /** what the gadget itself did (transferred / armed) before PCS confirmed it */
  readonly localStatus?: SurveyStatus;
  readonly error?: AgErrorInfo;
  /** why the host cannot give us calls (e.g. Finesse could not load the agent) */
  readonly hostProblem?: string;
  /** why PCS refused to answer for good (credentials, bad request); cleared on the next lookup */
  readonly refusal?: string;
}

/** 10-15 digits, optional leading +; spaces, dashes, dots and parentheses are ignored. */
export function normaliseSmsNumber(input: string): string | null {
  const compact = input.replace(/[\s\-().]/g, '');
  return /^\+?[0-9]{10,15}$/.test(compact) ? compact : null;
}

/** The ECC variable Cisco CVP's survey routing reads when the agent hangs up. */
export const POST_CALL_SURVEY_VARIABLE = 'user.microapp.isPostCallSurvey';

export class SurveyController implements ReactiveController {
  view: SurveyView = {
    call: null,
    hostConnected: true,
    survey: undefined,
    connection: { state: 'idle' },
    endpoint: null,
    health: 'ok',
    phase: 'idle',
  };

  private config?: SurveyConfig;
  private hostImpl?: Host;
  private ownsHost = false;
  private pcs?: PcsClient;
  private hostSubs = new Subscription();
  private pcsSubs = new Subscription();
  private requestSub = new Subscription();
  private connected = false;
  private lookupFor?: string;
  private lookupGeneration = 0;
  private runGeneration = 0;
  private lostAt?: number;
  private lastStatusKey?: string;
  /** requests whose call ended before PCS answered: cancelled as soon as the answer arrives */
  private readonly cancelOnAnswer = new Set<string>();

  constructor(private readonly element: ReactiveControllerHost & HTMLElement) {
    element.addController(this);
  }

  /** The current host (for adjustHeight). */
  get host(): Host | undefined {
    return this.hostImpl;
  }

  /** The status shown to the agent: PCS's, or what we did ourselves if PCS has not caught up. */
  get surveyStatus(): SurveyStatus | undefined {
    const remote = this.view.request?.answer?.status;
    const local = this.view.localStatus;
    if (!remote) return local;
    return local && statusRank[local] > statusRank[remote] ? local : remote;
  }

  hostConnected(): void {
    this.connected = true;
    if (this.config) this.apply(this.config, undefined);
  }

  hostDisconnected(): void {
    this.connected = false;
    this.teardownPcs();
    this.teardownHost();
    this.view = { ...this.view, connection: { state: 'idle' }, endpoint: null };
  }

  /** Called by the element whenever its configuration may have changed. */
  configure(next: SurveyConfig): void {
    const prev = this.config;
    this.config = next;
    if (this.connected) this.apply(next, prev);
  }

  /** The agent pressed the action button. */
  async requestSurvey(form: {
    channel: SurveyChannel;
    language: string;
    smsNumber: string;
  }): Promise<void> {
    const config = this.config;
    const host = this.hostImpl;
    const pcs = this.pcs;
    const { call, survey } = this.view;
    if (!config || !host || !pcs)
      return this.fail(ErrorCodes.BadConfig, 'The gadget is not configured (pcs-nodes)');
    if (!call) return this.fail(ErrorCodes.NoCall, 'There is no call to survey');
    if (call.state !== 'ACTIVE')
      return this.fail(ErrorCodes.CallNotActive, 'The call is not active');
    if (!survey)
      return this.fail(
        ErrorCodes.NoSurvey,
        `No survey is active for ${call.dialedNumber || 'this number'}`,
      );
    let smsNumber: string | undefined;
    if (form.channel === 'sms') {
      smsNumber = normaliseSmsNumber(form.smsNumber) ?? undefined;
      if (!smsNumber)
        return this.fail(
          ErrorCodes.InvalidSmsNumber,
          "Enter the caller's mobile number for the SMS survey: 10 to 15 digits",
        );
    }
    const agentId = config.agentId || host.agentId || 'agent';
    const key = idempotencyKey(call.dialogId, survey.id);
    const body: SurveyRequestBody = {
      idempotencyKey: key,
      dialogId: call.dialogId,
      ani: call.ani || 'unknown',
      dialedNumber: call.dialedNumber,
      agentId,
      surveyId: survey.id,
      channel: form.channel,
      language: form.language,
      mode: config.mode,
      ...(smsNumber ? { smsNumber } : {}),
    };
    const generation = ++this.runGeneration;
    const dialogId = call.dialogId;
    const keepLocal = this.view.requestDialogId === dialogId ? this.view.localStatus : undefined;
    this.set({
      phase: 'requesting',
      requestDialogId: dialogId,
      localStatus: keepLocal,
      error: undefined,
    });
    this.followRequest(pcs, key);

    const stillOurs = () =>
      generation === this.runGeneration && this.pcs === pcs && this.hostImpl === host;
    let stage: 'pcs' | 'host' = 'pcs';
    try {
      const answer = await pcs.submit(body);
      stage = 'host';
      if (!stillOurs()) {
        // the call ended while PCS was still answering: the request must not stay armed
        if (this.cancelOnAnswer.delete(key))
          void pcs.reportEvent(key, 'cancelled').catch(() => undefined);
        return;
      }
      this.element.dispatchEvent(
        new AgSurveyRequestedEvent({
          requestId: answer.requestId,
          surveyId: survey.id,
          dialogId,
          mode: config.mode,
        }),
      );
      if (this.callGone(dialogId)) return this.dropped(pcs, key);

      const vars: Record<string, string> = { ...answer.transfer.callVariables };
      if (config.mode === 'hangup' && vars[POST_CALL_SURVEY_VARIABLE] === undefined)
        vars[POST_CALL_SURVEY_VARIABLE] = 'y';
      // Variables first, in both modes: context set after the caller left the agent may not reach the survey.
      this.set({ phase: 'updating-variables' });
      await host.updateCallVariables(dialogId, vars);
      if (!stillOurs()) return;
      if (this.callGone(dialogId)) return this.dropped(pcs, key);

      if (config.mode === 'transfer') {
        this.set({ phase: 'transferring' });
        await host.transfer(dialogId, answer.transfer.dn, { consult: !!config.consultTransfer });
        if (!stillOurs()) return;
        this.set({ phase: 'done', localStatus: 'transferred' });
        this.element.dispatchEvent(
          new AgSurveyTransferredEvent({
            requestId: answer.requestId,
            dialogId,
            dn: answer.transfer.dn,
          }),
        );
        this.emitStatus();
        void pcs
          .reportEvent(key, 'transferred')
          .catch(() => undefined /* reported on pcs.errors$ */);
      } else {
        this.set({ phase: 'done', localStatus: 'armed' });
        this.emitStatus();
        void pcs.reportEvent(key, 'armed').catch(() => undefined);
      }
    } catch (e) {
      if (!stillOurs()) return;
      const err = e instanceof AgError ? e : new AgError(ErrorCodes.TransferRejected, String(e));
      // PCS failures were already reported on the client's errors$; host refusals are news
      this.fail(err.code, err.message, stage === 'host');
    }
  }

  // ---------------------------------------------------------------------------------------------

  private apply(next: SurveyConfig, prev: SurveyConfig | undefined): void {
    const hostChanged =
      !prev ||
      !this.hostImpl ||
      prev.hostAdapter !== next.hostAdapter ||
      prev.hostKind !== next.hostKind ||
      prev.interactionId !== next.interactionId ||
      prev.interactionsUrls.join(' ') !== next.interactionsUrls.join(' ');
    if (hostChanged) this.startHost(next);
    else if (this.hostImpl instanceof StandaloneHost && this.ownsHost && !next.interactionId) {
      this.hostImpl.setCall(staticCall(next));
    }
    const pcsChanged =
      !prev ||
      !this.pcs ||
      prev.pcsNodes.join(' ') !== next.pcsNodes.join(' ') ||
      prev.agentId !== next.agentId;
    if (pcsChanged) this.startPcs(next);
  }

  private startHost(config: SurveyConfig): void {
    this.teardownHost();
    let host: Host;
    try {
      if (config.hostAdapter) {
        host = config.hostAdapter;
        this.ownsHost = false;
      } else if (detectHostKind(config.hostKind) === 'finesse') {
        host = new FinesseHost();
        this.ownsHost = true;
      } else if (config.interactionId && config.interactionsUrls.length) {
        host = new StandaloneHost({
          interactionId: config.interactionId,
          interactionsUrls: config.interactionsUrls,
          auth: async () => {
            const token = (await config.tokenProvider()) ?? undefined;
            return {
              ...(token ? { token } : {}),
              ...(config.agentId ? { agentId: config.agentId } : {}),
            };
          },
        });
        this.ownsHost = true;
      } else {
        host = new StandaloneHost({ call: staticCall(config) });
        this.ownsHost = true;
      }
    } catch (e) {
      this.fail(ErrorCodes.BadConfig, e instanceof Error ? e.message : String(e));
      return;
    }
    this.hostImpl = host;
    this.set({ hostKind: host.kind, hostEverConnected: false, hostProblem: undefined });
    // start first, so the first connection value we see is the host's real one, not a default
    try {
      host.start();
    } catch (e) {
      this.fail(ErrorCodes.BadConfig, e instanceof Error ? e.message : String(e));
    }
    this.hostSubs.add(host.call$.subscribe((call) => this.onCall(call)));
    if (host.errors$) {
      this.hostSubs.add(
        host.errors$.subscribe((e) => {
          this.set({ hostProblem: e.message });
          this.emitError(e.code, e.message);
        }),
      );
    }
    this.hostSubs.add(
      host.connection$.subscribe((connected) => {
        const was = this.view.hostConnected && this.view.hostEverConnected;
        this.set({ hostConnected: connected, ...(connected ? { hostEverConnected: true } : {}) });
        if (was && !connected)
          this.emitError(ErrorCodes.HostDisconnected, 'Finesse is reconnecting (failover)');
      }),
    );
  }

  private teardownHost(): void {
    this.hostSubs.unsubscribe();
    this.hostSubs = new Subscription();
    if (this.ownsHost) this.hostImpl?.dispose();
    this.hostImpl = undefined;
  }

  private startPcs(config: SurveyConfig): void {
    this.teardownPcs();
    if (!config.pcsNodes.length) {
      this.set({ connection: { state: 'idle' }, endpoint: null });
      return;
    }
    let pcs: PcsClient;
    try {
      pcs = new PcsClient({
        nodes: config.pcsNodes,
        tokenProvider: config.tokenProvider,
        ...(config.agentId ? { agentId: config.agentId } : {}),
        ...(config.pollMs ? { pollMs: config.pollMs } : {}),
      });
    } catch (e) {
      this.fail(ErrorCodes.BadConfig, e instanceof Error ? e.message : String(e));
      return;
    }
    this.pcs = pcs;
    this.lookupFor = undefined;
    this.set({ survey: undefined, health: 'ok' });
    this.pcsSubs.add(pcs.status$.subscribe((status) => this.onConnectionStatus(status)));
    this.pcsSubs.add(pcs.endpoint$.subscribe((endpoint) => this.set({ endpoint })));
    this.pcsSubs.add(pcs.health$.subscribe((health) => this.set({ health })));
    this.pcsSubs.add(pcs.errors$.subscribe((e) => this.emitError(e.code, e.message)));
    pcs.start();
    this.lookup();
  }

  private teardownPcs(): void {
    this.pcsSubs.unsubscribe();
    this.pcsSubs = new Subscription();
    this.requestSub.unsubscribe();
    this.requestSub = new Subscription();
    this.pcs?.dispose();
    this.pcs = undefined;
    this.runGeneration++;
  }

  private onCall(call: CallInfo | null): void {
    const prev = this.view;
    const patch: Partial<SurveyView> = { call };
    // A new call replaces the previous one's survey view, unless an action is still running.
    const busy =
      prev.phase === 'requesting' ||
      prev.phase === 'updating-variables' ||
      prev.phase === 'transferring';
    if (call && prev.requestDialogId && call.dialogId !== prev.requestDialogId && !busy) {
      this.requestSub.unsubscribe();
      this.requestSub = new Subscription();
      // the previous call's survey may still be playing: PCS client keeps it until it is over
      if (prev.request) this.pcs?.release(prev.request.key);
      Object.assign(patch, {
        phase: 'idle',
        request: undefined,
        requestDialogId: undefined,
        localStatus: undefined,
        error: undefined,
      });
    }
    this.set(patch);
    // The caller hung up (or Finesse dropped the call) while we were still setting it up.
    // During 'transferring' the agent's leg dropping is the transfer itself, not a failure.
    const settingUp = prev.phase === 'requesting' || prev.phase === 'updating-variables';
    if (settingUp && prev.requestDialogId && this.callGone(prev.requestDialogId)) {
      this.runGeneration++;
      if (prev.request && this.pcs) this.dropped(this.pcs, prev.request.key);
      else this.fail(ErrorCodes.CallDropped, 'The call ended before the survey was set up');
    }
    this.lookup();
  }

  /** Looks the survey up for the current call's dialed number (once per number). */
  private lookup(): void {
    const pcs = this.pcs;
    const dn = this.view.call?.dialedNumber;
    if (!pcs || !dn) return;
    if (this.lookupFor === dn) return;
    this.lookupFor = dn;
    const generation = ++this.lookupGeneration;
    this.set({ survey: undefined, refusal: undefined });
    pcs.lookupSurvey(dn).then(
      (survey) => {
        if (generation === this.lookupGeneration && this.pcs === pcs) this.set({ survey });
      },
      (e: unknown) => {
        // permanent refusal (already reported): show why, try again on the next call change
        if (generation !== this.lookupGeneration) return;
        this.lookupFor = undefined;
        const message = e instanceof Error ? e.message : String(e);
        this.set({ refusal: message });
      },
    );
  }

  private followRequest(pcs: PcsClient, key: string): void {
    this.requestSub.unsubscribe();
    let requestId: string | undefined;
    this.requestSub = pcs.request$(key).subscribe((request) => {
      const previous = requestId;
      requestId = request?.answer?.requestId ?? requestId;
      this.set({ request });
      this.emitStatus();
      if (previous && request?.answer && requestId !== previous)
        this.remark(request.answer.transfer.callVariables);
    });
  }

  /**
   * A PCS failover without a shared store re-created the request under a new id. An armed call
   * still names the old one, which only the dead node knew: name the new one while the agent
   * is still on the call, or the survey would be lost at hang-up.
   */
  private remark(callVariables: Readonly<Record<string, string>>): void {
    const { call, requestDialogId, localStatus } = this.view;
    const host = this.hostImpl;
    if (this.config?.mode !== 'hangup' || localStatus !== 'armed' || !host || !call) return;
    if (call.dialogId !== requestDialogId || call.state !== 'ACTIVE') return;
    const vars: Record<string, string> = { ...callVariables };
    if (vars[POST_CALL_SURVEY_VARIABLE] === undefined) vars[POST_CALL_SURVEY_VARIABLE] = 'y';
    host.updateCallVariables(call.dialogId, vars).catch((e: unknown) => {
      const err =
        e instanceof AgError ? e : new AgError(ErrorCodes.CallVariablesRejected, String(e));
      this.emitError(err.code, err.message);
    });
  }

  private emitStatus(): void {
    const request = this.view.request;
    const status = this.surveyStatus;
    const requestId = request?.answer?.requestId;
    if (!requestId || !status) return;
    const score = request?.answer?.score;
    const statusKey = `${requestId}|${status}|${score ?? ''}`;
    if (statusKey === this.lastStatusKey) return;
    this.lastStatusKey = statusKey;
    this.element.dispatchEvent(
      new AgSurveyStatusEvent({ requestId, status, ...(score !== undefined ? { score } : {}) }),
    );
  }

  private onConnectionStatus(status: ConnectionStatus): void {
    const prev = this.view.connection;
    this.set({ connection: status });
    const now = Date.now();
    if (prev.state === 'connected' && status.state !== 'connected') this.lostAt = now;
    this.element.dispatchEvent(new AgConnectionChangeEvent({ ...status }));
    if (
      status.state === 'connected' &&
      status.previousEndpoint &&
      status.previousEndpoint !== status.endpoint &&
      status.endpoint
    ) {
      this.element.dispatchEvent(
        new AgRelocatedEvent({
          from: status.previousEndpoint,
          to: status.endpoint,
          gapMs: Math.max(0, now - (this.lostAt ?? now)),
        }),
      );
    }
    if (status.state === 'connected') this.lostAt = undefined;
    if (status.state === 'failed' && status.error)
      this.emitError(status.error.code, status.error.message);
  }

  private callGone(dialogId: string): boolean {
    const call = this.view.call;
    return (
      !call || call.dialogId !== dialogId || call.state === 'DROPPED' || call.state === 'FAILED'
    );
  }

  private dropped(pcs: PcsClient, key: string): void {
    this.fail(ErrorCodes.CallDropped, 'The call ended before the survey was set up');
    if (pcs.requests.get(key)?.answer)
      void pcs.reportEvent(key, 'cancelled').catch(() => undefined);
    else this.cancelOnAnswer.add(key);
  }

  private fail(code: ErrorCode, message: string, emit = true): void {
    this.set({ phase: 'failed', error: { code, message } });
    if (emit) this.emitError(code, message);
  }

  private emitError(code: ErrorCode, message: string): void {
    this.element.dispatchEvent(new AgErrorEvent(code, message));
  }

  private set(patch: Partial<SurveyView>): void {
    const next = { ...this.view, ...patch };
    for (const k of Object.keys(patch) as (keyof SurveyView)[]) {
      if (patch[k] === undefined) delete (next as Record<string, unknown>)[k];
    }
    this.view = next;
    this.element.requestUpdate();
  }
}

function staticCall(config: SurveyConfig) {
  return config.dialogId
    ? {
        dialogId: config.dialogId,
        ...(config.ani ? { ani: config.ani } : {}),
        ...(config.dialedNumber ? { dialedNumber: config.dialedNumber } : {}),
      }
    : null;
}
