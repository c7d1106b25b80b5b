/**
 * FinesseHost: the agent's current call and the telephony actions, through finesse.js.
 *
 * Start-up follows Cisco's sample gadgets, once per page (FinessePage): after the gadget's hub
 * connected, `finesse.gadget.Config` (built from the container's prefs on 10.5), one
 * `ClientServices.init`, one User whose onLoad asks for the dialogs, a 'change' handler per
 * dialog. Finesse failover (`failing` → `recovered`) is surfaced on `connection$`; on recovery
 * the agent's dialogs are read again, because calls that end inside a failover produce no events.
 *
 * Actions are done when Finesse says so, not at the HTTP 202: a transfer when the agent's leg
 * drops (or the dialog leaves the agent), a call-variable update when the dialog shows the new
 * values; the asynchronous `apiErrors` update for the request (finesse.js calls the request's
 * `error` handler with it), an HTTP error or a timeout reject with a {@link HostActionError}.
 */
import { BehaviorSubject, Subject, distinctUntilChanged, type Observable } from 'rxjs';
import type { AgErrorInfo, ErrorCode } from '../protocol/errors.js';
import {
  callVariablesFrom,
  finesseError,
  apiErrorFromXml,
  normaliseActions,
  ownLeg,
  updateCallDataXml,
} from './finesse-normalise.js';
import {
  FinessePage,
  absoluteFinesseUrl,
  finesseAuthHeader,
  type PageListener,
} from './finesse-page.js';
import {
  finesseGlobal,
  gadgetsGlobal,
  finesseAgentLocale,
  type ContainerServicesInstance,
  type FinesseDialog,
  type FinesseDialogs,
  type FinesseGlobal,
  type FinesseHandlers,
  type FinesseUser,
} from './finesse-types.js';
import { HostActionError, type CallInfo, type Host, type TransferOptions } from './host.js';

export interface FinesseHostOptions {
  /** finesse.js namespace (default: the `finesse` global) */
  readonly finesse?: FinesseGlobal;
  /** how long Finesse may take to confirm an action by an event (CTI failover); default 15000 */
  readonly actionTimeoutMs?: number;
  /** use the pre-12.5 UPDATE_CALL_DATA PUT even when dialog.updateCallVariables exists */
  readonly legacyCallVariables?: boolean;
}

const ENDED = new Set(['DROPPED', 'FAILED']);

interface Waiter {
  /** true once the awaited dialog event happened */
  check(): boolean;
  resolve(): void;
}

