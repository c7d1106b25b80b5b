/**
 * SurveySession: the post-call survey workflow for the agent's current call, without any DOM.
 *
 * The host (Finesse or a plain page) says which call the agent is on; PCS (a PcsClient) says
 * which survey the call's dialed number has and follows the request across PCS failovers. The
 * session looks the survey up, creates the request (idempotent on its key), sets the call
 * variables, then transfers (mode `transfer`) or leaves the call marked (mode `hangup`), and
 * reports to PCS only what the host confirmed. It re-arms an armed call when a PCS failover
 * re-created the request, and counts relocations on the injected scheduler.
 *
 * Everything is an Observable; the session never calls back into its owner. `dispose()` ends
 * every stream and disposes the PCS client (the host belongs to whoever built it).
 */
import {
  BehaviorSubject,
  Subject,
  Subscription,
  asyncScheduler,
  filter,
  firstValueFrom,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { relocations, type RelocationInfo } from '../core/relocations.js';
import type { ConnectionStatus, Endpoint } from '../core/state.js';
import type { SurveyRequestedDetail, SurveyStatusDetail } from '../events.js';
import type { CallInfo, Host } from '../hosts/host.js';
import { AgError, type AgErrorInfo, type ErrorCode } from '../protocol/errors.js';
import type {
  Survey,
  SurveyChannel,
  SurveyMode,
  SurveyRequestBody,
  SurveyStatus,
} from '../protocol/wire.js';
import {
  idempotencyKey,
  statusRank,
  type PcsClient,
  type PcsHealth,
  type TrackedRequest,
} from './pcs-client.js';
import { callTag, type PendingEntry, type PendingRequests } from './pending-requests.js';
import {
  callGone,
  normaliseSmsNumber,
  shownStatus,
  surveyVariables,
  transferAllowed,
} from './survey-workflow.js';

/** What the session needs from PCS: a {@link PcsClient}, or a test double of one. */
export type SurveyPcs = Pick<
  PcsClient,
  | 'status$'
  | 'endpoint$'
  | 'health$'
  | 'errors$'
  | 'requests'
  | 'start'
  | 'lookupSurvey'
  | 'submit'
  | 'reportEvent'
  | 'request$'
  | 'release'
  | 'dispose'
>;

export interface SurveySessionOptions {
  /** where the call comes from and where the actions go; started by the session, not disposed */
  readonly host: Host;
  /** the PCS client; started and disposed by the session */
  readonly pcs: SurveyPcs;
  readonly mode: SurveyMode;
  /** wins over the host's agent id */
  readonly agentId?: string;
  /** consult, then transfer (default: single-step transfer) */
  readonly consultTransfer?: boolean;
  /** clock for relocation gaps (default: asyncScheduler) */
  readonly scheduler?: SchedulerLike;
  /** where a pending request is remembered across a gadget reload (none: not remembered) */
  readonly pending?: PendingRequests;
}

/** What the agent chose in the form. */
export interface SurveyForm {
  readonly channel: SurveyChannel;
  readonly language: string;
  readonly smsNumber: string;
}

/** Where the agent's action is. */
export type Phase =
  'idle' | 'requesting' | 'updating-variables' | 'transferring' | 'done' | 'failed';

/** Everything the gadget renders, as one immutable snapshot. */
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
  /** the refusal's code (`unauthorized`, `pcs-bad-response`) */
  readonly refusalCode?: ErrorCode;
}

export interface SurveyTransferredInfo {
  readonly requestId: string;
  readonly dialogId: string;
  readonly dn: string;
}

export const initialSurveyView: SurveyView = {
  call: null,
  hostConnected: true,
  survey: undefined,
  connection: { state: 'idle' },
  endpoint: null,
  health: 'ok',
  phase: 'idle',
};

const busyPhases: ReadonlySet<Phase> = new Set([
  'requesting',
  'updating-variables',
  'transferring',
]);