export class FinesseHost implements Host {
  readonly kind = 'finesse' as const;
  readonly #callSubject = new BehaviorSubject<CallInfo | null>(null);
  readonly #connectionSubject = new BehaviorSubject<boolean>(false);
  readonly call$: Observable<CallInfo | null> = this.#callSubject.pipe(
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
  );
  readonly connection$: Observable<boolean> = this.#connectionSubject.pipe(distinctUntilChanged());
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  readonly errors$: Observable<AgErrorInfo> = this.#errorsSubject.asObservable();

  readonly #fin: FinesseGlobal;
  readonly #timeoutMs: number;
  readonly #page: FinessePage;
  #detach?: () => void;
  #extension?: string;
  #dialogsCollection?: FinesseDialogs;
  readonly #dialogs = new Map<string, { dialog: FinesseDialog; onChange: () => void }>();
  #currentId?: string;
  #container?: ContainerServicesInstance;
  #activeTabTopic?: string;
  #started = false;
  #disposed = false;
  /** rejects the Finesse requests still waiting for an answer */
  readonly #aborts = new Set<() => void>();
  readonly #waiters = new Set<Waiter>();

  readonly #options: FinesseHostOptions;

  constructor(options: FinesseHostOptions = {}) {
    this.#options = options;
    const fin = options.finesse ?? finesseGlobal();
    if (!fin) throw new HostActionError('bad-config', 'finesse.js is not loaded');
    this.#fin = fin;
    this.#timeoutMs = options.actionTimeoutMs ?? 15000;
    this.#page = FinessePage.for(fin);
  }

  get agentId(): string | undefined {
    const id = this.#fin.gadget?.Config?.id ?? this.#page.agentConfig.id;
    return typeof id === 'string' && id ? id : undefined;
  }

  get locale(): string | undefined {
    return finesseAgentLocale(this.#fin);
  }

  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    const listener: PageListener = {
      onConnected: (c) => {
        if (this.#disposed) return;
        if (c) this.#reconcile();
        this.#connectionSubject.next(c);
      },
      onUser: (user) => this.#onUser(user),
      onDialogsLoaded: (dialogs) => {
        this.#dialogsCollection = dialogs;
        this.#reconcile();
      },
      onDialogAdded: (d) => this.#track(d),
      onDialogDeleted: (d) => this.#untrack(safe(() => d.getId())),
      onLoadError: (what, rsp) => this.#reportLoadError(what, rsp),
      onReread: (ids) => {
        if (!ids) return;
        for (const id of [...this.#dialogs.keys()]) if (!ids.has(id)) this.#untrack(id);
      },
    };
    this.#detach = this.#page.attach(listener);
    this.#watchActiveTab();
  }

  adjustHeight(): void {
    if (this.#disposed) return;
    safe(() => gadgetsGlobal()?.window?.adjustHeight?.());
  }

  async transfer(dialogId: string, dn: string, options: TransferOptions = {}): Promise<void> {
    const { dialog, extension } = this.#actionTarget(dialogId, 'transfer-rejected');
    const actions = this.#toCallInfo(dialog)?.actions ?? [];
    if (!options.consult) {
      if (actions.length && !actions.includes('TRANSFER_SST'))
        return reject(
          'transfer-rejected',
          'Finesse does not allow a transfer on this call right now',
        );
      if (!dialog.initiateDirectTransfer)
        return reject(
          'transfer-rejected',
          'This Finesse version cannot transfer (initiateDirectTransfer missing)',
        );
      return this.#confirmed(
        'transfer-rejected',
        'transfer-timeout',
        'transfer',
        () => this.#transferDone(dialogId),
        (h) => dialog.initiateDirectTransfer!(extension, dn, h),
      );
    }
    if (actions.length && !actions.includes('CONSULT_CALL'))
      return reject('transfer-rejected', 'Finesse does not allow a consult call right now');
    return this.#consultTransfer(dialog, dialogId, extension, dn);
  }

  async updateCallVariables(
    dialogId: string,
    vars: Readonly<Record<string, string>>,
  ): Promise<void> {
    const { dialog } = this.#actionTarget(dialogId, 'call-variables-rejected');
    const shown = () => this.#variablesShown(dialogId, vars);
    if (dialog.updateCallVariables && !this.#options.legacyCallVariables) {
      return this.#confirmed(
        'call-variables-rejected',
        'call-variables-timeout',
        'call variable update',
        shown,
        (h) => dialog.updateCallVariables!({ ...vars }, h),
      );
    }
    return this.#legacyUpdateCallData(dialog, vars, shown);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const abort of [...this.#aborts]) abort();
    this.#detach?.();
    for (const { dialog, onChange } of this.#dialogs.values())
      safe(() => dialog.removeHandler?.('change', onChange));
    this.#dialogs.clear();
    if (this.#container && this.#activeTabTopic) {
      const topic = this.#activeTabTopic;
      safe(() => this.#container!.removeHandler?.(topic, this.#onActiveTab));
    }
    this.#callSubject.complete();
    this.#connectionSubject.complete();
    this.#errorsSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  readonly #onActiveTab = () => this.adjustHeight();

  /** adjustHeight only works while the tab is visible: do it again whenever it becomes active. */
  #watchActiveTab(): void {
    const cs = this.#fin.containerservices?.ContainerServices;
    if (!cs) return;
    const instance =
      safe(() => cs.init?.()) ?? (cs.addHandler ? (cs as ContainerServicesInstance) : undefined);
    const topic = cs.Topics?.ACTIVE_TAB;
    if (!instance || !topic) return;
    this.#container = instance;
    this.#activeTabTopic = topic;
    safe(() => instance.addHandler(topic, this.#onActiveTab));
    safe(() => instance.makeActiveTabReq?.());
  }

  #onUser(user: FinesseUser): void {
    if (this.#disposed) return;
    this.#extension = safe(() => user.getExtension()) ?? this.#extension;
    this.#recompute();
  }

  #reportLoadError(what: string, rsp: unknown): void {
    if (this.#disposed) return;
    const e = finesseError(rsp);
    this.#errorsSubject.next({
      code: 'bad-config',
      message: `Finesse could not load ${what}${e.errorMessage ? `: ${e.errorMessage}` : e.status ? ` (HTTP ${e.status})` : ''}`,
    });
  }

  /** Makes the tracked dialogs match Finesse's collection (after load and after a failover). */
  #reconcile(): void {
    if (this.#disposed || !this.#dialogsCollection) return;
    const collection = safe(() => this.#dialogsCollection!.getCollection?.()) ?? {};
    const present = new Set<string>();
    for (const dialog of Object.values(collection)) {
      const id = safe(() => dialog.getId());
      if (!id) continue;
      present.add(id);
      this.#track(dialog);
    }
    for (const id of [...this.#dialogs.keys()]) if (!present.has(id)) this.#untrack(id);
    this.#recompute();
  }

  #track(dialog: FinesseDialog): void {
    if (this.#disposed) return;
    const id = safe(() => dialog.getId());
    if (!id) return;
    const known = this.#dialogs.get(id);
    if (known?.dialog === dialog) return this.#recompute();
    if (known) safe(() => known.dialog.removeHandler?.('change', known.onChange));
    const onChange = () => {
      if (!this.#disposed) this.#recompute();
    };
    this.#dialogs.set(id, { dialog, onChange });
    safe(() => dialog.addHandler?.('change', onChange));
    this.#recompute();
  }

  #untrack(id: string | undefined): void {
    if (!id) return;
    const known = this.#dialogs.get(id);
    if (!known) return;
    safe(() => known.dialog.removeHandler?.('change', known.onChange));
    this.#dialogs.delete(id);
    this.#recompute();
  }

  /**
   * Picks the current call: the one already shown while Finesse still has it (even once our
   * leg dropped, so the gadget can tell "ended" from "never was"), else an active one, else
   * any live one where the agent is a participant. Then wakes the actions waiting for events.
   */
  #recompute(): void {
    if (this.#disposed) return;
    const infos = [...this.#dialogs.values()]
      .map(({ dialog }) => this.#toCallInfo(dialog))
      .filter((c): c is CallInfo => c !== null);
    const current =
      infos.find((c) => c.dialogId === this.#currentId) ??
      infos.find((c) => c.state === 'ACTIVE') ??
      infos.find((c) => !ENDED.has(c.state)) ??
      null;
    this.#currentId = current?.dialogId;
    for (const w of [...this.#waiters]) if (w.check()) w.resolve();
    this.#callSubject.next(current);
  }

  #toCallInfo(dialog: FinesseDialog): CallInfo | null {
    const dialogId = safe(() => dialog.getId());
    if (!dialogId) return null;
    const media = safe(() => dialog.getMediaProperties?.()) ?? {};
    // Non-voice tasks (chat, email) share the dialog shape; they are not calls.
    if (typeof media === 'object' && media && 'mediaId' in media) return null;
    const participants = safe(() => dialog.getParticipants?.());
    const leg = ownLeg(participants, this.#extension);
    // Without a known extension we cannot tell legs apart; then the dialog state is all we have.
    if (this.#extension && participants && !leg) return null;
    const dialedNumber =
      str(media.dialedNumber) ?? str(media.DNIS) ?? safe(() => dialog.getToAddress?.()) ?? '';
    return {
      dialogId,
      state: String(leg?.state ?? safe(() => dialog.getState?.()) ?? 'UNKNOWN'),
      ani: safe(() => dialog.getFromAddress?.()) ?? '',
      dialedNumber: String(dialedNumber),
      callVariables: callVariablesFrom(media),
      actions: normaliseActions(leg?.actions),
    };
  }

  /** The transfer happened: the dialog left the agent, or the agent's leg dropped. */
  #transferDone(dialogId: string): boolean {
    const known = this.#dialogs.get(dialogId);
    if (!known) return true;
    const participants = safe(() => known.dialog.getParticipants?.());
    const leg = ownLeg(participants, this.#extension);
    const state = String(leg?.state ?? safe(() => known.dialog.getState?.()) ?? '');
    return ENDED.has(state) || (!!this.#extension && !!participants && !leg);
  }

  #variablesShown(dialogId: string, vars: Readonly<Record<string, string>>): boolean {
    const known = this.#dialogs.get(dialogId);
    if (!known) return false;
    const media = safe(() => known.dialog.getMediaProperties?.()) ?? {};
    const shown = callVariablesFrom(media);
    return Object.entries(vars).every(([k, v]) => shown[k] === v);
  }

  #actionTarget(
    dialogId: string,
    code: HostActionError['code'],
  ): { dialog: FinesseDialog; extension: string } {
    if (this.#disposed) throw new HostActionError(code, 'The gadget was removed');
    if (!this.#connectionSubject.value)
      throw new HostActionError(
        'host-disconnected',
        'Finesse is reconnecting; try again in a moment',
      );
    const dialog = this.#dialogs.get(dialogId)?.dialog;
    if (!dialog) throw new HostActionError('call-dropped', 'The call is no longer on this desktop');
    return { dialog, extension: this.#extension ?? '' };
  }

  /**
   * A Finesse action that is done only when a dialog event shows it (`done()`), with a deadline
   * (a CTI failover can leave it unanswered). The request's `error` handler may run after its
   * `success` (HTTP 202, then the `apiErrors` update with the same requestId): that rejects.
   * Dispose rejects whatever is still pending, so nothing outlives the gadget.
   */
  #confirmed(
    code: ErrorCode,
    timeoutCode: ErrorCode,
    what: string,
    done: () => boolean,
    run: (h: FinesseHandlers) => void,
  ): Promise<void> {
    return this.#pending(code, timeoutCode, what, done, (settle) =>
      run({
        success: () => settle.accepted(),
        error: (rsp) => {
          const e = finesseError(rsp);
          const text =
            e.errorMessage ?? `Finesse refused the ${what}${e.status ? ` (HTTP ${e.status})` : ''}`;
          settle.reject(new HostActionError(code, text, e.status, e.errorType));
        },
      }),
    );
  }

  #pending(
    code: ErrorCode,
    timeoutCode: ErrorCode,
    what: string,
    done: () => boolean,
    run: (settle: { accepted: () => void; reject: (e: HostActionError) => void }) => void,
  ): Promise<void> {
    if (this.#disposed) return reject(code, 'The gadget was removed');
    return new Promise<void>((resolve, rejectPromise) => {
      let settled = false;
      let accepted = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#aborts.delete(abort);
        this.#waiters.delete(waiter);
        fn();
      };
      const waiter: Waiter = {
        // events may overtake the HTTP answer; before any answer nothing is confirmed
        check: () => accepted && done(),
        resolve: () => finish(resolve),
      };
      const abort = () =>
        finish(() => rejectPromise(new HostActionError(code, 'The gadget was removed')));
      const timer = setTimeout(
        () =>
          finish(() =>
            rejectPromise(
              new HostActionError(
                timeoutCode,
                accepted
                  ? `Finesse accepted the ${what} but never confirmed it; check the call before trying again`
                  : `Finesse did not answer the ${what} request`,
              ),
            ),
          ),
        this.#timeoutMs,
      );
      this.#aborts.add(abort);
      this.#waiters.add(waiter);
      try {
        run({
          accepted: () => {
            accepted = true;
            if (done()) finish(resolve);
          },
          reject: (e) => finish(() => rejectPromise(e)),
        });
      } catch (err) {
        finish(() =>
          rejectPromise(
            new HostActionError(code, err instanceof Error ? err.message : String(err)),
          ),
        );
      }
    });
  }

  /** Consult, wait for the consult leg to be answered, then complete the transfer on it. */
  async #consultTransfer(
    dialog: FinesseDialog,
    dialogId: string,
    extension: string,
    dn: string,
  ): Promise<void> {
    const code = 'transfer-rejected';
    if (!dialog.makeConsultCall)
      return reject(code, 'This Finesse version cannot make consult calls');
    const before = new Set(this.#dialogs.keys());
    let consult: FinesseDialog | undefined;
    const answered = () => {
      for (const [id, { dialog: d }] of this.#dialogs) {
        if (before.has(id)) continue;
        if (this.#toCallInfo(d)?.state === 'ACTIVE') {
          consult = d;
          return true;
        }
      }
      return false;
    };
    await this.#confirmed(code, 'transfer-timeout', 'consult call', answered, (h) =>
      dialog.makeConsultCall!(extension, dn, h),
    );
    const leg = consult!;
    const action = this.#fin.restservices?.Dialog?.Actions?.TRANSFER ?? 'TRANSFER';
    if (!leg.requestAction) return reject(code, 'This Finesse version cannot complete a transfer');
    await this.#confirmed(
      code,
      'transfer-timeout',
      'transfer',
      () => this.#transferDone(dialogId),
      (h) => leg.requestAction!(extension, action, h),
    );
  }

  /**
   * Finesse before 12.5: PUT UPDATE_CALL_DATA as XML through the container's proxy, which takes
   * absolute URLs only (finesse.js prefixes its REST paths with scheme://restHost:port itself).
   */
  #legacyUpdateCallData(
    dialog: FinesseDialog,
    vars: Readonly<Record<string, string>>,
    shown: () => boolean,
  ): Promise<void> {
    const code = 'call-variables-rejected';
    const io = gadgetsGlobal()?.io;
    const restUrl = safe(() => dialog.getRestUrl?.());
    if (!io?.makeRequest || !restUrl)
      return reject(code, 'Cannot update call variables: gadgets.io or the dialog URL is missing');
    const config = { ...this.#page.agentConfig, ...(this.#fin.gadget?.Config ?? {}) };
    const url = absoluteFinesseUrl(restUrl, config);
    const P = io.RequestParameters ?? {};
    const params: Record<string, unknown> = {
      [P.METHOD ?? 'METHOD']: io.MethodType?.PUT ?? 'PUT',
      [P.CONTENT_TYPE ?? 'CONTENT_TYPE']: io.ContentType?.TEXT ?? 'TEXT',
      [P.HEADERS ?? 'HEADERS']: {
        Authorization: finesseAuthHeader(this.#fin, config),
        'Content-Type': 'application/xml',
      },
      [P.POST_DATA ?? 'POST_DATA']: updateCallDataXml(vars),
    };
    return this.#pending(code, 'call-variables-timeout', 'call variable update', shown, (settle) =>
      io.makeRequest!(
        url,
        (rsp) => {
          const rc = typeof rsp?.rc === 'number' ? rsp.rc : 0;
          if (rc >= 200 && rc < 300) return settle.accepted();
          const e = apiErrorFromXml(typeof rsp?.text === 'string' ? rsp.text : '');
          settle.reject(
            new HostActionError(
              code,
              e.errorMessage ?? `Finesse refused the call variable update (HTTP ${rc})`,
              rc,
              e.errorType,
            ),
          );
        },
        params,
      ),
    );
  }
}

function reject(code: HostActionError['code'], message: string): Promise<never> {
  return Promise.reject(new HostActionError(code, message));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

/** finesse.js getters throw when an object is not loaded yet: treat that as "unknown". */
function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