export class SurveySession {
  readonly #scheduler: SchedulerLike;
  readonly #host: Host;
  readonly #pcs: SurveyPcs;
  readonly #subscriptions = new Subscription();
  #requestSub = new Subscription();

  readonly #viewSubject = new BehaviorSubject<SurveyView>(initialSurveyView);
  readonly #statusSubject = new Subject<ConnectionStatus>();
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  readonly #relocatedSubject = new Subject<RelocationInfo>();
  readonly #requestedSubject = new Subject<SurveyRequestedDetail>();
  readonly #transferredSubject = new Subject<SurveyTransferredInfo>();
  readonly #surveyStatusSubject = new Subject<SurveyStatusDetail>();

  #lookupFor?: string;
  #lookupGeneration = 0;
  #runGeneration = 0;
  #lastStatusKey?: string;
  /** requests whose call ended before PCS answered: cancelled as soon as the answer arrives */
  readonly #cancelOnAnswer = new Set<string>();
  #started = false;
  #disposed = false;
  /** a remembered request was looked for (once per session, on the first call) */
  #reattachChecked = false;

  /** every state the gadget renders; replays the latest */
  readonly view$: Observable<SurveyView> = this.#viewSubject.asObservable();
  /** the PCS status stream's connection state, each transition once */
  readonly status$: Observable<ConnectionStatus> = this.#statusSubject.asObservable();
  /** problems worth an `ag-error`, one per problem as it happens */
  readonly errors$: Observable<AgErrorInfo> = this.#errorsSubject.asObservable();
  /** the status stream now follows another PCS node */
  readonly relocated$: Observable<RelocationInfo> = this.#relocatedSubject.asObservable();
  /** PCS accepted a survey request */
  readonly requested$: Observable<SurveyRequestedDetail> = this.#requestedSubject.asObservable();
  /** the host confirmed the transfer to the survey DN */
  readonly transferred$: Observable<SurveyTransferredInfo> =
    this.#transferredSubject.asObservable();
  /** the shown status of the current request changed (score when completed) */
  readonly surveyStatus$: Observable<SurveyStatusDetail> = this.#surveyStatusSubject.asObservable();

  readonly #o: SurveySessionOptions;

  constructor(o: SurveySessionOptions) {
    this.#o = o;
    this.#scheduler = o.scheduler ?? asyncScheduler;
    this.#host = o.host;
    this.#pcs = o.pcs;
  }

  get view(): SurveyView {
    return this.#viewSubject.value;
  }

  /** The status shown to the agent: PCS's, or what we did ourselves if PCS has not caught up. */
  get surveyStatus(): SurveyStatus | undefined {
    return shownStatus(this.view.request?.answer?.status, this.view.localStatus);
  }

  /** Starts the host and PCS and follows both. Idempotent. */
  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    const host = this.#host;
    const pcs = this.#pcs;
    // relocations are counted from the same transitions the owner sees, on our clock
    this.#subscriptions.add(
      this.#statusSubject
        .pipe(relocations(this.#scheduler))
        .subscribe((r) => this.#relocatedSubject.next(r)),
    );
    this.#subscriptions.add(pcs.status$.subscribe((s) => this.#onConnectionStatus(s)));
    this.#subscriptions.add(pcs.endpoint$.subscribe((endpoint) => this.#set({ endpoint })));
    this.#subscriptions.add(pcs.health$.subscribe((health) => this.#set({ health })));
    this.#subscriptions.add(pcs.errors$.subscribe((e) => this.#emitError(e.code, e.message)));
    pcs.start();

    this.#set({ hostKind: host.kind, hostEverConnected: false, hostProblem: undefined });
    // start first, so the first connection value we see is the host's real one, not a default
    try {
      host.start();
    } catch (e) {
      this.#fail('bad-config', e instanceof Error ? e.message : String(e));
    }
    this.#subscriptions.add(host.call$.subscribe((call) => this.#onCall(call)));
    if (host.errors$) {
      this.#subscriptions.add(
        host.errors$.subscribe((e) => {
          this.#set({ hostProblem: e.message });
          this.#emitError(e.code, e.message);
        }),
      );
    }
    this.#subscriptions.add(
      host.connection$.subscribe((connected) => {
        const was = this.view.hostConnected && this.view.hostEverConnected;
        this.#set({ hostConnected: connected, ...(connected ? { hostEverConnected: true } : {}) });
        if (was && !connected)
          this.#emitError('host-disconnected', 'Finesse is reconnecting (failover)');
      }),
    );
  }

  /** The request for this call: what the call says, plus the survey's own fields. */
  #requestBody(
    call: CallInfo,
    fields: Omit<SurveyRequestBody, 'dialogId' | 'ani' | 'dialedNumber' | 'agentId'>,
  ): SurveyRequestBody {
    const { idempotencyKey: key, ...survey } = fields;
    // in the order the wire lists them, as before
    return {
      idempotencyKey: key,
      dialogId: call.dialogId,
      ani: call.ani || 'unknown',
      dialedNumber: call.dialedNumber,
      agentId: this.#o.agentId || this.#host.agentId || 'agent',
      ...survey,
    };
  }

  /**
   * The agent asked for the survey on the current call. Resolves when the workflow is over
   * (done or failed: see `view.phase`); never rejects.
   */
  async requestSurvey(form: SurveyForm): Promise<void> {
    if (!this.#started || this.#disposed)
      return this.#fail('bad-config', 'The survey session is not running');
    const { call, survey } = this.view;
    const consult = !!this.#o.consultTransfer;
    if (!call) return this.#fail('no-call', 'There is no call to survey');
    if (call.state !== 'ACTIVE') return this.#fail('call-not-active', 'The call is not active');
    if (!this.view.hostConnected)
      return this.#fail('host-disconnected', 'Finesse is reconnecting: try again when it is back');
    if (this.#o.mode === 'transfer' && !transferAllowed(call, consult))
      return this.#fail(
        'transfer-rejected',
        'Finesse does not allow a transfer on this call right now',
      );
    if (!survey)
      return this.#fail(
        'no-survey',
        `No survey is active for ${call.dialedNumber || 'this number'}`,
      );
    let smsNumber: string | undefined;
    if (form.channel === 'sms') {
      smsNumber = normaliseSmsNumber(form.smsNumber) ?? undefined;
      if (!smsNumber)
        return this.#fail(
          'invalid-sms-number',
          "Enter the caller's mobile number for the SMS survey: 10 to 15 digits",
        );
    }
    return this.#run(
      this.#requestBody(call, {
        idempotencyKey: idempotencyKey(call.dialogId, survey.id),
        surveyId: survey.id,
        channel: form.channel,
        language: form.language,
        mode: this.#o.mode,
        ...(smsNumber ? { smsNumber } : {}),
      }),
    );
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#runGeneration++;
    this.#subscriptions.unsubscribe();
    this.#requestSub.unsubscribe();
    this.#pcs.dispose();
    this.#viewSubject.complete();
    this.#statusSubject.complete();
    this.#errorsSubject.complete();
    this.#relocatedSubject.complete();
    this.#requestedSubject.complete();
    this.#transferredSubject.complete();
    this.#surveyStatusSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  /** Request, variables, then transfer or mark; each step only after the previous one is confirmed. */
  async #run(body: SurveyRequestBody): Promise<void> {
    const pcs = this.#pcs;
    const host = this.#host;
    const mode = this.#o.mode;
    const key = body.idempotencyKey;
    const dialogId = body.dialogId;
    const generation = ++this.#runGeneration;
    const keepLocal = this.view.requestDialogId === dialogId ? this.view.localStatus : undefined;
    this.#set({
      phase: 'requesting',
      requestDialogId: dialogId,
      localStatus: keepLocal,
      error: undefined,
    });
    this.#followRequest(key);
    const pending = this.#o.pending;
    pending?.save({
      key,
      dialogId,
      callTag: callTag(body.ani, body.dialedNumber),
      surveyId: body.surveyId,
      mode,
      channel: body.channel,
      language: body.language,
      ...(body.smsNumber ? { smsNumber: body.smsNumber } : {}),
      stage: 'running',
    });

    const stillOurs = () => generation === this.#runGeneration && !this.#disposed;
    let stage: 'pcs' | 'variables' | 'transfer' = 'pcs';
    try {
      const answer = await pcs.submit(body);
      if (!stillOurs()) {
        // the call ended while PCS was still answering: the request must not stay armed
        if (this.#cancelOnAnswer.delete(key) && !this.#disposed)
          void pcs.reportEvent(key, 'cancelled').catch(() => undefined);
        return;
      }
      pending?.update(dialogId, key, { requestId: answer.requestId });
      this.#requestedSubject.next({
        requestId: answer.requestId,
        surveyId: body.surveyId,
        dialogId,
        mode,
      });
      // Finesse is failing over: its actions would be refused; the request waits, it is not lost
      await this.#hostReady();
      if (!stillOurs()) return;
      if (callGone(this.view.call, dialogId)) return this.#dropped(key);

      // Variables first, in both modes: context set after the caller left the agent may not reach the survey.
      stage = 'variables';
      this.#set({ phase: 'updating-variables' });
      await host.updateCallVariables(
        dialogId,
        surveyVariables(mode, answer.transfer.callVariables),
      );
      if (!stillOurs()) return;
      if (callGone(this.view.call, dialogId)) return this.#dropped(key);

      if (mode === 'transfer') {
        stage = 'transfer';
        this.#set({ phase: 'transferring' });
        await host.transfer(dialogId, answer.transfer.dn, { consult: !!this.#o.consultTransfer });
        if (!stillOurs()) return;
        this.#set({ phase: 'done', localStatus: 'transferred' });
        if (callGone(this.view.call, dialogId)) pending?.clear(dialogId);
        else pending?.update(dialogId, key, { stage: 'transferred' });
        this.#transferredSubject.next({
          requestId: answer.requestId,
          dialogId,
          dn: answer.transfer.dn,
        });
        this.#emitStatus();
        void pcs.reportEvent(key, 'transferred').catch(() => undefined /* on pcs.errors$ */);
      } else {
        this.#set({ phase: 'done', localStatus: 'armed' });
        pending?.update(dialogId, key, { stage: 'armed' });
        this.#emitStatus();
        void pcs.reportEvent(key, 'armed').catch(() => undefined);
      }
    } catch (e) {
      if (!stillOurs()) return;
      if (stage === 'pcs') {
        pending?.clear(dialogId); // refused for good: nothing to re-attach to
        // already reported on the client's errors$
        const err = e instanceof AgError ? e : new AgError('pcs-bad-response', String(e));
        return this.#fail(err.code, err.message, false);
      }
      const fallback = stage === 'transfer' ? 'transfer-rejected' : 'call-variables-rejected';
      const code = e instanceof AgError ? e.code : fallback;
      const said = e instanceof Error ? e.message : String(e);
      pending?.update(dialogId, key, { stage: 'held' });
      // Finesse's own words (a HostActionError carries them) tell the agent what to do; the
      // button is back, and a retry reuses the same request (same idempotency key)
      this.#fail(
        code,
        said ||
          (stage === 'transfer'
            ? 'Finesse did not transfer the caller: try again'
            : 'Finesse did not set the call variables: try again'),
      );
    }
  }

  /** Resolves once the host is connected (at once if it is); rejects on dispose. */
  #hostReady(): Promise<unknown> {
    return firstValueFrom(this.#viewSubject.pipe(filter((v) => v.hostConnected)));
  }

  #onCall(call: CallInfo | null): void {
    const prev = this.view;
    const patch: Partial<SurveyView> = { call };
    // A new call replaces the previous one's survey view, unless an action is still running.
    const busy = busyPhases.has(prev.phase);
    if (call && prev.requestDialogId && call.dialogId !== prev.requestDialogId && !busy) {
      this.#requestSub.unsubscribe();
      this.#requestSub = new Subscription();
      // the previous call's survey may still be playing: PCS client keeps it until it is over
      if (prev.request) this.#pcs.release(prev.request.key);
      Object.assign(patch, {
        phase: 'idle',
        request: undefined,
        requestDialogId: undefined,
        localStatus: undefined,
        error: undefined,
      });
    }
    this.#set(patch);
    this.#rememberCall(prev.call, call, busy);
    // The caller hung up (or Finesse dropped the call) while we were still setting it up.
    // During 'transferring' the agent's leg dropping is the transfer itself, not a failure.
    const settingUp = prev.phase === 'requesting' || prev.phase === 'updating-variables';
    if (settingUp && prev.requestDialogId && callGone(call, prev.requestDialogId)) {
      this.#runGeneration++;
      if (prev.request) this.#dropped(prev.request.key);
      else this.#fail('call-dropped', 'The call ended before the survey was set up');
    }
    this.#lookup();
    if (call && !this.#reattachChecked) {
      this.#reattachChecked = true;
      const entry = this.#o.pending?.get(call.dialogId);
      if (entry && this.view.phase === 'idle' && !this.view.requestDialogId)
        this.#reattach(entry, call);
    }
  }

  /** Keeps the remembered requests to the agent's current call. */
  #rememberCall(prev: CallInfo | null, call: CallInfo | null, busy: boolean): void {
    const pending = this.#o.pending;
    if (!pending || busy) return;
    if (call) pending.retainOnly(call.dialogId);
    if (call && (call.state === 'DROPPED' || call.state === 'FAILED')) pending.clear(call.dialogId);
    // null after a call we saw: it ended (null before any call is a host still loading)
    else if (!call && prev) pending.clear(prev.dialogId);
  }

  /**
   * After a gadget reload: the request remembered for this call is taken up again with the same
   * idempotency key (PCS answers the same request, never a second one). A workflow that was
   * under way resumes; one that was done or refused is only followed.
   */
  #reattach(entry: PendingEntry, call: CallInfo): void {
    // another gadget mode, or the same dialog id on another call (a restarted fake Finesse)
    if (
      entry.mode !== this.#o.mode ||
      entry.callTag !== callTag(call.ani || 'unknown', call.dialedNumber)
    )
      return this.#o.pending?.clear(entry.dialogId);
    const body = this.#requestBody(call, {
      idempotencyKey: entry.key,
      surveyId: entry.surveyId,
      channel: entry.channel,
      language: entry.language,
      mode: entry.mode,
      ...(entry.smsNumber ? { smsNumber: entry.smsNumber } : {}),
    });
    if (entry.stage === 'running' && call.state === 'ACTIVE') {
      void this.#run(body);
      return;
    }
    const done = entry.stage === 'armed' || entry.stage === 'transferred';
    this.#set({
      phase: done ? 'done' : 'idle',
      requestDialogId: entry.dialogId,
      ...(done ? { localStatus: entry.stage as SurveyStatus } : {}),
    });
    this.#followRequest(entry.key);
    this.#pcs.submit(body).catch(() => undefined /* reported on pcs.errors$ */);
  }

  /** Looks the survey up for the current call's dialed number (once per number). */
  #lookup(): void {
    const dn = this.view.call?.dialedNumber;
    if (!dn || this.#lookupFor === dn) return;
    this.#lookupFor = dn;
    const generation = ++this.#lookupGeneration;
    this.#set({ survey: undefined, refusal: undefined, refusalCode: undefined });
    this.#pcs.lookupSurvey(dn).then(
      (survey) => {
        if (generation === this.#lookupGeneration && !this.#disposed) this.#set({ survey });
      },
      (e: unknown) => {
        // permanent refusal (already reported): show why, try again on the next call change
        if (generation !== this.#lookupGeneration || this.#disposed) return;
        this.#lookupFor = undefined;
        this.#set({
          refusal: e instanceof Error ? e.message : String(e),
          refusalCode: e instanceof AgError ? e.code : undefined,
        });
      },
    );
  }

  #followRequest(key: string): void {
    this.#requestSub.unsubscribe();
    let requestId: string | undefined;
    this.#requestSub = this.#pcs.request$(key).subscribe((request) => {
      const previous = requestId;
      requestId = request?.answer?.requestId ?? requestId;
      this.#set({ request });
      this.#emitStatus();
      const status = request?.answer?.status;
      if (request && status && statusRank[status] >= statusRank.completed)
        this.#o.pending?.clear(request.body.dialogId);
      if (previous && request?.answer && requestId !== previous)
        this.#remark(request.answer.transfer.callVariables);
    });
  }

  /**
   * A PCS failover without a shared store re-created the request under a new id. An armed call
   * still names the old one, which only the dead node knew: name the new one while the agent
   * is still on the call, or the survey would be lost at hang-up.
   */
  #remark(callVariables: Readonly<Record<string, string>>): void {
    const { call, requestDialogId, localStatus } = this.view;
    if (this.#o.mode !== 'hangup' || localStatus !== 'armed' || !call) return;
    if (call.dialogId !== requestDialogId || call.state !== 'ACTIVE') return;
    this.#host
      .updateCallVariables(call.dialogId, surveyVariables('hangup', callVariables))
      .catch((e: unknown) => {
        const err = e instanceof AgError ? e : new AgError('call-variables-rejected', String(e));
        this.#emitError(err.code, err.message);
      });
  }

  #emitStatus(): void {
    const request = this.view.request;
    const status = this.surveyStatus;
    const requestId = request?.answer?.requestId;
    if (!requestId || !status) return;
    const score = request?.answer?.score;
    const statusKey = `${requestId}|${status}|${score ?? ''}`;
    if (statusKey === this.#lastStatusKey) return;
    this.#lastStatusKey = statusKey;
    this.#surveyStatusSubject.next({
      requestId,
      status,
      ...(score !== undefined ? { score } : {}),
    });
  }

  #onConnectionStatus(status: ConnectionStatus): void {
    this.#set({ connection: status });
    this.#statusSubject.next(status);
    if (status.state === 'failed' && status.error)
      this.#emitError(status.error.code, status.error.message);
  }

  #dropped(key: string): void {
    this.#fail('call-dropped', 'The call ended before the survey was set up');
    const dialogId = this.#pcs.requests.get(key)?.body.dialogId;
    if (dialogId) this.#o.pending?.clear(dialogId);
    if (this.#pcs.requests.get(key)?.answer)
      void this.#pcs.reportEvent(key, 'cancelled').catch(() => undefined);
    else this.#cancelOnAnswer.add(key);
  }

  #fail(code: ErrorCode, message: string, emit = true): void {
    this.#set({ phase: 'failed', error: { code, message } });
    if (emit) this.#emitError(code, message);
  }

  #emitError(code: ErrorCode, message: string): void {
    if (!this.#errorsSubject.closed) this.#errorsSubject.next({ code, message });
  }

  #set(patch: Partial<SurveyView>): void {
    if (this.#viewSubject.closed) return;
    const next = { ...this.view, ...patch };
    for (const k of Object.keys(patch) as (keyof SurveyView)[]) {
      if (patch[k] === undefined) delete (next as Record<string, unknown>)[k];
    }
    this.#viewSubject.next(next);
  }
}
